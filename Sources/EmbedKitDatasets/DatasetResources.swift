import Foundation
import EmbedKitCore
import EmbedKitAssets
import EmbedKitEmbeddings
import EmbedKitModels
import EmbedKitTokenizers

/// Turns the command line's names into a tokenizer and an embedding model.
public enum DatasetResources {
    /// The tokenizer for `--encoding` or `--model` (default cl100k_base, the OpenAI embedding models' encoding).
    public static func tokenizer(encoding: String?, model: String?) throws -> any Tokenizer {
        let name = try encoding ?? model.map(TiktokenModels.encodingName(forModel:)) ?? DatasetOptions.presetEncoding
        return try TiktokenEncoding.load(name)
    }

    /// The embedding model for `--embedding-model`: one of OpenAI's embedding models (through the
    /// OpenAI-compatible client: `OPENAI_API_KEY`, `OPENAI_BASE_URL`, with the persistent embedding cache so a
    /// rerun makes no calls), else a local model name or folder (default all-MiniLM-L6-v2).
    public static func embeddingModel(_ name: String?,
                                      environment: [String: String] = ProcessInfo.processInfo.environment)
        async throws -> any EmbeddingModel {
        if let name, OpenAIEmbeddingModelInfo.named(name) != nil {
            let configuration = OpenAIConfiguration.fromEnvironment(environment)
            if configuration.apiKey == nil, configuration.baseURL.hasPrefix("https://api.openai.com") {
                throw DatasetError.badOption(
                    "\(name) is OpenAI's model: set OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server such "
                    + "as `embedkit serve`), or use --dry-run for its token count and cost")
            }
            return try OpenAIEmbeddingModel(model: name, configuration: configuration,
                                            tokenizer: try TiktokenEncoding.load("cl100k_base"),
                                            cache: try EmbeddingCache(url: EmbeddingCache.defaultURL()))
        }
        return try await LocalEmbeddingModel.load(name ?? AssetCatalog.allMiniLML6v2.name)
    }
}
