import EmbedKitCKernels

/// Squared Euclidean distance ‖a − b‖², the kernel under L2 search (the square root never changes an order).
public enum SquaredEuclideanDistance {
    /// The fastest kernel for this CPU: on x86-64 the C kernel picks AVX-512 or AVX2+FMA at run time (Swift
    /// without -target-cpu only emits SSE); elsewhere the SIMD16 Swift kernel below.
    @inlinable
    public static func compute(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        #if arch(x86_64)
        return ek_l2sq_f32(a, b, count)
        #else
        return computeSIMD(a, b, count: count)
        #endif
    }

    /// Σ (a[i] − b[i])² over `count` floats, with four SIMD16 accumulators.
    @inlinable
    public static func computeSIMD(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
        while i + 64 <= count {
            let o = i &* 4
            let d0 = rawA.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                - rawB.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            let d1 = rawA.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
                - rawB.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD16<Float>.self)
            let d2 = rawA.loadUnaligned(fromByteOffset: o &+ 128, as: SIMD16<Float>.self)
                - rawB.loadUnaligned(fromByteOffset: o &+ 128, as: SIMD16<Float>.self)
            let d3 = rawA.loadUnaligned(fromByteOffset: o &+ 192, as: SIMD16<Float>.self)
                - rawB.loadUnaligned(fromByteOffset: o &+ 192, as: SIMD16<Float>.self)
            s0 += d0 * d0
            s1 += d1 * d1
            s2 += d2 * d2
            s3 += d3 * d3
            i &+= 64
        }
        while i + 16 <= count {
            let o = i &* 4
            let d = rawA.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                - rawB.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
            s0 += d * d
            i &+= 16
        }
        var sum = ((s0 + s1) + (s2 + s3)).sum()
        while i < count {
            let d = a[i] - b[i]
            sum += d * d
            i &+= 1
        }
        return sum
    }
}
