import Foundation

/// Errors from loading a WordPiece tokenizer; each names the file and what to check.
public enum WordPieceError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unsupported(path: String, what: String)
    case missingToken(path: String, token: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read tokenizer file \(path): \(reason). Check that the model folder is complete (`embedkit models fetch`)."
        case .unsupported(let path, let what):
            return "\(path) is not a BERT WordPiece tokenizer EmbedKit supports: \(what)."
        case .missingToken(let path, let token):
            return "\(path) has no \(token) token in its vocabulary; a BERT tokenizer needs it."
        }
    }
}

/// Padded token ids and attention masks for a batch, row-major `[count, length]`.
public struct TokenBatch: Sendable {
    /// Number of rows.
    public let count: Int
    /// Columns: the longest row's length (rows are padded with `padId`).
    public let length: Int
    /// `count × length` token ids.
    public let ids: [Int32]
    /// `count × length`: 1 for real tokens, 0 for padding.
    public let attentionMask: [Int32]
    /// Real tokens per row.
    public let lengths: [Int]
}

/// BERT's WordPiece tokenizer, id-for-id identical to HF `tokenizers` for the same `tokenizer.json`:
/// added tokens matched in the raw text → BertNormalizer → BertPreTokenizer (whitespace split, punctuation
/// isolated) → greedy longest-match WordPiece with `[UNK]` → `[CLS] … [SEP]` framing and truncation.
public struct WordPieceTokenizer: Tokenizer {
    public let name: String
    public let normalizer: BertNormalizer
    /// Words longer than this many scalars become `[UNK]` (HF default 100).
    public let maxInputCharsPerWord: Int
    public let unknownId: Int32
    public let clsId: Int32
    public let sepId: Int32
    public let padId: Int32
    let vocabulary: WordPieceVocabulary
    let continuationPrefix: String
    /// Added tokens matched verbatim in the raw text before normalization (content, id), longest first.
    let addedTokens: [(content: [UInt8], id: Int32)]

    public var vocabularySize: Int { vocabulary.tokens.count }

