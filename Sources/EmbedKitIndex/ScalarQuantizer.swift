import EmbedKitNumerics

/// int8 scalar quantization with per-dimension ranges: x ≈ min + (code + 128)·scale, scale = (max − min)/255.
/// Codes are 4× smaller than float32; searches scan the codes and rescore the best candidates in float32.
final class ScalarQuantizer: @unchecked Sendable {
    let dimension: Int
    /// Per-dimension minimum, then per-dimension scale (2·d floats).
    let ranges: GrowableBuffer<Float>
    /// Row-major int8 codes, d per row.
    let codes: GrowableBuffer<Int8>
    /// ‖x̂‖² per row (for l2).
    let squaredNorms: GrowableBuffer<Float>
    private(set) var count = 0

    /// Learns the ranges from `n` rows at `data`.
    init(dimension: Int, training data: UnsafePointer<Float>, n: Int) {
        self.dimension = dimension
        ranges = GrowableBuffer(capacity: 2 * dimension)
        codes = GrowableBuffer(capacity: max(n, 1) * dimension)
        squaredNorms = GrowableBuffer(capacity: max(n, 1))
        for j in 0..<dimension {
            var lo = Float.infinity, hi = -Float.infinity
            for i in 0..<n {
                let v = data[i * dimension + j]
                lo = min(lo, v)
                hi = max(hi, v)
            }
            if n == 0 { lo = -1; hi = 1 }
            ranges.base[j] = lo
            ranges.base[dimension + j] = hi > lo ? (hi - lo) / 255 : 1
        }
    }

    init(dimension: Int, count: Int, ranges: GrowableBuffer<Float>, codes: GrowableBuffer<Int8>,
         squaredNorms: GrowableBuffer<Float>) {
        self.dimension = dimension
        self.count = count
        self.ranges = ranges
        self.codes = codes
        self.squaredNorms = squaredNorms
    }

    /// Encodes rows `count..<storage.count` of `storage` (already normalized if the metric wants it).
    func encodePending(_ storage: VectorStorage) {
        let n = storage.count
        codes.reserve(n * dimension, used: count * dimension)
        squaredNorms.reserve(n, used: count)
        let lo = ranges.base, scale = ranges.base + dimension
        for row in count..<n {
            let x = storage.vector(row)
            let c = codes.base + row * dimension
            var norm: Float = 0
            for j in 0..<dimension {
                let q = ((x[j] - lo[j]) / scale[j]).rounded() - 128
                let code = Int8(max(-128, min(127, q)))
                c[j] = code
                let back = lo[j] + (Float(code) + 128) * scale[j]
                norm += back * back
            }
            squaredNorms.base[row] = norm
        }
        count = n
    }

    /// Re-encodes everything (after compaction moved rows).
    func reencodeAll(_ storage: VectorStorage) {
        count = 0
        encodePending(storage)
    }

    var codeBytes: Int { count * dimension + count * 4 }

    /// Approximate distances of every live row to `query`; keeps the best `keep` rows.
    func scan(_ storage: VectorStorage, query: UnsafePointer<Float>, keep: Int, accept: ((Int) -> Bool)?) -> TopKSelection {
        let d = dimension
        let lo = ranges.base, scale = ranges.base + dimension
        let scaled = UnsafeMutablePointer<Float>.allocate(capacity: d)
        defer { scaled.deallocate() }
        var constant: Float = 0
        var scaledSum: Float = 0
        for j in 0..<d {
            scaled[j] = query[j] * scale[j]
            constant += query[j] * lo[j]
            scaledSum += scaled[j]
        }
        constant += 128 * scaledSum
        let queryNorm = DotProduct.compute(query, query, count: d)
        let metric = storage.metric
        var top = TopKSelection(k: keep)
        let hasDeleted = storage.deletedCount > 0
        for row in 0..<count {
            if hasDeleted && storage.isDeleted(row) { continue }
            if let accept, !accept(row) { continue }
            let dot = constant + Int8DotProduct.compute(scaled, codes.base + row * d, count: d)
            let distance = metric == .l2 ? queryNorm - 2 * dot + squaredNorms.base[row] : -dot
            if distance <= top.threshold { top.insert(distance: distance, id: row) }
        }
        return top
    }
}
