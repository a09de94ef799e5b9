import EmbedKitModels
import Foundation

/// Loads local models by name or folder, ready to serve.
public enum ServedModels {
    /// Each name or path as a ``ServedModel`` (its WordPiece tokenizer counts `usage`; its synchronous embedding
    /// runs on a thread of its own, off Swift's cooperative pool).
    public static func load(_ namesOrPaths: [String]) async throws -> [ServedModel] {
        var served: [ServedModel] = []
        for nameOrPath in namesOrPaths {
            served.append(ServedModel(local: try await LocalEmbeddingModel.load(nameOrPath)))
        }
        return served
    }
}

extension ServedModel {
    /// A local model, embedded through its blocking entry point on a dispatch thread.
    public init(id: String? = nil, local model: LocalEmbeddingModel) {
        self.init(id: id, model: model, tokenizer: model.tokenizer, blockingEmbed: { try model.embedSync($0) })
    }
}
