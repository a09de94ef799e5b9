/// Float32 exponential for numeric kernels: exp(x) = 2ⁿ · exp(r) with n = round(x / ln2), |r| ≤ ln2/2 and a
/// degree-7 polynomial for exp(r) (relative error < 2e-7; coefficients fitted by
/// scripts/fixtures/erf_exp_coefficients.py). Branch-free, so loops over it vectorize.
public enum Exponential {
    /// exp(x); inputs are clamped to [−87, 88] (so the result is never 0, ∞ or denormal); NaN gives NaN.
    @inlinable @inline(__always)
    public static func exp(_ input: Float) -> Float {
        typealias C = ExpErfCoefficients
        // Comparisons (not min/max) so NaN lands on a finite n; the NaN is returned at the end.
        let x = input > -87 ? (input < 88 ? input : 88) : -87
        // n = round(x / ln2) by the 1.5·2²³ trick: adding it leaves n in the low mantissa bits (no libm call,
        // no trapping conversion, so loops vectorize).
        let shifted = x * 1.4426950408889634 + 12582912.0
        let n = shifted - 12582912.0
        let exponent = Int32(bitPattern: shifted.bitPattern) &- 0x4B40_0000
        // r = x − n·ln2 in two steps (ln2 split so n·ln2High is exact).
        let r = (x - n * 0.693145751953125) - n * 1.428606765330187e-06
        let t = r * 2.8853900817779268  // r / (ln2 / 2)
        var p = C.exp7
        p = p * t + C.exp6
        p = p * t + C.exp5
        p = p * t + C.exp4
        p = p * t + C.exp3
        p = p * t + C.exp2
        p = p * t + C.exp1
        p = p * t + C.exp0
        let scale = Float(bitPattern: UInt32(bitPattern: (exponent &+ 127) << 23))
        return input.isNaN ? input : p * scale
    }

    /// `values[i] = exp(values[i])` for `count` values.
    public static func applyInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { values[i] = exp(values[i]) }
    }
}
