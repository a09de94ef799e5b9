/// Errors from loading a SentencePiece Unigram tokenizer.json; each names the file or field and what to do.
public enum UnigramError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unsupported(path: String, what: String)
    case invalidCharsMap(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read tokenizer file \(path): \(reason). Check that the model folder is complete."
        case .unsupported(let path, let what):
            return "\(path) is not a SentencePiece Unigram tokenizer EmbedKit supports: \(what)."
        case .invalidCharsMap(let reason):
            return "the Precompiled normalizer's precompiled_charsmap is damaged (\(reason)); re-export tokenizer.json with HF `tokenizers`."
        }
    }
}
