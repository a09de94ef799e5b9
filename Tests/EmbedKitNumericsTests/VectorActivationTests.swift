import EmbedKitCore
import EmbedKitNumerics
import Foundation
import Testing

/// Softmax and GELU on row widths / counts around the 16-lane vector width (tails, single values), against
/// float64 references — the AVX-512 kernels where the CPU has them, the portable loops elsewhere.
@Suite struct VectorActivationTests {
    @Test(arguments: [1, 2, 15, 16, 17, 31, 33, 176, 257])
    func softmaxMatchesFloat64(width: Int) {
        var g = SplitMix64(seed: UInt64(width))
        let rows = 3, stride = width + 5, scale: Float = 0.176
        let original = (0..<(rows * stride)).map { _ in g.signedUniform() * 40 }
        var x = original
        Softmax.applyInPlace(&x, rows: rows, width: width, stride: stride, scale: scale)
        for r in 0..<rows {
            let row = original[(r * stride)..<(r * stride + width)].map { Double($0) * Double(scale) }
            let m = row.max()!
            let e = row.map { Foundation.exp($0 - m) }
            let sum = e.reduce(0, +)
            for j in 0..<width {
                let expected = e[j] / sum
                #expect(abs(Double(x[r * stride + j]) - expected) <= 1e-6 * max(expected, 1e-3), "row \(r) col \(j)")
            }
            for j in width..<stride { #expect(x[r * stride + j] == original[r * stride + j], "padding changed") }
        }
    }

    @Test(arguments: [1, 7, 16, 17, 100])
    func geluMatchesFloat64(count: Int) {
        var g = SplitMix64(seed: UInt64(count) + 99)
        var x = (0..<count).map { _ in g.signedUniform() * 7 }
        let expected = x.map { 0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) }
        let guardValue: Float = 12345
        x.append(guardValue)
        GELU.applyInPlace(&x, count: count)
        for i in 0..<count { #expect(abs(Double(x[i]) - expected[i]) < 2e-6, "value \(i)") }
        #expect(x[count] == guardValue, "wrote past count")
    }
}
