import Foundation

/// Loading the tokenizer of a Hugging Face model folder, whatever its model type.
public enum EncoderTokenizers {
    /// The tokenizer in `url`: a `vocab.txt` is BERT WordPiece; a `tokenizer.json` is read by its
    /// `model.type` (`WordPiece` → ``WordPieceTokenizer``, `Unigram` → ``UnigramTokenizer``).
    public static func load(_ url: URL) throws -> any EncoderTokenizer {
        if url.pathExtension == "txt" { return try WordPieceTokenizer(vocabTxt: url) }
        let (root, vocabulary) = try UnigramTokenizer.readJSON(url)
        let type = (root["model"] as? [String: Any])?["type"] as? String ?? "?"
        switch type {
        case "WordPiece": return try WordPieceTokenizer(tokenizerJSON: url)
        case "Unigram": return try UnigramTokenizer(json: root, vocabulary: vocabulary, path: url.path)
        default:
            throw UnigramError.unsupported(path: url.path, what: "model.type \(type) (EmbedKit reads WordPiece and Unigram tokenizer.json files; tiktoken BPE via --encoding)")
        }
    }
}
