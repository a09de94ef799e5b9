import EmbedKitCKernels

/// Inner product of two float vectors, the kernel under cosine and dot-product search.
public enum DotProduct {
    /// The fastest kernel for this CPU: on x86-64 the C kernel picks AVX-512 or AVX2+FMA at run time (Swift
    /// without -target-cpu only emits SSE); elsewhere the SIMD16 Swift kernel below.
    @inlinable
    public static func compute(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        #if arch(x86_64)
        return ek_dot_f32(a, b, count)
        #else
        return computeSIMD(a, b, count: count)
        #endif
    }

    /// Σ a[i]·b[i] over `count` floats. Four SIMD16 accumulators hide the add latency; `acc += a * b` stays a
    /// vector multiply-add (never `addingProduct`, which lowers to a libm `fmaf` call without -target-cpu).
    @inlinable
    public static func computeSIMD(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        while i + 64 <= count {
            let o = i &* 4
            s0 += rawA.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            s1 += rawA.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
            s2 += rawA.loadUnaligned(fromByteOffset: o &+ 128, as: SIMD16<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: o &+ 128, as: SIMD16<Float>.self)
            s3 += rawA.loadUnaligned(fromByteOffset: o &+ 192, as: SIMD16<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: o &+ 192, as: SIMD16<Float>.self)
            i &+= 64
        }
        while i + 16 <= count {
            let o = i &* 4
            s0 += rawA.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            i &+= 16
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while i < count {
            sum += a[i] * b[i]
            i &+= 1
        }
        return sum
    }
}
