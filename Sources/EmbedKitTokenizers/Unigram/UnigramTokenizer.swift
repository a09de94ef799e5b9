import Foundation

/// A SentencePiece Unigram tokenizer (XLM-RoBERTa, multilingual-e5, T5-style models) read from a Hugging Face
/// `tokenizer.json`, id-for-id identical to HF `tokenizers`: added tokens matched in the raw text → normalizers
/// (Precompiled charsmap, Replace, …) → Metaspace → Unigram Viterbi → the post-processor's framing
/// (`<s> … </s>`).
public struct UnigramTokenizer: EncoderTokenizer {
    public let name = "sentencepiece-unigram"
    public let model: UnigramModel
    public let normalizer: UnigramNormalizer
    /// nil when tokenizer.json has no pre-tokenizer (each normalized segment is one piece).
    public let preTokenizer: MetaspacePreTokenizer?
    /// Ids placed before and after the text by the post-processor (`[0]` and `[2]` for XLM-R).
    public let prefixIds: [Int32]
    public let suffixIds: [Int32]
    /// Id of the padding token (`<pad>`), if the vocabulary has one.
    public let padId: Int32?
    let addedTokens: AddedTokenMatcher
    /// Text of added tokens by id (decode), and which are special (skipped when decoding).
    let addedTokenText: [Int32: (content: String, special: Bool)]

    public var vocabularySize: Int { max(model.vocabularySize, (addedTokenText.keys.max().map { Int($0) + 1 }) ?? 0) }

    /// Loads a tokenizer.json whose model is `Unigram`.
    public init(tokenizerJSON url: URL) throws {
        let (root, vocabulary) = try Self.readJSON(url)
        try self.init(json: root, vocabulary: vocabulary, path: url.path)
    }

