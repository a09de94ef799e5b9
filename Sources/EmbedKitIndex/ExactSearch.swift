import EmbedKitNumerics

/// Brute-force search over every live row: the SIMD kernel for one query, blocked sgemm for batches.
/// Results equal a full sort by (distance, id).
enum ExactSearch {
    /// Top `k` rows for one (already prepared) query; `accept` filters rows (nil = all live rows).
    static func search(_ storage: VectorStorage, query: UnsafePointer<Float>, k: Int,
                       accept: ((Int) -> Bool)? = nil) -> [SearchResult] {
        var top = TopKSelection(k: k)
        let d = storage.dimension
        let metric = storage.metric
        let base = storage.vectors.base
        let hasDeleted = storage.deletedCount > 0
        let n = storage.count
        let rowBytes = d * 4
        for row in 0..<n {
            // Keep the memory system busy a few rows ahead of the kernel (the scan is bandwidth-bound).
            if row &+ 4 < n {
                let ahead = UnsafeRawPointer(base + (row &+ 4) &* d)
                var line = 0
                while line < rowBytes {
                    Prefetch.read(ahead + line)
                    line &+= 64
                }
            }
            if hasDeleted && storage.isDeleted(row) { continue }
            if let accept, !accept(row) { continue }
            let distance = metric.distance(query, base + row * d, dimension: d)
            if distance <= top.threshold { top.insert(distance: distance, id: row) }
        }
        return results(storage, top)
    }

    /// Top `k` for each of `nq` prepared queries (row-major `nq × d`), by blocks of sgemm.
    static func searchBatch(_ storage: VectorStorage, queries: UnsafePointer<Float>, nq: Int, k: Int) -> [[SearchResult]] {
        let d = storage.dimension
        let n = storage.count
        let metric = storage.metric
        var tops = [TopKSelection](repeating: TopKSelection(k: k), count: nq)
        guard n > 0, nq > 0 else { return tops.map { results(storage, $0) } }
        let queryBlock = 256, rowBlock = 2048
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: queryBlock * rowBlock)
        defer { scores.deallocate() }
        // For l2: ‖q−x‖² = ‖x‖² − 2 q·x + ‖q‖²; ‖q‖² is constant per query and does not change the ranking,
        // but it is added back so reported distances are true squared distances.
        var rowNorms = [Float]()
        var queryNorms = [Float]()
        if metric == .l2 {
            rowNorms = (0..<n).map { DotProduct.compute(storage.vector($0), storage.vector($0), count: d) }
            queryNorms = (0..<nq).map { DotProduct.compute(queries + $0 * d, queries + $0 * d, count: d) }
        }
        let hasDeleted = storage.deletedCount > 0
        var q0 = 0
        while q0 < nq {
            let bq = min(queryBlock, nq - q0)
            var r0 = 0
            while r0 < n {
                let br = min(rowBlock, n - r0)
                BLAS.sgemm(transposeB: true, m: bq, n: br, k: d, alpha: metric == .l2 ? -2 : -1,
                           a: queries + q0 * d, lda: d, b: storage.vector(r0), ldb: d,
                           c: scores, ldc: br)
                for qi in 0..<bq {
                    let line = scores + qi * br
                    var top = tops[q0 + qi]
                    var threshold = top.threshold
                    let qn: Float = metric == .l2 ? queryNorms[q0 + qi] : 0
                    for j in 0..<br {
                        var distance = line[j]
                        if metric == .l2 { distance += rowNorms[r0 + j] + qn }
                        if distance <= threshold {
                            let row = r0 + j
                            if hasDeleted && storage.isDeleted(row) { continue }
                            top.insert(distance: distance, id: row)
                            threshold = top.threshold
                        }
                    }
                    tops[q0 + qi] = top
                }
                r0 += br
            }
            q0 += bq
        }
        return tops.map { results(storage, $0) }
    }

    static func results(_ storage: VectorStorage, _ top: TopKSelection) -> [SearchResult] {
        top.sorted().map { SearchResult(id: storage.id($0.id), row: $0.id, score: storage.metric.score(distance: $0.distance)) }
    }
}
