import EmbedKitNumerics
import Foundation
import Testing

/// The transformer kernels: exp, erf, GELU, softmax, LayerNorm, pooling, L2 normalization.
@Suite struct ActivationKernelTests {
    @Test func expIsAccurate() {
        var worst: Double = 0
        for i in 0...20000 {
            let x = Float(-80 + Double(i) * 0.00825)
            let relative = abs(Double(Exponential.exp(x)) / Foundation.exp(Double(x)) - 1)
            worst = max(worst, relative)
        }
        #expect(worst < 3e-7)
        #expect(Exponential.exp(-1000) >= 0)
        #expect(Exponential.exp(-1000) < 1e-37)
        #expect(Exponential.exp(1000).isFinite)
    }

    @Test func erfIsAccurate() {
        var worst: Double = 0
        for i in 0...40000 {
            let x = Float(-6 + Double(i) * 0.0003)
            worst = max(worst, abs(Double(ErrorFunction.erf(x)) - Foundation.erf(Double(x))))
        }
        #expect(worst < 3e-7)
    }

    @Test func geluUsesErf() {
        var values: [Float] = [-3, -1, 0, 0.5, 2, 10]
        let expected = values.map { 0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) }
        GELU.applyInPlace(&values, count: values.count)
        for (v, e) in zip(values, expected) { #expect(abs(Double(v) - e) < 1e-6) }
    }

    @Test func geluVectorPathMatchesScalarErf() {
        // 8-lane path (first 40 values) and scalar tail (last 3) against double-precision erf.
        var values: [Float] = (0..<43).map { Float($0) * 0.29 - 6 }
        values[5] = .nan
        let expected = values.map { 0.5 * Double($0) * (1 + Foundation.erf(Double($0) / 2.0.squareRoot())) }
        GELU.applyInPlace(&values, count: values.count)
        #expect(values[5].isNaN)
        for (i, (v, e)) in zip(values, expected).enumerated() where i != 5 { #expect(abs(Double(v) - e) < 2e-6) }
    }

    @Test func softmaxRowsSumToOne() {
        var x: [Float] = [1, 2, 3, 1000, 1000, -1000]
        Softmax.applyInPlace(&x, rows: 2, width: 3, stride: 3, scale: 0.5)
        #expect(abs(x[0..<3].reduce(0, +) - 1) < 1e-6)
        #expect(abs(x[3] - 0.5) < 1e-6 && x[5] < 1e-30)
        #expect(x[2] > x[1] && x[1] > x[0])
    }

    @Test func layerNormCentersAndScales() {
        var x: [Float] = [1, 2, 3, 4, 10, 10, 10, 10]
        let gamma: [Float] = [1, 1, 2, 1], beta: [Float] = [0, 0, 0, 5]
        LayerNorm.applyInPlace(&x, rows: 2, width: 4, gamma: gamma, beta: beta, epsilon: 1e-12)
        let row = [Float](x[0..<4])
        #expect(abs(row[0] + 1.3416408) < 1e-5)
        #expect(abs(row[2] - 2 * 0.4472136) < 1e-5)
        #expect(x[4..<8] == [0, 0, 0, 5])
    }

    @Test func poolingModes() {
        let tokens: [Float] = [1, 5, 3, -1, 2, 9]
        var out = [Float](repeating: 0, count: 2)
        SequencePooling.pool(.mean, tokens: tokens, rows: 3, width: 2, into: &out)
        #expect(out == [2, 13.0 / 3])
        SequencePooling.pool(.max, tokens: tokens, rows: 3, width: 2, into: &out)
        #expect(out == [3, 9])
        SequencePooling.pool(.cls, tokens: tokens, rows: 3, width: 2, into: &out)
        #expect(out == [1, 5])
    }

    @Test func l2NormalizationKeepsZeroRows() {
        var x: [Float] = [3, 4, 0, 0]
        RowL2Normalization.applyInPlace(&x, rows: 2, width: 2)
        #expect(x == [0.6, 0.8, 0, 0])
    }
}
