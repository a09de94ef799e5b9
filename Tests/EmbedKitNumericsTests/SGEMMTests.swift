import EmbedKitCore
import EmbedKitNumerics
import Testing

@Suite struct SGEMMTests {
    /// Row-major naive product, the reference the BLAS call must match.
    func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Double = 0
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(transposeB ? b[j * k + p] : b[p * n + j]) }
                c[i * n + j] = Float(sum)
            }
        }
        return c
    }

    @Test(arguments: [(1, 1, 1, false), (7, 5, 3, false), (33, 17, 64, true), (128, 96, 384, true), (64, 1536, 384, false)])
    func matchesNaiveProduct(m: Int, n: Int, k: Int, transposeB: Bool) {
        var generator = SplitMix64(seed: UInt64(m * 1000 + n * 10 + k))
        let a = (0..<(m * k)).map { _ in generator.signedUniform() }
        let b = (0..<(k * n)).map { _ in generator.signedUniform() }
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(transposeB: transposeB, m: m, n: n, k: k, a: pa.baseAddress!, lda: k,
                               b: pb.baseAddress!, ldb: transposeB ? k : n, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        let expected = naive(a, b, m: m, n: n, k: k, transposeB: transposeB)
        let worst = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-4 * Float(k).squareRoot(), "max |Δ| \(worst)")
    }

    @Test func reportsLibrary() {
        #expect(!BLAS.configuration.isEmpty)
        #expect(BLAS.threads >= 1)
    }
}

