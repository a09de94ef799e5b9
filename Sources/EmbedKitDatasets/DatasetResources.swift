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
        if let name, EmbeddingCost.prices.contains(where: { $0.model == name }) {
            // The OpenAI-compatible client (EmbedKitEmbeddings) plugs in here once it is part of the build.
            throw DatasetError.badOption(
                "\(name) needs the OpenAI-compatible client, which this build's dataset jobs do not include yet; "
                + "use --dry-run for its token count and cost, or a local model (all-MiniLM-L6-v2 or a model folder)")
        }
        return try await LocalEmbeddingModel.load(name ?? AssetCatalog.allMiniLML6v2.name)
    }
}
