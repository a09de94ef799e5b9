/// Hamming distance between bit strings: the number of differing bits, via XOR and popcount.
public enum HammingDistance {
    /// Differing bits between two `words`-long arrays of 64-bit words.
    @inlinable
    public static func compute(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, words: Int) -> Int {
        var total = 0
        var i = 0
        while i + 4 <= words {
            total &+= (a[i] ^ b[i]).nonzeroBitCount &+ (a[i &+ 1] ^ b[i &+ 1]).nonzeroBitCount
                &+ (a[i &+ 2] ^ b[i &+ 2]).nonzeroBitCount &+ (a[i &+ 3] ^ b[i &+ 3]).nonzeroBitCount
            i &+= 4
        }
        while i < words {
            total &+= (a[i] ^ b[i]).nonzeroBitCount
            i &+= 1
        }
        return total
    }
}
