import Foundation

/// A table that `embedkit dataset embed` wrote as CSV, read back: its columns and its `embedding` column as one
/// contiguous float32 matrix — what the cookbook's later notebooks get from
/// `df["embedding"].apply(literal_eval)`.
public struct EmbeddedTable: Sendable {
    /// Column names other than `embedding`, in file order (the first is the row label, often unnamed).
    public let columns: [String]
    /// Each row's values for `columns`.
    public let rows: [[String]]
    /// Row-major `rows.count × dimension` embeddings.
    public let vectors: [Float]
    /// Length of each embedding.
    public let dimension: Int

    /// Reads `url`; every row's `embedding` must be a list literal of the same length.
    public init(csv url: URL) throws {
        let reader = try CSVReader(url: url)
        guard let embeddingColumn = reader.header.firstIndex(of: "embedding") else {
            throw DatasetError.missingColumn("embedding", header: reader.header)
        }
        var columns = reader.header
        columns.remove(at: embeddingColumn)
        var rows: [[String]] = []
        var vectors: [Float] = []
        var dimension = 0
        while let record = try reader.next() {
            let vector = try Self.parseList(record.string(at: embeddingColumn), line: record.line)
            if rows.isEmpty { dimension = vector.count }
            guard vector.count == dimension, dimension > 0 else {
                throw DatasetError.badEmbedding(line: record.line, reason:
                    "embedding has \(vector.count) values, expected \(dimension)")
            }
            vectors.append(contentsOf: vector)
            rows.append((0..<record.count).filter { $0 != embeddingColumn }.map { record.string(at: $0) })
        }
        self.columns = columns
        self.rows = rows
        self.vectors = vectors
        self.dimension = dimension
    }

    /// The value of `column` in row `row`, or nil when there is no such column.
    public func value(_ column: String, row: Int) -> String? {
        columns.firstIndex(of: column).map { rows[row][$0] }
    }

    /// Parses `[0.1, -0.2, …]` (JSON / Python list literal of numbers).
    static func parseList(_ text: String, line: Int) throws -> [Float] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else {
            throw DatasetError.badEmbedding(line: line, reason: "embedding is not a list literal like [0.1, -0.2]")
        }
        return try trimmed.dropFirst().dropLast().split(separator: ",").map { part in
            guard let value = Float(part.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw DatasetError.badEmbedding(line: line, reason: "embedding value '\(part)' is not a finite number")
            }
            return value
        }
    }
}
