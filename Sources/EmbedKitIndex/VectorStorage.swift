/// Contiguous float32 vectors, one per dense row, with the caller's 64-bit ids and tombstones.
///
/// Ids are `UInt64` chosen by the caller (default: the row number at insertion); rows are dense `0..<count` in
/// insertion order. Deleting marks a tombstone (the row stays until `compact()`), so searches skip it.
final class VectorStorage: @unchecked Sendable {
    let dimension: Int
    let metric: Metric
    private(set) var count = 0
    private(set) var deletedCount = 0
    let vectors: GrowableBuffer<Float>
    let ids: GrowableBuffer<UInt64>
    /// 1 for a deleted row, 0 for a live one.
    let tombstones: GrowableBuffer<UInt8>
    private(set) var rowOfID: [UInt64: Int] = [:]
    /// Set on a loaded index whose searches read float32 rows only to rescore: reads them with `pread` so they
    /// do not stay resident. Dropped as soon as rows move or are added.
    var rowReader: RowReader?

    init(dimension: Int, metric: Metric, capacity: Int = 0) {
        self.dimension = dimension
        self.metric = metric
        vectors = GrowableBuffer(capacity: max(1, capacity) * dimension)
        ids = GrowableBuffer(capacity: capacity)
        tombstones = GrowableBuffer(capacity: capacity)
    }

    /// Storage over already-laid-out buffers (from a loaded file).
    init(dimension: Int, metric: Metric, count: Int, vectors: GrowableBuffer<Float>, ids: GrowableBuffer<UInt64>,
         tombstones: GrowableBuffer<UInt8>) throws(IndexError) {
        self.dimension = dimension
        self.metric = metric
        self.count = count
        self.vectors = vectors
        self.ids = ids
        self.tombstones = tombstones
        rowOfID.reserveCapacity(count)
        for row in 0..<count {
            if tombstones.base[row] != 0 {
                deletedCount += 1
                continue
            }
            if rowOfID.updateValue(row, forKey: ids.base[row]) != nil { throw .duplicateID(ids.base[row]) }
        }
    }

    var liveCount: Int { count - deletedCount }

    @inline(__always) func vector(_ row: Int) -> UnsafeMutablePointer<Float> { vectors.base + row * dimension }
    @inline(__always) func isDeleted(_ row: Int) -> Bool { tombstones.base[row] != 0 }
    @inline(__always) func id(_ row: Int) -> UInt64 { ids.base[row] }

    func row(of id: UInt64) -> Int? { rowOfID[id] }

    /// Checks ids before anything is appended, so a failed `append` changes nothing.
    func validate(newIDs: [UInt64]) throws(IndexError) {
        var seen = Set<UInt64>()
        seen.reserveCapacity(newIDs.count)
        for id in newIDs where rowOfID[id] != nil || !seen.insert(id).inserted { throw .duplicateID(id) }
    }

    /// Appends `n` vectors (row-major, `n × dimension`) with their ids; returns the first new row.
    func append(_ data: UnsafePointer<Float>, n: Int, ids newIDs: [UInt64]) -> Int {
        let first = count
        reserve(count + n)
        let destination = vectors.base + first * dimension
        destination.update(from: data, count: n * dimension)
        for i in 0..<n {
            if metric.normalizes { normalizeInPlace(destination + i * dimension, count: dimension) }
            ids.base[first + i] = newIDs[i]
            tombstones.base[first + i] = 0
            rowOfID[newIDs[i]] = first + i
        }
        count += n
        return first
    }

    func reserve(_ rows: Int) {
        rowReader = nil
        vectors.reserve(rows * dimension, used: count * dimension)
        ids.reserve(rows, used: count)
        tombstones.reserve(rows, used: count)
    }

    /// Marks the row holding `id` deleted; returns that row, or nil if the id is unknown.
    func delete(id: UInt64) -> Int? {
        guard let row = rowOfID.removeValue(forKey: id) else { return nil }
        tombstones.base[row] = 1
        deletedCount += 1
        return row
    }

    /// Drops deleted rows, moving live ones down in order. Returns old row → new row (−1 for dropped rows).
    @discardableResult
    func compact() -> [Int] {
        rowReader = nil
        var mapping = [Int](repeating: -1, count: count)
        var next = 0
        for row in 0..<count where tombstones.base[row] == 0 {
            if next != row {
                (vectors.base + next * dimension).update(from: vectors.base + row * dimension, count: dimension)
                ids.base[next] = ids.base[row]
            }
            tombstones.base[next] = 0
            mapping[row] = next
            next += 1
        }
        count = next
        deletedCount = 0
        rowOfID.removeAll(keepingCapacity: true)
        for row in 0..<count { rowOfID[ids.base[row]] = row }
        return mapping
    }
}
