import Foundation

/// Everything that can go wrong talking to an OpenAI-compatible API, each saying what to do next.
public enum OpenAIError: Error, CustomStringConvertible, Sendable {
    /// The server answered with an error status; `detail` is its `{"error":{…}}` when it sent one.
    case api(status: Int, detail: APIErrorDetail?, attempts: Int)
    /// No response: connection refused or dropped, timeout, TLS failure.
    case transport(message: String, attempts: Int)
    /// A 2xx answer whose body is not the expected JSON.
    case malformedResponse(message: String, attempts: Int)
    /// The request cannot be made as configured.
    case invalidRequest(String)
    /// An input is longer than the model accepts and the long-input policy is `error`.
    case inputTooLong(index: Int, tokens: Int, limit: Int)

    public var description: String {
        switch self {
        case let .api(status, detail, attempts):
            let message = detail.map { "\($0.type): \($0.message)" } ?? "no error body"
            let hint: String
            switch status {
            case 401: hint = "check OPENAI_API_KEY"
            case 403: hint = "the key lacks access to this model or project (check OPENAI_ORG_ID / OPENAI_PROJECT_ID)"
            case 404: hint = "check the model name and OPENAI_BASE_URL"
            case 429: hint = "rate limited even after retries: lower the concurrency or requests/tokens per minute, or raise maxRetries"
            case 500...: hint = "the server kept failing: retry later or raise maxRetries"
            default: hint = "fix the request"
            }
            return "OpenAI API answered HTTP \(status) after \(attempts) attempt(s) — \(message); \(hint)"
        case let .transport(message, attempts):
            return "could not reach the API after \(attempts) attempt(s): \(message); check OPENAI_BASE_URL and the network"
        case let .malformedResponse(message, attempts):
            return "the API's answer could not be read after \(attempts) attempt(s): \(message); is OPENAI_BASE_URL an OpenAI-compatible endpoint?"
        case let .invalidRequest(message):
            return "invalid request: \(message)"
        case let .inputTooLong(index, tokens, limit):
            return "input \(index) has \(tokens) tokens, more than the model's \(limit): use the truncate or chunk-average long-input policy, or shorten it"
        }
    }

    /// The HTTP status when the server answered with one.
    public var status: Int? {
        if case let .api(status, _, _) = self { return status }
        return nil
    }
}
