/// Pooling token vectors into one sentence vector, as sentence-transformers' Pooling module does.
public enum SequencePooling {
    public enum Mode: String, Sendable, CaseIterable {
        /// Average of the token vectors.
        case mean
        /// The first token's vector ([CLS]).
        case cls
        /// Per-dimension maximum over the tokens.
        case max
    }

    /// Pools `rows` token vectors of `width` (contiguous, row stride `width`) into `output[0..<width]`.
    public static func pool(_ mode: Mode, tokens: UnsafePointer<Float>, rows: Int, width: Int,
                            into output: UnsafeMutablePointer<Float>) {
        switch mode {
        case .cls:
            for j in 0..<width { output[j] = rows > 0 ? tokens[j] : 0 }
        case .mean:
            for j in 0..<width { output[j] = 0 }
            for r in 0..<rows {
                let row = tokens + r * width
                for j in 0..<width { output[j] += row[j] }
            }
            let inverse = 1 / Float(Swift.max(rows, 1))
            for j in 0..<width { output[j] *= inverse }
        case .max:
            for j in 0..<width { output[j] = rows > 0 ? tokens[j] : 0 }
            for r in 1..<Swift.max(rows, 1) {
                let row = tokens + r * width
                for j in 0..<width { output[j] = Swift.max(output[j], row[j]) }
            }
        }
    }
}
