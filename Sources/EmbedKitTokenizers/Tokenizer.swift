/// What every tokenizer in EmbedKit offers: text to ids and back.
///
/// The tiktoken BPE encodings and the model tokenizers (WordPiece, SentencePiece Unigram) conform, so code
/// that only counts or windows tokens works with any of them.
public protocol Tokenizer: Sendable {
    /// A short name (`cl100k_base`, `bert-wordpiece`, …).
    var name: String { get }
    /// Number of ids the tokenizer can produce (the largest id + 1).
    var vocabularySize: Int { get }
    /// The ids of `text` with no special-token handling and no model-specific framing ([CLS]/[SEP]).
    func encodeOrdinary(_ text: String) -> [Int]
    /// The text of `ids`, with invalid UTF-8 replaced by U+FFFD.
    func decodeLossy(_ ids: [Int]) throws -> String
}

extension Tokenizer {
    /// Number of tokens in `text` (plain text; special-token strings count as ordinary text).
    public func count(_ text: String) -> Int { encodeOrdinary(text).count }
}
