/// Inner product of a float query with an int8 code vector, the kernel under int8 scalar-quantized search.
public enum Int8DotProduct {
    /// Σ q[i]·Float(c[i]) over `count` elements, 16 lanes at a time.
    @inlinable
    public static func compute(_ q: UnsafePointer<Float>, _ c: UnsafePointer<Int8>, count: Int) -> Float {
        var i = 0
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
        let rawQ = UnsafeRawPointer(q), rawC = UnsafeRawPointer(c)
        while i + 32 <= count {
            let c0 = SIMD16<Float>(rawC.loadUnaligned(fromByteOffset: i, as: SIMD16<Int8>.self))
            let c1 = SIMD16<Float>(rawC.loadUnaligned(fromByteOffset: i &+ 16, as: SIMD16<Int8>.self))
            s0 += rawQ.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) * c0
            s1 += rawQ.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: SIMD16<Float>.self) * c1
            i &+= 32
        }
        var sum = (s0 + s1).sum()
        while i < count {
            sum += q[i] * Float(c[i])
            i &+= 1
        }
        return sum
    }
}
