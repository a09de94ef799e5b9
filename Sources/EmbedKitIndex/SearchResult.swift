/// One hit of a search.
public struct SearchResult: Sendable, Equatable, CustomStringConvertible {
    /// The caller's id for the vector.
    public let id: UInt64
    /// The vector's dense row number in the index (insertion order; changes only on `compact()`).
    public let row: Int
    /// Cosine similarity, inner product, or squared Euclidean distance, depending on the metric.
    public let score: Float

    public init(id: UInt64, row: Int, score: Float) {
        self.id = id
        self.row = row
        self.score = score
    }

    public var description: String { "\(id)@\(row): \(score)" }
}
