/// Layer normalization over rows: y = (x − mean) / √(var + eps) · gamma + beta, per row of `width` values.
public enum LayerNorm {
    /// Normalizes `rows` rows of `width` values in place (row stride `width`).
    /// Mean and variance are accumulated in Double so long rows keep float32 parity with PyTorch.
    public static func applyInPlace(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                                    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float) {
        for r in 0..<rows {
            let row = x + r * width
            var sum: Float = 0
            for j in 0..<width { sum += row[j] }
            let mean = sum / Float(width)
            var squares: Float = 0
            for j in 0..<width {
                let d = row[j] - mean
                squares += d * d
            }
            let inverse = 1 / (squares / Float(width) + epsilon).squareRoot()
            for j in 0..<width { row[j] = (row[j] - mean) * inverse * gamma[j] + beta[j] }
        }
    }

    /// `x += residual`, then layer-normalizes `x` (the BERT "Add & Norm" step).
    public static func addAndApplyInPlace(_ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>, rows: Int,
                                          width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                          epsilon: Float) {
        for i in 0..<(rows * width) { x[i] += residual[i] }
        applyInPlace(x, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: epsilon)
    }
}
