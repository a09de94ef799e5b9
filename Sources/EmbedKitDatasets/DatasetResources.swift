import Foundation
import EmbedKitCore
import EmbedKitTokenizers

/// Turns the command line's names into a tokenizer and an embedding model.
public enum DatasetResources {
    /// Which tiktoken encoding an OpenAI model uses (REFERENCE.md: the -3 and ada-002 embedding models, gpt-4
    /// and gpt-3.5-turbo use cl100k_base; gpt-4o and later use o200k_base).
    public static func encodingName(forModel model: String) throws -> String {
        let cl100k = ["text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002", "gpt-4", "gpt-3.5-turbo"]
        if cl100k.contains(where: { model == $0 || model.hasPrefix($0 + "-") }) && !model.hasPrefix("gpt-4o") { return "cl100k_base" }
        if model.hasPrefix("gpt-4o") || model.hasPrefix("gpt-4.1") || model.hasPrefix("gpt-5") || model.hasPrefix("o1")
            || model.hasPrefix("o3") || model.hasPrefix("o4") { return "o200k_base" }
        throw DatasetError.badOption("no known encoding for model \"\(model)\"; give --encoding cl100k_base or o200k_base")
    }

    /// The tokenizer for `--encoding` or `--model` (default cl100k_base).
    public static func tokenizer(encoding: String?, model: String?) throws -> any Tokenizer {
        let name = try encoding ?? model.map(encodingName(forModel:)) ?? DatasetOptions.presetEncoding
        throw DatasetError.badOption("the tiktoken encoding \(name) is not built into this EmbedKit yet")
    }

    /// The embedding model for `--embedding-model` (default all-MiniLM-L6-v2).
    public static func embeddingModel(_ name: String?) async throws -> any EmbeddingModel {
        throw DatasetError.badOption("embedding model \(name ?? "all-MiniLM-L6-v2") is not built into this EmbedKit yet")
    }
}
