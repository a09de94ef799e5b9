import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat

/// One message of a chat conversation.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: "assistant", content: content) }
}

/// Body of `POST /v1/chat/completions`.
public struct ChatRequest: Codable, Sendable {
    public var model: String
    public var messages: [ChatMessage]
    public var temperature: Double?
    public var maxTokens: Int?
    public var stream: Bool?

    public init(model: String, messages: [ChatMessage], temperature: Double? = nil, maxTokens: Int? = nil, stream: Bool? = nil) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.stream = stream
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, stream
        case maxTokens = "max_tokens"
    }
}

/// A non-streaming chat completion.
public struct ChatCompletion: Codable, Sendable {
    public struct Choice: Codable, Sendable {
        public var index: Int
        public var message: ChatMessage
        public var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }
    public struct Usage: Codable, Sendable {
        public var promptTokens: Int
        public var completionTokens: Int
        public var totalTokens: Int
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case totalTokens = "total_tokens"
        }
    }
    public var id: String
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?

    /// The first choice's text.
    public var text: String { choices.first?.message.content ?? "" }
}

/// One streamed chunk (`chat.completion.chunk`): `choices[].delta`.
public struct ChatCompletionChunk: Codable, Sendable {
    public struct Delta: Codable, Sendable {
        public var role: String?
        public var content: String?
    }
    public struct Choice: Codable, Sendable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }
    }
    public var id: String
    public var model: String?
    public var choices: [Choice]
}

/// A client for `/v1/chat/completions`, plain and streaming, with the same retry policy, rate limits and
/// headers as ``OpenAIEmbeddingModel``.
public final class ChatClient: Sendable {
    private let transport: OpenAITransport

    public init(configuration: OpenAIConfiguration = .fromEnvironment(), httpClient: HTTPClient = .shared,
                logger: Logger = Logger(label: "embedkit.chat")) {
        transport = OpenAITransport(configuration: configuration, http: httpClient, dollarsPerMillionTokens: 0, logger: logger)
    }

    /// Requests, retries and failures so far.
    public func usage() async -> OpenAIUsage { await transport.meter.usage }

    /// One completion, waited for whole.
    public func complete(_ request: ChatRequest) async throws -> ChatCompletion {
        var request = request
        request.stream = nil
        let body = try JSONEncoder().encode(request)
        let completion = try await transport.post(path: "chat/completions", body: body, tokens: 0) { buffer in
            try JSONDecoder().decode(ChatCompletion.self, from: Data(buffer: buffer))
        }
        await transport.meter.succeeded(promptTokens: completion.usage?.promptTokens ?? 0)
        return completion
    }

    /// The completion as it is generated: each chunk as it arrives, ending at `data: [DONE]`.
    /// Retries apply until the stream opens; a stream broken half-way throws ``OpenAIError/transport(message:attempts:)``.
    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatCompletionChunk, any Error> {
        var request = request
        request.stream = true
        let body: Data
        do { body = try JSONEncoder().encode(request) } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let (stream, continuation) = AsyncThrowingStream<ChatCompletionChunk, any Error>.makeStream()
        let task = Task { [transport] in
            do {
                try await Self.pump(transport: transport, body: body, into: continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private static func pump(transport: OpenAITransport, body: Data,
                             into continuation: AsyncThrowingStream<ChatCompletionChunk, any Error>.Continuation) async throws {
        let response = try await transport.openStream(path: "chat/completions", body: body)
        var parser = ServerSentEventParser()
        var done = false
        func handle(_ events: [String]) throws {
            for event in events where !done {
                if event == "[DONE]" { done = true; return }
                continuation.yield(try JSONDecoder().decode(ChatCompletionChunk.self, from: Data(event.utf8)))
            }
        }
        do {
            for try await buffer in response.body {
                try handle(parser.feed(buffer.readableBytesView))
                if done { break }
            }
            if !done { try handle(parser.finish()) }
        } catch let error as DecodingError {
            throw OpenAIError.malformedResponse(message: "bad stream chunk: \(error)", attempts: 1)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OpenAIError.transport(message: "stream broke: \(error)", attempts: 1)
        }
        guard done else { throw OpenAIError.transport(message: "stream ended without data: [DONE]", attempts: 1) }
    }
}
