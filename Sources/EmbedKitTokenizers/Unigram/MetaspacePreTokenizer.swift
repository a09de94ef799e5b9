/// HF's `Metaspace` pre-tokenizer: spaces become the replacement character (`▁`), a `▁` is prepended
/// (always, to the first segment only, or never), and with `split` the text is cut before each `▁`.
public struct MetaspacePreTokenizer: Sendable {
    public enum PrependScheme: String, Sendable { case always, first, never }

    public let replacement: [UInt8]
    public let prependScheme: PrependScheme
    public let split: Bool

    public init(replacement: String = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = Array(replacement.utf8)
        self.prependScheme = prependScheme
        self.split = split
    }

    /// Parses tokenizer.json's Metaspace object (legacy `add_prefix_space` → always / never).
    init(json: [String: Any], path: String) throws {
        let replacement = json["replacement"] as? String ?? "\u{2581}"
        guard replacement.unicodeScalars.count == 1 else {
            throw UnigramError.unsupported(path: path, what: "Metaspace replacement '\(replacement)' (one character expected)")
        }
        var scheme = PrependScheme.always
        if let name = json["prepend_scheme"] as? String {
            guard let parsed = PrependScheme(rawValue: name) else {
                throw UnigramError.unsupported(path: path, what: "Metaspace prepend_scheme '\(name)'")
            }
            scheme = parsed
        } else if let add = json["add_prefix_space"] as? Bool {
            scheme = add ? .always : .never
        }
        self.init(replacement: replacement, prependScheme: scheme, split: json["split"] as? Bool ?? true)
    }

    /// Writes the pre-tokenized form of `normalized` into `out` and the end offset of each piece into `ends`.
    /// `atTextStart`: the segment begins the input (the `first` scheme prepends only there).
    func apply(_ normalized: String, atTextStart: Bool, into out: inout [UInt8], ends: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        let utf8 = normalized.utf8
        guard !utf8.isEmpty else { return }
        // HF replaces spaces first, then prepends only if the result does not start with the replacement.
        let startsWithReplacement = utf8.first == 0x20 || utf8.starts(with: replacement)
        if !startsWithReplacement && (prependScheme == .always || (prependScheme == .first && atTextStart)) {
            out.append(contentsOf: replacement)
        }
        for byte in utf8 {
            if byte == 0x20 { out.append(contentsOf: replacement) } else { out.append(byte) }
        }
        guard split else { ends.append(out.count); return }
        let r0 = replacement[0], n = replacement.count
        var i = 0
        while i < out.count {
            if out[i] == r0 && i > 0 && i + n <= out.count && out[i..<(i + n)].elementsEqual(replacement) {
                ends.append(i)
            }
            i += 1
        }
        ends.append(out.count)
    }
}
