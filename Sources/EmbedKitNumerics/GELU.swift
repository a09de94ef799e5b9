import EmbedKitCKernels

/// The exact (erf-based) GELU activation BERT uses: gelu(x) = x/2 · (1 + erf(x/√2)).
public enum GELU {
    /// Applies GELU to `count` values in place: eight lanes at a time with the same erf as
    /// ``ErrorFunction/erf(_:)`` (written on SIMD8 so it vectorizes without target-specific flags), scalar tail.
    /// On CPUs with AVX-512 the same polynomials run sixteen lanes at a time in C.
    public static func applyInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
        if AVX512Kernels.available {
            ek_gelu_avx512(values, count)
            return
        }
        var i = 0
        let raw = UnsafeMutableRawPointer(values)
        while i + 8 <= count {
            let x = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let y = 0.5 * x * (1 + erf8(x * 0.7071067811865476))
            raw.storeBytes(of: y, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            let x = values[i]
            values[i] = 0.5 * x * (1 + ErrorFunction.erf(x * 0.7071067811865476))
            i += 1
        }
    }

    /// x = gelu(x + bias) for `rows` contiguous rows of `width` values (bias per column): the linear layer's bias
    /// added in the same pass as the activation.
    public static func applyInPlace(_ values: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>) {
        if AVX512Kernels.available {
            ek_gelu_bias_avx512(values, rows, width, bias)
            return
        }
        for r in 0..<rows {
            let row = values + r * width
            for j in 0..<width { row[j] += bias[j] }
            applyInPlace(row, count: width)
        }
    }

    /// ``ErrorFunction/erf(_:)`` on eight lanes (same pieces and coefficients).
    @inline(__always)
    static func erf8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias C = ExpErfCoefficients
        let signBits = SIMD8<UInt32>(repeating: 0x8000_0000)
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        let a = unsafeBitCast(bits & ~signBits, to: SIMD8<Float>.self)
        let u = 2 * a * a - 1
        var p = SIMD8<Float>(repeating: C.erfSmall6)
        p = p * u + C.erfSmall5
        p = p * u + C.erfSmall4
        p = p * u + C.erfSmall3
        p = p * u + C.erfSmall2
        p = p * u + C.erfSmall1
        p = p * u + C.erfSmall0
        let small = a * p
        let clamped = a.replacing(with: 4.5, where: a .> 4.5)
        let t = (clamped - 2.75) * (1 / 1.75)
        var q = SIMD8<Float>(repeating: C.erfLarge10)
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
        let large = 1 - exp8(-clamped * clamped) * q
        var magnitude = small.replacing(with: large, where: a .>= 1)
        magnitude.replace(with: 1, where: a .>= 4.5)
        let result = unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) | (bits & signBits), to: SIMD8<Float>.self)
        return result.replacing(with: x, where: x .!= x)  // NaN stays NaN
    }

    /// ``Exponential/exp(_:)`` on eight lanes for arguments in [−20.25, 0] (all erf needs).
    @inline(__always)
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias C = ExpErfCoefficients
        let shifted = x * 1.4426950408889634 + 12582912.0
        let n = shifted - 12582912.0
        let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let r = (x - n * 0.693145751953125) - n * 1.428606765330187e-06
        let t = r * 2.8853900817779268
        var p = SIMD8<Float>(repeating: C.exp7)
        p = p * t + C.exp6
        p = p * t + C.exp5
        p = p * t + C.exp4
        p = p * t + C.exp3
        p = p * t + C.exp2
        p = p * t + C.exp1
        p = p * t + C.exp0
        let scale = unsafeBitCast((exponent &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * scale
    }
}
