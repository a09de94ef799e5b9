/// Scaling vectors to unit Euclidean length.
public enum RowL2Normalization {
    /// Divides each of `rows` rows of `width` values by its L2 norm (clamped below by `epsilon`, as
    /// `torch.nn.functional.normalize` does, so a zero row stays zero).
    public static func applyInPlace(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, epsilon: Float = 1e-12) {
        for r in 0..<rows {
            let row = x + r * width
            var squares: Float = 0
            for j in 0..<width { squares += row[j] * row[j] }
            let inverse = 1 / Swift.max(squares.squareRoot(), epsilon)
            for j in 0..<width { row[j] *= inverse }
        }
    }
}
