/// Anything that turns texts into vectors: the local models and the OpenAI-compatible client both conform.
///
/// Implementations are thread-safe and loaded once; `embed` may be called concurrently.
public protocol EmbeddingModel: Sendable {
    /// The model's name as users and the HTTP API refer to it (e.g. `all-MiniLM-L6-v2`).
    var name: String { get }
    /// Length of the vectors `embed` returns.
    var dimension: Int { get }
    /// The most tokens one input may hold; longer inputs are truncated or chunked as the model documents.
    var maxTokens: Int { get }
    /// Embeds each text; the result has one vector per text, in order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}
