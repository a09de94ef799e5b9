import EmbedKitCKernels

/// Layer normalization over rows: y = (x − mean) / √(var + eps) · gamma + beta, per row of `width` values.
///
/// Two passes per row in float32 (the mean, then the mean squared deviation from it, as PyTorch computes
/// the biased variance); on CPUs with AVX-512 in C with sixteen-lane partial sums, else the loops below.
public enum LayerNorm {
    /// Normalizes `rows` rows of `width` values in place (row stride `width`).
    public static func applyInPlace(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int,
                                    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float) {
        if AVX512Kernels.available {
            ek_layernorm_avx512(x, nil, nil, rows, width, gamma, beta, epsilon)
            return
        }
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

    /// `x = (x + bias) + residual` (bias per column, optional), then layer-normalizes `x` (the BERT "Add & Norm"
    /// step; passing the linear layer's bias here saves it a pass over its output).
    public static func addAndApplyInPlace(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>? = nil,
                                          residual: UnsafePointer<Float>, rows: Int, width: Int,
                                          gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float) {
        if AVX512Kernels.available {
            ek_layernorm_avx512(x, bias, residual, rows, width, gamma, beta, epsilon)
            return
        }
        if let bias {
            for r in 0..<rows {
                for j in 0..<width { x[r * width + j] += bias[j] }
            }
        }
        for i in 0..<(rows * width) { x[i] += residual[i] }
        applyInPlace(x, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: epsilon)
    }
}