    /// Loads `tokenizer.json` (HF `tokenizers` format with a WordPiece model and BertNormalizer).
    public init(tokenizerJSON url: URL) throws {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw WordPieceError.unreadable(path: path, reason: "\(error.localizedDescription)") }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw WordPieceError.unreadable(path: path, reason: "not a JSON object")
        }
        guard let model = root["model"] as? [String: Any], (model["type"] as? String) == "WordPiece",
              let vocab = model["vocab"] as? [String: Int] else {
            throw WordPieceError.unsupported(path: path, what: "model.type is not WordPiece")
        }
        var normalizer = BertNormalizer()
        if let n = root["normalizer"] as? [String: Any] {
            guard (n["type"] as? String) == "BertNormalizer" else {
                throw WordPieceError.unsupported(path: path, what: "normalizer \(n["type"] ?? "?") (only BertNormalizer)")
            }
            let lowercase = n["lowercase"] as? Bool ?? true
            normalizer = BertNormalizer(cleanText: n["clean_text"] as? Bool ?? true,
                                        handleChineseChars: n["handle_chinese_chars"] as? Bool ?? true,
                                        stripAccents: n["strip_accents"] as? Bool, lowercase: lowercase)
        }
        if let p = root["pre_tokenizer"] as? [String: Any], (p["type"] as? String) != "BertPreTokenizer" {
            throw WordPieceError.unsupported(path: path, what: "pre_tokenizer \(p["type"] ?? "?") (only BertPreTokenizer)")
        }
        var tokens = [String](repeating: "", count: (vocab.values.max() ?? -1) + 1)
        for (token, id) in vocab where id >= 0 { tokens[id] = token }
        var added: [([UInt8], Int32)] = []
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            guard let content = entry["content"] as? String, let id = entry["id"] as? Int, !content.isEmpty else { continue }
            if id >= tokens.count { tokens += [String](repeating: "", count: id + 1 - tokens.count) }
            if tokens[id].isEmpty { tokens[id] = content }
            if (entry["normalized"] as? Bool) == false { added.append((Array(content.utf8), Int32(id))) }
        }
        try self.init(name: "bert-wordpiece", tokens: tokens, normalizer: normalizer,
                      unknownToken: model["unk_token"] as? String ?? "[UNK]",
                      continuationPrefix: model["continuing_subword_prefix"] as? String ?? "##",
                      maxInputCharsPerWord: model["max_input_chars_per_word"] as? Int ?? 100,
                      addedTokens: added, path: path)
    }

    /// Loads a `vocab.txt` (one token per line, id = line number) with BERT's defaults: every `[…]` special
    /// token of the vocabulary is matched verbatim in the text, as `BertTokenizerFast` does.
    public init(vocabTxt url: URL, normalizer: BertNormalizer = BertNormalizer()) throws {
        let path = url.path
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw WordPieceError.unreadable(path: path, reason: "missing or not UTF-8")
        }
        var tokens = text.components(separatedBy: "\n")
        if tokens.last == "" { tokens.removeLast() }
        tokens = tokens.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        let added = tokens.enumerated().filter { specials.contains($0.element) }.map { (Array($0.element.utf8), Int32($0.offset)) }
        try self.init(name: "bert-wordpiece", tokens: tokens, normalizer: normalizer, unknownToken: "[UNK]",
                      continuationPrefix: "##", maxInputCharsPerWord: 100, addedTokens: added, path: path)
    }

    init(name: String, tokens: [String], normalizer: BertNormalizer, unknownToken: String, continuationPrefix: String,
         maxInputCharsPerWord: Int, addedTokens: [([UInt8], Int32)], path: String) throws {
        self.name = name
        self.normalizer = normalizer
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.continuationPrefix = continuationPrefix
        let vocabulary = WordPieceVocabulary(tokens: tokens, continuationPrefix: continuationPrefix)
        self.vocabulary = vocabulary
        guard let unk = vocabulary.id(of: unknownToken) else { throw WordPieceError.missingToken(path: path, token: unknownToken) }
        guard let cls = vocabulary.id(of: "[CLS]") else { throw WordPieceError.missingToken(path: path, token: "[CLS]") }
        guard let sep = vocabulary.id(of: "[SEP]") else { throw WordPieceError.missingToken(path: path, token: "[SEP]") }
        unknownId = unk
        clsId = cls
        sepId = sep
        padId = vocabulary.id(of: "[PAD]") ?? 0
        self.addedTokens = addedTokens.sorted { $0.0.count > $1.0.count }.map { (content: $0.0, id: $0.1) }
    }

    /// The ids of `text` without `[CLS]`/`[SEP]` — HF's `encode(text, add_special_tokens=False).ids`
    /// (special tokens written in the text, such as `[SEP]`, are recognised as HF does).
    public func encodeOrdinary(_ text: String) -> [Int] {
        var ids: [Int32] = []
        var scratch = Scratch()
        appendIds(of: text, to: &ids, limit: Int.max, scratch: &scratch)
        return ids.map(Int.init)
    }

    /// `[CLS] ids [SEP]`, with the text's ids truncated so the whole fits in `maxLength` (as HF truncation does).
    public func encode(_ text: String, maxLength: Int = 512) -> [Int32] {
        var scratch = Scratch()
        return encode(text, maxLength: maxLength, scratch: &scratch)
    }

    /// Reusable buffers so encoding many texts allocates nothing per word.
    struct Scratch {
        var scalars: [UInt32] = []
        var bytes: [UInt8] = []
        var wordIds: [Int32] = []
    }

    func encode(_ text: String, maxLength: Int, scratch: inout Scratch) -> [Int32] {
        var ids: [Int32] = [clsId]
        ids.reserveCapacity(min(maxLength, text.utf8.count + 2))
        appendIds(of: text, to: &ids, limit: max(0, maxLength - 2) + 1, scratch: &scratch)
        if ids.count > maxLength - 1 { ids.removeLast(ids.count - max(1, maxLength - 1)) }
        ids.append(sepId)
        return ids
    }

    /// Framed, truncated, padded ids and attention masks for `texts`.
    public func batch(_ texts: [String], maxLength: Int = 512) -> TokenBatch {
        var scratch = Scratch()
        let rows = texts.map { encode($0, maxLength: maxLength, scratch: &scratch) }
        let length = rows.map(\.count).max() ?? 0
        var ids = [Int32](repeating: padId, count: rows.count * length)
        var mask = [Int32](repeating: 0, count: rows.count * length)
        for (r, row) in rows.enumerated() {
            for (j, id) in row.enumerated() {
                ids[r * length + j] = id
                mask[r * length + j] = 1
            }
        }
        return TokenBatch(count: rows.count, length: length, ids: ids, attentionMask: mask, lengths: rows.map(\.count))
    }

    /// Appends ids to `ids` until it holds `limit` ids (stops early: truncation never needs the rest).
    func appendIds(of text: String, to ids: inout [Int32], limit: Int, scratch: inout Scratch) {
        if addedTokens.isEmpty {
            appendPlainIds(of: text[...], to: &ids, limit: limit, scratch: &scratch)
            return
        }
        let utf8 = text.utf8
        var segmentStart = utf8.startIndex
        var i = utf8.startIndex
        while i < utf8.endIndex && ids.count < limit {
            var matched: (Int32, String.Index)? = nil
            for token in addedTokens where token.content[0] == utf8[i] {
                var j = i
                var k = 0
                while k < token.content.count && j < utf8.endIndex && utf8[j] == token.content[k] { j = utf8.index(after: j); k += 1 }
                if k == token.content.count { matched = (token.id, j); break }
            }
            if let (id, end) = matched {
                appendPlainIds(of: text[segmentStart..<i], to: &ids, limit: limit, scratch: &scratch)
                if ids.count < limit { ids.append(id) }
                segmentStart = end
                i = end
            } else {
                i = utf8.index(after: i)
            }
        }
        appendPlainIds(of: text[segmentStart..<utf8.endIndex], to: &ids, limit: limit, scratch: &scratch)
    }

    private func appendPlainIds(of text: Substring, to ids: inout [Int32], limit: Int, scratch: inout Scratch) {
        guard !text.isEmpty, ids.count < limit else { return }
        scratch.scalars.removeAll(keepingCapacity: true)
        normalizer.normalize(text, into: &scratch.scalars)
        let classes = BertCharacterClasses.shared
        var wordStart = 0
        let scalars = scratch.scalars
        var i = 0
        while i < scalars.count {
            let flags = classes.flags(scalars[i])
            if flags.contains(.preTokenizerWhitespace) {
                if i > wordStart { appendWord(scalars, wordStart..<i, to: &ids, scratch: &scratch) }
                wordStart = i + 1
            } else if flags.contains(.punctuation) {
                if i > wordStart { appendWord(scalars, wordStart..<i, to: &ids, scratch: &scratch) }
                appendWord(scalars, i..<(i + 1), to: &ids, scratch: &scratch)
                wordStart = i + 1
            }
            if ids.count >= limit { return }
            i += 1
        }
        if scalars.count > wordStart { appendWord(scalars, wordStart..<scalars.count, to: &ids, scratch: &scratch) }
    }

    private func appendWord(_ scalars: [UInt32], _ range: Range<Int>, to ids: inout [Int32], scratch: inout Scratch) {
        if range.count > maxInputCharsPerWord {
            ids.append(unknownId)
            return
        }
        scratch.bytes.removeAll(keepingCapacity: true)
        for k in range { Self.appendUTF8(scalars[k], to: &scratch.bytes) }
        scratch.wordIds.removeAll(keepingCapacity: true)
        let known: Bool = scratch.bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            var root: Int32 = 0
            while start < bytes.count {
                guard root >= 0, let match = vocabulary.longestMatch(bytes, from: start, root: root) else { return false }
                scratch.wordIds.append(match.id)
                start = match.end
                root = vocabulary.continuationRoot
            }
            return true
        }
        if known { ids.append(contentsOf: scratch.wordIds) } else { ids.append(unknownId) }
    }

    @inline(__always)
    static func appendUTF8(_ c: UInt32, to bytes: inout [UInt8]) {
        switch c {
        case 0..<0x80: bytes.append(UInt8(c))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (c >> 6))); bytes.append(UInt8(0x80 | (c & 0x3F)))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | (c >> 12))); bytes.append(UInt8(0x80 | ((c >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (c & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | (c >> 18))); bytes.append(UInt8(0x80 | ((c >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((c >> 6) & 0x3F))); bytes.append(UInt8(0x80 | (c & 0x3F)))
        }
    }

    /// The text of `ids` as HF's WordPiece decoder gives it: continuation pieces glued, others space-separated,
    /// with the usual clean-up of spaces before punctuation.
    public func decodeLossy(_ ids: [Int]) throws -> String {
        var out = ""
        for (n, id) in ids.enumerated() {
            guard id >= 0, id < vocabulary.tokens.count else { continue }
            let token = vocabulary.tokens[id]
            if n > 0 && token.hasPrefix(continuationPrefix) {
                out += token.dropFirst(continuationPrefix.count)
            } else {
                if n > 0 { out += " " }
                out += token
            }
        }
        for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                           (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            out = out.replacingOccurrences(of: from, with: to)
        }
        return out
    }
}
