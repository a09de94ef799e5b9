import EmbedKitCKernels

/// Numerically stable softmax over rows (max subtracted before exponentiating).
public enum Softmax {
    /// Replaces each of `rows` rows (`width` values, stride `stride`) by its softmax, after scaling by `scale`.
    public static func applyInPlace(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, scale: Float = 1) {
        guard width > 0 else { return }
        if AVX512Kernels.available {
            ek_softmax_rows_avx512(x, rows, width, stride, scale)
            return
        }
        for r in 0..<rows {
            let row = x + r * stride
            var maximum = -Float.infinity
            for j in 0..<width { maximum = max(maximum, row[j]) }
            var sum: Float = 0
            for j in 0..<width {
                let e = Exponential.exp((row[j] - maximum) * scale)
                row[j] = e
                sum += e
            }
            let inverse = 1 / sum
            for j in 0..<width { row[j] *= inverse }
        }
    }
}
