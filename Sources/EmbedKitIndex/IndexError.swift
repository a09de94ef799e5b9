/// Why an index operation failed, with what to do next.
public enum IndexError: Error, CustomStringConvertible, Equatable {
    case dimensionMismatch(expected: Int, got: Int)
    case invalidDimension(Int)
    case idCountMismatch(vectors: Int, ids: Int)
    case duplicateID(UInt64)
    case unsupported(String)
    case cannotOpen(path: String, reason: String)
    case notAnIndex(path: String)
    case unsupportedVersion(path: String, version: UInt32)
    case truncated(path: String, expected: Int, actual: Int)
    case checksumMismatch(path: String)
    case corrupt(path: String, reason: String)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let expected, let got):
            return "vector dimension \(got) does not match the index dimension \(expected): embed with the same model"
        case .invalidDimension(let d):
            return "dimension \(d) is not valid: it must be between 1 and 65536"
        case .idCountMismatch(let vectors, let ids):
            return "\(vectors) vectors but \(ids) ids: pass exactly one id per vector"
        case .duplicateID(let id):
            return "id \(id) is already in the index: delete it first or use a new id"
        case .unsupported(let what):
            return "\(what) is not supported"
        case .cannotOpen(let path, let reason):
            return "cannot open index \(path): \(reason)"
        case .notAnIndex(let path):
            return "\(path) is not an EmbedKit index (bad magic): check the path"
        case .unsupportedVersion(let path, let version):
            return "\(path) has index format version \(version), which this EmbedKit cannot read: rebuild the index"
        case .truncated(let path, let expected, let actual):
            return "\(path) is truncated (\(actual) of \(expected) bytes): the file is damaged, rebuild the index"
        case .checksumMismatch(let path):
            return "\(path) fails its checksum: the file is corrupted, rebuild the index or restore a backup"
        case .corrupt(let path, let reason):
            return "\(path) is corrupted (\(reason)): rebuild the index"
        case .invalidParameter(let message):
            return message
        }
    }
}
