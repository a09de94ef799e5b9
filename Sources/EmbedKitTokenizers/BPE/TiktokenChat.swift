/// One chat message, as counted by the OpenAI Cookbook's `num_tokens_from_messages`.
public struct ChatMessage: Sendable, Hashable, Codable {
    public var role: String
    public var content: String
    public var name: String?

    public init(role: String, content: String, name: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
    }
}

extension TiktokenEncoding {
    /// Prompt tokens of a chat request as the cookbook counts them for gpt-3.5-turbo / gpt-4 / gpt-4o models:
    /// 3 per message, the tokens of every field (role, content, name), 1 more for a name, and 3 priming the reply.
    public func countChatTokens(_ messages: [ChatMessage]) -> Int {
        var total = 3
        for message in messages {
            total += 3 + count(message.role) + count(message.content)
            if let name = message.name { total += count(name) + 1 }
        }
        return total
    }

    /// Same as ``truncate(_:to:)`` but also returns the truncated text (lossy when the cut splits a character).
    public func truncateText(_ text: String, to maxTokens: Int) -> (ids: [Int], text: String) {
        let ids = truncate(text, to: maxTokens)
        return (ids, (try? decodeLossy(ids)) ?? "")
    }
}
