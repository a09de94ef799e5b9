/// What every tokenizer in EmbedKit offers: text to ids and back.
///
/// The tiktoken BPE encodings and the model tokenizers (WordPiece, SentencePiece Unigram) conform, so code
/// that only counts or windows tokens works with any of them.
public protocol Tokenizer: Sendable {
    /// A short name (`cl100k_base`, `bert-wordpiece`, `sentencepiece-unigram`, …).
    var name: String { get }
    /// Number of ids the tokenizer can produce (the largest id + 1).
    var vocabularySize: Int { get }
    /// The ids of `text` without model-specific framing ([CLS]/[SEP], `<s>`/`</s>`).
    ///
    /// Special-token strings written in the text follow the tokenizer's reference library: the tiktoken
    /// encodings treat them as plain text (tiktoken's `encode_ordinary`), while the Hugging Face model
    /// tokenizers (WordPiece, Unigram) recognise their added tokens (`[SEP]`, `<s>`, `<mask>`, …) as HF's
    /// `encode(text, add_special_tokens=False)` does.
    func encodeOrdinary(_ text: String) -> [Int]
    /// The text of `ids`, with invalid UTF-8 replaced by U+FFFD.
    func decodeLossy(_ ids: [Int]) throws -> String
}

extension Tokenizer {
    /// Number of tokens in `text`: `encodeOrdinary(text).count` (so special-token strings count as plain text
    /// for tiktoken encodings, and as the one added token for HF model tokenizers).
    public func count(_ text: String) -> Int { encodeOrdinary(text).count }
}

/// A tokenizer that produces the framed input of an encoder model: `[CLS] … [SEP]` for BERT's WordPiece,
/// `<s> … </s>` for XLM-RoBERTa's Unigram.
public protocol EncoderTokenizer: Tokenizer {
    /// The model input for `text`: the framing tokens around its ids, the ids truncated so the whole is at
    /// most `maxLength` long (HF's `truncation=True, max_length=maxLength`).
    func encode(_ text: String, maxLength: Int) -> [Int32]
}

extension WordPieceTokenizer: EncoderTokenizer {}
