import EmbedKitNumerics

/// Binary quantization: one bit per dimension, set when the value exceeds that dimension's mean. Searches rank
/// by Hamming distance (XOR + popcount) and rescore the best candidates in float32. 32× smaller than float32.
final class BinaryQuantizer: @unchecked Sendable {
    let dimension: Int
    let words: Int
    /// Per-dimension mean (the threshold for a set bit).
    let means: GrowableBuffer<Float>
    let bits: GrowableBuffer<UInt64>
    private(set) var count = 0

    init(dimension: Int, training data: UnsafePointer<Float>, n: Int) {
        self.dimension = dimension
        words = (dimension + 63) / 64
        means = GrowableBuffer(capacity: dimension)
        bits = GrowableBuffer(capacity: max(n, 1) * words)
        for j in 0..<dimension {
            var sum: Double = 0
            for i in 0..<n { sum += Double(data[i * dimension + j]) }
            means.base[j] = n > 0 ? Float(sum / Double(n)) : 0
        }
    }

    init(dimension: Int, count: Int, means: GrowableBuffer<Float>, bits: GrowableBuffer<UInt64>) {
        self.dimension = dimension
        words = (dimension + 63) / 64
        self.count = count
        self.means = means
        self.bits = bits
    }

    /// Packs `x` into `out` (`words` words).
    func encode(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<UInt64>) {
        for w in 0..<words { out[w] = 0 }
        for j in 0..<dimension where x[j] > means.base[j] {
            out[j >> 6] |= 1 << UInt64(j & 63)
        }
    }

    func encodePending(_ storage: VectorStorage) {
        let n = storage.count
        bits.reserve(n * words, used: count * words)
        for row in count..<n { encode(storage.vector(row), into: bits.base + row * words) }
        count = n
    }

    func reencodeAll(_ storage: VectorStorage) {
        count = 0
        encodePending(storage)
    }

    var codeBytes: Int { count * words * 8 }

    /// Hamming-ranked best `keep` live rows for `query`.
    func scan(_ storage: VectorStorage, query: UnsafePointer<Float>, keep: Int, accept: ((Int) -> Bool)?) -> TopKSelection {
        let code = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        defer { code.deallocate() }
        encode(query, into: code)
        var top = TopKSelection(k: keep)
        let hasDeleted = storage.deletedCount > 0
        for row in 0..<count {
            if hasDeleted && storage.isDeleted(row) { continue }
            if let accept, !accept(row) { continue }
            let distance = Float(HammingDistance.compute(code, bits.base + row * words, words: words))
            if distance <= top.threshold { top.insert(distance: distance, id: row) }
        }
        return top
    }
}
