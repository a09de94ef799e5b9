import Foundation
import EmbedKitCore
import EmbedKitAssets
import EmbedKitModels
import EmbedKitTokenizers

/// Turns the command line's names into a tokenizer and an embedding model.
public enum DatasetResources {
    /// The tokenizer for `--encoding` or `--model` (default cl100k_base, the OpenAI embedding models' encoding).
    public static func tokenizer(encoding: String?, model: String?) throws -> any Tokenizer {
        let name = try encoding ?? model.map(TiktokenModels.encodingName(forModel:)) ?? DatasetOptions.presetEncoding
        return try TiktokenEncoding.load(name)
    }

    /// The embedding model for `--embedding-model`: a local model name or folder (default all-MiniLM-L6-v2).
    public static func embeddingModel(_ name: String?) async throws -> any EmbeddingModel {
        try await LocalEmbeddingModel.load(name ?? AssetCatalog.allMiniLML6v2.name)
    }
}
