import EmbedKitCore
import EmbedKitIndex
import Foundation

/// Seeded data for index tests (no global RNG).
extension SplitMix64 {
    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Float {
        let u = max(uniform(), 1e-7), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}


enum TestData {
    /// `n` vectors around `clusters` random centres, row-major.
    static func clustered(n: Int, dimension d: Int, clusters: Int = 20, spread: Float = 0.5, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let centres = (0..<(clusters * d)).map { _ in rng.gaussian() }
        var out = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            let c = Int(rng.next() % UInt64(clusters))
            for j in 0..<d { out[i * d + j] = centres[c * d + j] + spread * rng.gaussian() }
        }
        return out
    }

    /// Small integer-valued vectors: every dot product is exact in float32, so ties are exact and common.
    static func integers(n: Int, dimension d: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(n * d)).map { _ in Float(Int(rng.next() % 5) - 2) }
    }

    /// Brute-force reference in Double: rows sorted by (score desc for dot/cosine, asc for l2), ties by row.
    static func reference(_ data: [Float], dimension d: Int, query: [Float], k: Int, metric: Metric,
                          allowed: (Int) -> Bool = { _ in true }) -> [Int] {
        let n = data.count / d
        func norm(_ v: ArraySlice<Float>) -> Double { v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let qn = norm(query[...])
        var scored: [(Double, Int)] = []
        for r in 0..<n where allowed(r) {
            let row = data[(r * d)..<((r + 1) * d)]
            var s = 0.0
            switch metric {
            case .dot: for j in 0..<d { s -= Double(row[row.startIndex + j]) * Double(query[j]) }
            case .cosine:
                for j in 0..<d { s -= Double(row[row.startIndex + j]) * Double(query[j]) }
                s /= max(norm(row) * qn, 1e-30)
            case .l2: for j in 0..<d { let t = Double(row[row.startIndex + j]) - Double(query[j]); s += t * t }
            }
            scored.append((s, r))
        }
        scored.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        return scored.prefix(k).map(\.1)
    }

    static func row(_ data: [Float], _ i: Int, _ d: Int) -> [Float] { Array(data[(i * d)..<((i + 1) * d)]) }

    static func recall(_ found: [[Int]], _ truth: [[Int]]) -> Double {
        var hits = 0, total = 0
        for (f, t) in zip(found, truth) {
            hits += Set(f).intersection(t).count
            total += t.count
        }
        return Double(hits) / Double(max(total, 1))
    }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("embedkit-index-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
