import EmbedKitNumerics
import Foundation
import Testing

/// The fused attention and residual + LayerNorm kernels against straightforward double-precision references.
@Suite struct AttentionLayerNormTests {
    /// Deterministic pseudo-random floats in [−amplitude, amplitude] (SplitMix64 on `seed`).
    static func values(_ count: Int, seed: UInt64, amplitude: Float = 1) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Float(z >> 40) / Float(1 << 24) * 2 - 1) * amplitude
        }
    }

    /// softmax(q·kᵀ·scale)·v per head in Double, rows laid out as the kernel reads them.
    static func referenceAttention(_ qkv: [Float], stride: Int, n: Int, heads: Int, d: Int, scale: Double) -> [Double] {
        let hidden = heads * d
        var out = [Double](repeating: 0, count: n * hidden)
        for h in 0..<heads {
            for i in 0..<n {
                var scores = [Double](repeating: 0, count: n)
                for j in 0..<n {
                    var s = 0.0
                    for c in 0..<d { s += Double(qkv[i * stride + h * d + c]) * Double(qkv[j * stride + hidden + h * d + c]) }
                    scores[j] = s * scale
                }
                let m = scores.max()!
                let e = scores.map { Foundation.exp($0 - m) }
                let sum = e.reduce(0, +)
                for c in 0..<d {
                    var acc = 0.0
                    for j in 0..<n { acc += e[j] * Double(qkv[j * stride + 2 * hidden + h * d + c]) }
                    out[i * hidden + h * d + c] = acc / sum
                }
            }
        }
        return out
    }

    @Test(arguments: [(1, 1, 8), (3, 2, 8), (17, 12, 32), (40, 3, 20), (64, 2, 64), (77, 1, 100), (130, 4, 32), (256, 2, 32)])
    func attentionMatchesReference(shape: (n: Int, heads: Int, d: Int)) {
        let (n, heads, d) = shape
        let hidden = heads * d
        let stride = 3 * hidden + 5  // rows wider than q|k|v, as a strided view would be
        let qkv = Self.values(n * stride, seed: UInt64(n * 1000 + heads * 10 + d), amplitude: 2)
        let scale = 1 / Float(d).squareRoot()
        let outStride = hidden + 3
        var out = [Float](repeating: .nan, count: n * outStride)
        var scratch = [Float](repeating: .nan, count: ScaledDotProductAttention.scratchCount(length: n, headSize: d))
        qkv.withUnsafeBufferPointer { x in
            ScaledDotProductAttention.apply(query: x.baseAddress!, key: x.baseAddress! + hidden, value: x.baseAddress! + 2 * hidden,
                                            rowStride: stride, length: n, heads: heads, headSize: d, scale: scale,
                                            into: &out, outputStride: outStride, scratch: &scratch)
        }
        let expected = Self.referenceAttention(qkv, stride: stride, n: n, heads: heads, d: d, scale: Double(scale))
        var worst = 0.0
        for i in 0..<n {
            for c in 0..<hidden { worst = max(worst, abs(Double(out[i * outStride + c]) - expected[i * hidden + c])) }
            for c in hidden..<outStride { #expect(out[i * outStride + c].isNaN, "wrote outside head columns at row \(i)") }
        }
        #expect(worst < 2e-6, "max |Δ| \(worst) for n \(n), \(heads) heads of \(d)")
    }

    @Test func attentionIsStableForLargeScores() {
        // Scores around ±1e4 overflow exp without the max subtraction; one dominant key must win outright.
        let n = 5, d = 16
        var qkv = [Float](repeating: 0, count: n * 3 * d)
        for i in 0..<n {
            for c in 0..<d { qkv[i * 3 * d + c] = 100; qkv[i * 3 * d + d + c] = i == 3 ? 100 : -100 }
            qkv[i * 3 * d + 2 * d] = Float(i)
        }
        var out = [Float](repeating: 0, count: n * d)
        var scratch = [Float](repeating: 0, count: ScaledDotProductAttention.scratchCount(length: n, headSize: d))
        qkv.withUnsafeBufferPointer { x in
            ScaledDotProductAttention.apply(query: x.baseAddress!, key: x.baseAddress! + d, value: x.baseAddress! + 2 * d,
                                            rowStride: 3 * d, length: n, heads: 1, headSize: d, scale: 0.25,
                                            into: &out, outputStride: d, scratch: &scratch)
        }
        for i in 0..<n {
            #expect(out[i * d] == 3, "row \(i): \(out[i * d])")
            #expect(out[i * d + 1] == 0)
        }
    }

    @Test(arguments: [1, 7, 16, 24, 33, 384, 1000])
    func addAndLayerNormMatchesReference(width: Int) {
        let rows = 5
        var x = Self.values(rows * width, seed: UInt64(width), amplitude: 3).enumerated().map { $0.element + Float($0.offset % 7) }
        let residual = Self.values(rows * width, seed: UInt64(width) + 99)
        let gamma = Self.values(width, seed: 7).map { 1 + $0 / 2 }, beta = Self.values(width, seed: 8)
        var expected = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let row = (0..<width).map { Double(x[r * width + $0] + residual[r * width + $0]) }
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for j in 0..<width {
                expected[r * width + j] = (row[j] - mean) / (variance + 1e-12).squareRoot() * Double(gamma[j]) + Double(beta[j])
            }
        }
        LayerNorm.addAndApplyInPlace(&x, residual: residual, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: 1e-12)
        let worst = zip(x, expected).map { abs(Double($0) - $1) }.max()!
        if width == 1 {
            #expect(x == beta + beta + beta + beta + beta)  // one value: x − mean is 0
        } else {
            #expect(worst < 5e-6, "max |Δ| \(worst) at width \(width)")
        }
    }

    @Test func biasJoinsLayerNormAndGELU() {
        let rows = 3, width = 37
        let x = Self.values(rows * width, seed: 5, amplitude: 4), bias = Self.values(width, seed: 6, amplitude: 2)
        let residual = Self.values(rows * width, seed: 7)
        let gamma = Self.values(width, seed: 8).map { 1 + $0 / 4 }, beta = Self.values(width, seed: 9)
        var withBias = x, withoutBias = x
        for r in 0..<rows { for j in 0..<width { withoutBias[r * width + j] += bias[j] } }
        var geluBias = withBias, geluPlain = withoutBias
        LayerNorm.addAndApplyInPlace(&withBias, bias: bias, residual: residual, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: 1e-5)
        LayerNorm.addAndApplyInPlace(&withoutBias, residual: residual, rows: rows, width: width, gamma: gamma, beta: beta, epsilon: 1e-5)
        #expect(zip(withBias, withoutBias).allSatisfy { abs($0 - $1) < 1e-5 })
        GELU.applyInPlace(&geluBias, rows: rows, width: width, bias: bias)
        GELU.applyInPlace(&geluPlain, count: rows * width)
        #expect(geluBias == geluPlain)
        #expect(geluBias != x)
    }

    @Test func layerNormKeepsConstantRowsFinite() {
        var x = [Float](repeating: 1e4, count: 2 * 40)
        let gamma = [Float](repeating: 2, count: 40), beta = [Float](repeating: 0.5, count: 40)
        LayerNorm.applyInPlace(&x, rows: 2, width: 40, gamma: gamma, beta: beta, epsilon: 1e-5)
        #expect(x.allSatisfy { $0 == 0.5 })
    }
}
