import Foundation

/// The normalizers of a SentencePiece tokenizer.json that EmbedKit applies, in order (a `Sequence` is
/// flattened): `Precompiled`, `Replace`, `Strip`, `NFC`/`NFD`/`NFKC`/`NFKD`, `Lowercase`, `Prepend`.
public struct UnigramNormalizer: Sendable {
    public enum Step: Sendable {
        case precompiled(PrecompiledCharsMap)
        /// Every run of `character` at least `minimum` long becomes `content` (HF `Replace` with a regex such
        /// as `" {2,}"`).
        case collapseRuns(character: UInt8, minimum: Int, content: String)
        /// Every occurrence of `pattern` (left to right, non-overlapping) becomes `content`.
        case replaceLiteral(pattern: String, content: String)
        /// A general regex `Replace`.
        case replaceRegex(pattern: String, content: String)
        case strip(left: Bool, right: Bool)
        case nfc, nfd, nfkc, nfkd
        case lowercase
        case prepend(String)
    }

    public let steps: [Step]

    public init(steps: [Step]) { self.steps = steps }

    /// Parses tokenizer.json's `normalizer` object (nil → no steps).
    init(json: [String: Any]?, path: String) throws {
        var steps: [Step] = []
        func add(_ n: [String: Any]) throws {
            let type = n["type"] as? String ?? "?"
            switch type {
            case "Sequence":
                for inner in n["normalizers"] as? [[String: Any]] ?? [] { try add(inner) }
            case "Precompiled":
                guard let blob = n["precompiled_charsmap"] as? String else {
                    if n["precompiled_charsmap"] is NSNull { return }  // HF: a null charsmap normalizes nothing
                    throw UnigramError.unsupported(path: path, what: "Precompiled normalizer without precompiled_charsmap")
                }
                if !blob.isEmpty { steps.append(.precompiled(try PrecompiledCharsMap(base64: blob))) }
            case "Replace":
                let pattern = n["pattern"] as? [String: Any] ?? [:]
                let content = n["content"] as? String ?? ""
                if let literal = pattern["String"] as? String {
                    if !literal.isEmpty { steps.append(.replaceLiteral(pattern: literal, content: content)) }
                } else if let regex = pattern["Regex"] as? String {
                    steps.append(Self.runStep(regex: regex, content: content) ?? .replaceRegex(pattern: regex, content: content))
                } else {
                    throw UnigramError.unsupported(path: path, what: "Replace normalizer without a String or Regex pattern")
                }
            case "Strip":
                steps.append(.strip(left: n["strip_left"] as? Bool ?? true, right: n["strip_right"] as? Bool ?? true))
            case "NFC": steps.append(.nfc)
            case "NFD": steps.append(.nfd)
            case "NFKC": steps.append(.nfkc)
            case "NFKD": steps.append(.nfkd)
            case "Lowercase": steps.append(.lowercase)
            case "Prepend": steps.append(.prepend(n["prepend"] as? String ?? ""))
            default:
                throw UnigramError.unsupported(path: path, what: "normalizer \(type) (supported: Sequence, Precompiled, Replace, Strip, NFC, NFD, NFKC, NFKD, Lowercase, Prepend)")
            }
        }
        if let json { try add(json) }
        self.steps = steps
    }

    /// `"X{n,}"` with X a single ASCII character → a run collapse (no regex engine needed).
    static func runStep(regex: String, content: String) -> Step? {
        let scalars = Array(regex.unicodeScalars)
        guard scalars.count >= 5, scalars[0].isASCII, !"\\.^$|?*+()[]{}".unicodeScalars.contains(scalars[0]),
              scalars[1] == "{", scalars[scalars.count - 2] == ",", scalars.last == "}",
              let minimum = Int(String(String.UnicodeScalarView(scalars[2..<(scalars.count - 2)]))), minimum >= 1 else { return nil }
        return .collapseRuns(character: UInt8(scalars[0].value), minimum: minimum, content: content)
    }

    /// The normalized text of `text`.
    public func normalize(_ text: Substring) -> String {
        var current = String(text)
        var bytes: [UInt8] = []
        for step in steps {
            switch step {
            case .precompiled(let map):
                bytes.removeAll(keepingCapacity: true)
                map.apply(current[...], into: &bytes)
                current = String(decoding: bytes, as: UTF8.self)
            case .collapseRuns(let character, let minimum, let content):
                current = Self.collapse(current, character: character, minimum: minimum, content: content)
            case .replaceLiteral(let pattern, let content):
                current = current.replacingOccurrences(of: pattern, with: content, options: .literal)
            case .replaceRegex(let pattern, let content):
                if let regex = try? NSRegularExpression(pattern: pattern) {
                    let range = NSRange(current.startIndex..., in: current)
                    current = regex.stringByReplacingMatches(in: current, range: range,
                                                             withTemplate: NSRegularExpression.escapedTemplate(for: content))
                }
            case .strip(let left, let right):
                var scalars = Substring.UnicodeScalarView(current.unicodeScalars)
                if left { while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() } }
                if right { while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() } }
                current = String(scalars)
            case .nfc: current = current.precomposedStringWithCanonicalMapping
            case .nfd: current = current.decomposedStringWithCanonicalMapping
            case .nfkc: current = current.precomposedStringWithCompatibilityMapping
            case .nfkd: current = current.decomposedStringWithCompatibilityMapping
            case .lowercase:
                var out = String.UnicodeScalarView()
                for scalar in current.unicodeScalars { out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars) }
                current = String(out)
            case .prepend(let prefix):
                if !current.isEmpty { current = prefix + current }
            }
        }
        return current
    }

    static func collapse(_ text: String, character: UInt8, minimum: Int, content: String) -> String {
        var utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        var changed = false
        while i < utf8.count {
            guard utf8[i] == character else { out.append(utf8[i]); i += 1; continue }
            var j = i
            while j < utf8.count && utf8[j] == character { j += 1 }
            if j - i >= minimum { out.append(contentsOf: content.utf8); changed = true } else { out.append(contentsOf: utf8[i..<j]) }
            i = j
        }
        if !changed { return text }
        utf8 = out
        return String(decoding: utf8, as: UTF8.self)
    }
}