    /// The parsed file, with a `[[piece, score], …]` vocab array read exactly by ``UnigramVocabularyScanner``
    /// (and left out of the JSONSerialization pass).
    static func readJSON(_ url: URL) throws -> (root: [String: Any], vocabulary: UnigramVocabularyScanner.Result?) {
        var data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw UnigramError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        let vocabulary = UnigramVocabularyScanner.scan(data)
        if let vocabulary { data.replaceSubrange(vocabulary.range, with: Data("[]".utf8)) }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw UnigramError.unreadable(path: url.path, reason: "not a JSON object")
        }
        return (root, vocabulary)
    }

    init(json root: [String: Any], vocabulary: UnigramVocabularyScanner.Result?, path: String) throws {
        guard let modelJSON = root["model"] as? [String: Any], (modelJSON["type"] as? String) == "Unigram",
              let vocabulary, vocabulary.pieces.count == vocabulary.scores.count, !vocabulary.pieces.isEmpty else {
            throw UnigramError.unsupported(path: path, what: "model.type is not Unigram with a vocab of [piece, score] pairs")
        }
        let pieces = vocabulary.pieces
        let scores = vocabulary.scores
        guard let unk = modelJSON["unk_id"] as? Int, (0..<pieces.count).contains(unk) else {
            throw UnigramError.unsupported(path: path, what: "model.unk_id is missing or outside the vocabulary")
        }
        model = UnigramModel(pieces: pieces, scores: scores, unknownId: unk, byteFallback: modelJSON["byte_fallback"] as? Bool ?? false)
        normalizer = try UnigramNormalizer(json: root["normalizer"] as? [String: Any], path: path)
        preTokenizer = try Self.preTokenizer(root["pre_tokenizer"], path: path)

        var matcherTokens: [AddedTokenMatcher.Token] = []
        var text: [Int32: (String, Bool)] = [:]
        var idsByContent: [String: Int32] = [:]
        for entry in root["added_tokens"] as? [[String: Any]] ?? [] {
            guard let content = entry["content"] as? String, let id = entry["id"] as? Int, !content.isEmpty else { continue }
            let special = entry["special"] as? Bool ?? false
            text[Int32(id)] = (content, special)
            idsByContent[content] = Int32(id)
            guard (entry["normalized"] as? Bool) == false || special else {
                throw UnigramError.unsupported(path: path, what: "added token '\(content)' with normalized: true")
            }
            matcherTokens.append(.init(content: Array(content.utf8), id: Int32(id), leftStrip: entry["lstrip"] as? Bool ?? false,
                                       rightStrip: entry["rstrip"] as? Bool ?? false, singleWord: entry["single_word"] as? Bool ?? false))
        }
        addedTokens = AddedTokenMatcher(matcherTokens)
        addedTokenText = text
        padId = idsByContent["<pad>"] ?? pieces.firstIndex(of: "<pad>").map(Int32.init)
        (prefixIds, suffixIds) = try Self.framing(root["post_processor"], tokenIds: { content in
            idsByContent[content] ?? pieces.firstIndex(of: content).map(Int32.init)
        }, path: path)
    }

    static func preTokenizer(_ json: Any?, path: String) throws -> MetaspacePreTokenizer? {
        guard let json = json as? [String: Any] else { return nil }
        switch json["type"] as? String {
        case "Metaspace":
            return try MetaspacePreTokenizer(json: json, path: path)
        case "Sequence":
            let inner = json["pretokenizers"] as? [[String: Any]] ?? []
            if inner.count == 1 { return try preTokenizer(inner[0], path: path) }
            fallthrough
        default:
            throw UnigramError.unsupported(path: path, what: "pre_tokenizer \(json["type"] ?? "?") (supported: Metaspace)")
        }
    }

    /// The ids before and after the sequence in the post-processor's single-sequence template.
    static func framing(_ json: Any?, tokenIds: (String) -> Int32?, path: String) throws -> ([Int32], [Int32]) {
        guard let json = json as? [String: Any] else { return ([], []) }
        func pair(_ key: String) throws -> Int32 {
            guard let value = json[key] as? [Any], value.count == 2, let id = value[1] as? Int else {
                throw UnigramError.unsupported(path: path, what: "post_processor.\(key) is not a [token, id] pair")
            }
            return Int32(id)
        }
        switch json["type"] as? String {
        case "RobertaProcessing", "BertProcessing":
            return ([try pair("cls")], [try pair("sep")])
        case "TemplateProcessing":
            let specials = json["special_tokens"] as? [String: [String: Any]] ?? [:]
            var before: [Int32] = [], after: [Int32] = []
            var seenSequence = false
            for item in json["single"] as? [[String: Any]] ?? [] {
                if item["Sequence"] != nil { seenSequence = true; continue }
                guard let special = item["SpecialToken"] as? [String: Any], let name = special["id"] as? String else { continue }
                let ids = (specials[name]?["ids"] as? [Int])?.map(Int32.init) ?? tokenIds(name).map { [$0] }
                guard let ids else { throw UnigramError.unsupported(path: path, what: "post_processor special token \(name) has no id") }
                if seenSequence { after += ids } else { before += ids }
            }
            return (before, after)
        case "Sequence":
            for inner in json["processors"] as? [[String: Any]] ?? [] {
                let (b, a) = try framing(inner, tokenIds: tokenIds, path: path)
                if !b.isEmpty || !a.isEmpty { return (b, a) }
            }
            return ([], [])
        case "ByteLevel":
            return ([], [])
        default:
            throw UnigramError.unsupported(path: path, what: "post_processor \(json["type"] ?? "?") (supported: TemplateProcessing, RobertaProcessing, BertProcessing)")
        }
    }

    /// Reusable buffers for encoding.
    struct Scratch {
        var pieces: [UInt8] = []
        var ends: [Int] = []
        var lattice = UnigramModel.Lattice()
    }

    /// HF's `encode(text, add_special_tokens=False).ids` (added tokens written in the text are recognised).
    public func encodeOrdinary(_ text: String) -> [Int] {
        var ids: [Int32] = []
        var scratch = Scratch()
        appendIds(of: text, to: &ids, limit: Int.max, scratch: &scratch)
        return ids.map(Int.init)
    }

    /// The framed model input: `<s> ids </s>` with the ids truncated so the whole fits in `maxLength`.
    public func encode(_ text: String, maxLength: Int) -> [Int32] {
        var scratch = Scratch()
        let room = max(0, maxLength - prefixIds.count - suffixIds.count)
        var ids: [Int32] = prefixIds
        appendIds(of: text, to: &ids, limit: prefixIds.count + room, scratch: &scratch)
        if ids.count > prefixIds.count + room { ids.removeLast(ids.count - prefixIds.count - room) }
        return ids + suffixIds
    }

    /// Appends ids until `ids` holds at least `limit` (truncation never needs the rest).
    func appendIds(of text: String, to ids: inout [Int32], limit: Int, scratch: inout Scratch) {
        var text = text
        text.withUTF8 { utf8 in
            var segmentStart = 0
            for match in addedTokens.matches(in: utf8) {
                if ids.count >= limit { return }
                appendSegment(utf8, segmentStart..<match.range.lowerBound, to: &ids, limit: limit, scratch: &scratch)
                if ids.count < limit { ids.append(match.id) }
                segmentStart = match.range.upperBound
            }
            appendSegment(utf8, segmentStart..<utf8.count, to: &ids, limit: limit, scratch: &scratch)
        }
    }

    private func appendSegment(_ utf8: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to ids: inout [Int32], limit: Int,
                               scratch: inout Scratch) {
        guard !range.isEmpty, ids.count < limit else { return }
        let raw = String(decoding: UnsafeBufferPointer(rebasing: utf8[range]), as: UTF8.self)
        let normalized = normalizer.steps.isEmpty ? raw : normalizer.normalize(raw[...])
        guard !normalized.isEmpty else { return }
        if let preTokenizer {
            // HF's `first` scheme prepends only when the normalized text still starts at original offset 0: not
            // after an added token, nor when normalization removed the first character (Strip, a dropped control).
            var atTextStart = range.lowerBound == 0
            if atTextStart && preTokenizer.prependScheme == .first, let first = raw.first {
                atTextStart = !normalizer.normalize(String(first)[...]).isEmpty
            }
            preTokenizer.apply(normalized, atTextStart: atTextStart, into: &scratch.pieces, ends: &scratch.ends)
        } else {
            scratch.pieces = Array(normalized.utf8)
            scratch.ends = [scratch.pieces.count]
        }
        scratch.pieces.withUnsafeBufferPointer { bytes in
            var start = 0
            for end in scratch.ends {
                if ids.count >= limit { return }
                model.appendIds(of: UnsafeBufferPointer(rebasing: bytes[start..<end]), to: &ids, lattice: &scratch.lattice)
                start = end
            }
        }
    }

    /// The text of `ids` as HF decodes it with `skip_special_tokens=True`: pieces joined, `<0xXX>` byte pieces
    /// as bytes, `▁` as a space, the prepended space of the first piece removed.
    public func decodeLossy(_ ids: [Int]) throws -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if let added = addedTokenText[Int32(id)] {
                if !added.special { bytes.append(contentsOf: added.content.utf8) }
                continue
            }
            guard id >= 0 && id < model.vocabularySize else { continue }
            let piece = model.piece(id)
            if model.byteFallback, piece.count == 6, piece.starts(with: Array("<0x".utf8)), piece.last == UInt8(ascii: ">"),
               let byte = UInt8(String(decoding: piece.dropFirst(3).prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(byte)
            } else {
                bytes.append(contentsOf: piece)
            }
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if let preTokenizer {
            text = text.replacingOccurrences(of: String(decoding: preTokenizer.replacement, as: UTF8.self), with: " ")
            if preTokenizer.prependScheme != .never && text.hasPrefix(" ") { text.removeFirst() }
        }
        return text
    }
}
