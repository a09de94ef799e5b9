import EmbedKitCKernels

/// Distances between a float32 query and vectors stored as IEEE half-precision bits (binary16): half the memory
/// traffic of float32, converted in registers (AVX-512 / F16C on x86-64).
public enum HalfPrecisionDistance {
    /// Σ q[i]·v[i].
    @inlinable
    public static func dot(_ q: UnsafePointer<Float>, _ v: UnsafePointer<UInt16>, count: Int) -> Float {
        ek_dot_f16(q, v, count)
    }

    /// Σ (q[i] − v[i])².
    @inlinable
    public static func squaredEuclidean(_ q: UnsafePointer<Float>, _ v: UnsafePointer<UInt16>, count: Int) -> Float {
        ek_l2sq_f16(q, v, count)
    }

    /// Rounds `count` floats to half-precision bits (round to nearest even; overflow becomes ±∞).
    public static func encode(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<UInt16>, count: Int) {
        for i in 0..<count { out[i] = halfBits(x[i]) }
    }

    /// IEEE binary16 bits of `value`.
    public static func halfBits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xff)
        var mantissa = bits & 0x7f_ffff
        if exponent == 0xff { return sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0) }
        let e = exponent - 127 + 15
        if e >= 31 { return sign | 0x7c00 }
        if e <= 0 {
            if e < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - e)
            var half = mantissa >> shift
            let rest = mantissa & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
            if rest > halfway || (rest == halfway && (half & 1) == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mantissa >> 13)
        let rest = mantissa & 0x1fff
        if rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1) { half += 1 }
        return sign | UInt16(half)
    }
}
