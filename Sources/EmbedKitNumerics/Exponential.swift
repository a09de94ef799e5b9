/// Float32 exponential for numeric kernels: exp(x) = 2ⁿ · exp(r) with n = round(x / ln2), |r| ≤ ln2/2 and a
/// degree-7 polynomial for exp(r) (relative error < 2e-7; coefficients fitted by
/// scripts/fixtures/erf_exp_coefficients.py). Branch-free, so loops over it vectorize.
public enum Exponential {
    /// exp(x); inputs are clamped to [−87, 88] (so the result is never 0, ∞ or denormal).
    @inlinable @inline(__always)
    public static func exp(_ input: Float) -> Float {
        typealias C = ExpErfCoefficients
        let x = min(max(input, -87.0), 88.0)
        let n = (x * 1.4426950408889634).rounded(.toNearestOrEven)
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
        let scale = Float(bitPattern: UInt32(bitPattern: Int32(n) &+ 127) << 23)
        return p * scale
    }

    /// `values[i] = exp(values[i])` for `count` values.
    public static func applyInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { values[i] = exp(values[i]) }
    }
}
