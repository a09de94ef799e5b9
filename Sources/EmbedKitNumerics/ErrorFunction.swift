/// Float32 error function for numeric kernels (max absolute error < 2e-7 vs double-precision erf):
/// erf(x) = x·P(2x² − 1) for |x| < 1, 1 − exp(−x²)·Q((|x| − 2.75)/1.75) for 1 ≤ |x| < 4.5, ±1 beyond.
/// Coefficients are fitted by scripts/fixtures/erf_exp_coefficients.py. Branch-free (both pieces evaluated
/// and selected), so loops over it vectorize.
public enum ErrorFunction {
    @inlinable @inline(__always)
    public static func erf(_ x: Float) -> Float {
        typealias C = ExpErfCoefficients
        let a = abs(x)
        let u = 2 * a * a - 1
        var p = C.erfSmall6
        p = p * u + C.erfSmall5
        p = p * u + C.erfSmall4
        p = p * u + C.erfSmall3
        p = p * u + C.erfSmall2
        p = p * u + C.erfSmall1
        p = p * u + C.erfSmall0
        let small = a * p
        let clamped = min(a, 4.5)
        let t = (clamped - 2.75) * (1 / 1.75)
        var q = C.erfLarge10
        q = q * t + C.erfLarge9
        q = q * t + C.erfLarge8
        q = q * t + C.erfLarge7
        q = q * t + C.erfLarge6
        q = q * t + C.erfLarge5
        q = q * t + C.erfLarge4
        q = q * t + C.erfLarge3
        q = q * t + C.erfLarge2
        q = q * t + C.erfLarge1
        q = q * t + C.erfLarge0
        let large = 1 - Exponential.exp(-clamped * clamped) * q
        let magnitude = a < 1 ? small : (a < 4.5 ? large : 1)
        return x < 0 ? -magnitude : magnitude
    }
}
