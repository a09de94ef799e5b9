import EmbedKitCKernels

/// Which rows an HNSW graph walk scores, and how: float32 vectors, half-precision copies, or int8 codes (with a
/// 16-bit quantized query). Distances are "smaller is nearer" and only rank nodes; reported scores are float32.
/// Raw pointers into buffers the graph owns; shared read-only by build threads (lists change only under locks).
struct HNSWTraversal: @unchecked Sendable {
    var layer: ek_hnsw_layer
    /// int8 ranges (per-dimension minimum, then per-dimension step), nil for the float kinds.
    let lowest: UnsafePointer<Float>?
    let step: UnsafePointer<Float>?
    let dimension: Int

    var isInt8: Bool { lowest != nil }

    /// Scores float32 rows (`.none`) or half-precision rows.
    init(links: UnsafePointer<UInt32>, stride: Int, rows: UnsafeRawPointer, rowBytes: Int, half: Bool,
         metric: Metric, dimension: Int, locks: StripedLocks?) {
        let l2 = metric == .l2
        let kind = half ? (l2 ? EK_HNSW_F16_L2 : EK_HNSW_F16_DOT) : (l2 ? EK_HNSW_F32_L2 : EK_HNSW_F32_DOT)
        layer = ek_hnsw_layer(links: links, stride: stride, rows: rows, row_bytes: rowBytes, dimension: dimension,
                              kind: Int32(kind), norms: nil, locks: locks.map { UnsafeMutableRawPointer($0.base) },
                              lock_mask: locks?.mask ?? 0)
        lowest = nil
        step = nil
        self.dimension = dimension
    }

    /// Scores int8 codes of a `ScalarQuantizer`.
    init(links: UnsafePointer<UInt32>, stride: Int, codes: ScalarQuantizer, metric: Metric, locks: StripedLocks?) {
        let d = codes.dimension
        let kind = metric == .l2 ? EK_HNSW_I8_L2 : EK_HNSW_I8_DOT
        layer = ek_hnsw_layer(links: links, stride: stride, rows: UnsafeRawPointer(codes.codes.base), row_bytes: d,
                              dimension: d, kind: Int32(kind), norms: UnsafePointer(codes.squaredNorms.base),
                              locks: locks.map { UnsafeMutableRawPointer($0.base) }, lock_mask: locks?.mask ?? 0)
        lowest = UnsafePointer(codes.ranges.base)
        step = UnsafePointer(codes.ranges.base + d)
        dimension = d
    }

    /// Fills `out` for `query`: for int8 traversal, quantizes q·step to 16 bits into `buffer` (d Int16s).
    func prepare(_ query: UnsafePointer<Float>, buffer: UnsafeMutablePointer<Int16>) -> ek_hnsw_query {
        guard let lowest, let step else {
            return ek_hnsw_query(f32: query, i16: nil, scale: 1, offset: 0, norm: 0)
        }
        // q·x̂ = Σ q·lowest + Σ w·(code + 128) with w = q·step; w ≈ scale·w16, |w16| small enough that
        // Σ w16·code cannot overflow int32.
        let d = dimension
        var offset: Float = 0, wSum: Float = 0, largest: Float = 0, norm: Float = 0
        for j in 0..<d {
            let w = query[j] * step[j]
            offset += query[j] * lowest[j]
            wSum += w
            largest = max(largest, abs(w))
            norm += query[j] * query[j]
        }
        let limit = Float(min(32767, Int(Int32.max) / (128 * max(d, 1))))
        let scale = largest > 0 ? largest / limit : 1
        let inverse = 1 / scale
        for j in 0..<d { buffer[j] = Int16((query[j] * step[j] * inverse).rounded()) }
        return ek_hnsw_query(f32: query, i16: UnsafePointer(buffer), scale: scale, offset: offset + 128 * wSum,
                             norm: norm)
    }

    @inline(__always) func distance(_ query: UnsafePointer<ek_hnsw_query>, _ node: Int) -> Float {
        withUnsafePointer(to: layer) { ek_hnsw_distance($0, query, UInt32(truncatingIfNeeded: node)) }
    }
}
