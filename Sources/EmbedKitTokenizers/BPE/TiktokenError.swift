/// Errors from loading, encoding and decoding with tiktoken encodings. Each says what to do next.
public enum TiktokenError: Error, CustomStringConvertible, Equatable {
    case unknownEncoding(String, known: [String])
    case unknownModel(String, knownPrefixes: [String])
    case vocabularyHashMismatch(path: String, expected: String, actual: String)
    case unreadableVocabulary(path: String, reason: String)
    case malformedVocabulary(name: String, line: Int, reason: String)
    case disallowedSpecialToken(String, byteOffset: Int)
    case unknownToken(Int)
    case invalidUTF8(byteOffset: Int)
    case invalidWindow(size: Int, overlap: Int)

    public var description: String {
        switch self {
        case .unknownEncoding(let name, let known):
            return "unknown encoding '\(name)'; known encodings: \(known.joined(separator: ", "))"
        case .unknownModel(let name, let known):
            return "no known encoding for model '\(name)'; pass --encoding (one of cl100k_base, o200k_base, p50k_base, r50k_base) or a known model such as \(known.prefix(8).joined(separator: ", "))"
        case .vocabularyHashMismatch(let path, let expected, let actual):
            return "refusing vocabulary \(path): sha256 is \(actual), expected \(expected). The file is corrupt or not the official one; run `embedkit assets fetch` to restore it."
        case .unreadableVocabulary(let path, let reason):
            return "cannot read vocabulary \(path): \(reason)"
        case .malformedVocabulary(let name, let line, let reason):
            return "vocabulary \(name) is malformed at line \(line): \(reason)"
        case .disallowedSpecialToken(let token, let offset):
            return "the text contains the special token '\(token)' at byte \(offset), which is not allowed; allow it (allowedSpecial: .all / --allowed-special all) or encode it as plain text (encodeOrdinary)"
        case .unknownToken(let id):
            return "token id \(id) is not in this encoding's vocabulary"
        case .invalidUTF8(let offset):
            return "invalid UTF-8 at byte offset \(offset); decode lossily (decodeLossy / --lossy) to replace it with U+FFFD"
        case .invalidWindow(let size, let overlap):
            return "invalid token window: size \(size) must be > 0 and overlap \(overlap) must be in 0..<size"
        }
    }
}
