import Foundation

extension VectorIndex {
    /// Writes the index to `url` atomically: a temporary file beside it is written, fsynced and renamed over
    /// `url`, so a crash or SIGKILL mid-save leaves the previous file intact.
    public func save(to url: URL) throws {
        typealias Tag = IndexFileLayout.Tag
        func raw<T>(_ buffer: GrowableBuffer<T>, _ count: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: buffer.base, count: count * MemoryLayout<T>.stride)
        }
        let n = storage.count
        var sections: [(Tag, UnsafeRawBufferPointer)] = [
            (.vectors, raw(storage.vectors, n * dimension)),
            (.ids, raw(storage.ids, n)),
            (.tombstones, raw(storage.tombstones, n)),
        ]
        var meta: [UInt64] = []
        if let graph {
            let p = graph.parameters
            meta = [UInt64(p.m), UInt64(p.efConstruction), UInt64(p.efSearch), p.seed, UInt64(graph.nodeCount),
                    UInt64(graph.entryPoint + 1), UInt64(graph.maxLevel + 1), UInt64(graph.upperPoolUsed)]
            sections += [
                (.hnswLevel0, raw(graph.level0, graph.nodeCount * graph.stride0)),
                (.hnswLevels, raw(graph.levels, graph.nodeCount)),
                (.hnswUpperOffsets, raw(graph.upperOffsets, graph.nodeCount)),
                (.hnswUpperPool, raw(graph.upperPool, graph.upperPoolUsed)),
            ]
            if let half = graph.half { sections.append((.hnswHalf, raw(half, graph.halfCount * dimension))) }
        }
        if let scalar {
            sections += [
                (.int8Ranges, raw(scalar.ranges, 2 * dimension)),
                (.int8Codes, raw(scalar.codes, scalar.count * dimension)),
                (.int8Norms, raw(scalar.squaredNorms, scalar.count)),
            ]
        }
        if let binary {
            sections += [
                (.binaryMeans, raw(binary.means, dimension)),
                (.binaryBits, raw(binary.bits, binary.count * binary.words)),
            ]
        }
        let header = IndexFileLayout.Header(
            kind: configuration.kind == .hnsw ? 1 : 0, dimension: UInt32(dimension), metric: metric.code,
            count: UInt64(n), quantization: Self.quantizationCode(configuration.quantization))
        try meta.withUnsafeBytes { metaBytes in
            var all = sections
            if graph != nil { all.insert((.hnswMeta, metaBytes), at: 3) }
            try IndexFileLayout.write(to: url, header: header, sections: all)
        }
    }

    static func quantizationCode(_ q: Quantization) -> UInt32 {
        switch q {
        case .none: 0
        case .int8: 1
        case .binary: 2
        case .f16: 3
        }
    }

    /// Opens an index saved by `save(to:)`. The file is memory-mapped (pages load on first touch) after its size
    /// and checksum are verified; a truncated or corrupted file throws `IndexError` saying so.
    public static func load(contentsOf url: URL) throws(IndexError) -> VectorIndex {
        let path = url.path
        let loaded = try IndexFileLayout.load(path: path)
        let h = loaded.header
        guard let metric = Metric(code: h.metric) else { throw .corrupt(path: path, reason: "unknown metric \(h.metric)") }
        let d = Int(h.dimension)
        guard (1...65536).contains(d), h.count < UInt64(Int32.max) else {
            throw .corrupt(path: path, reason: "dimension \(d), count \(h.count)")
        }
        let n = Int(h.count)
        let kind: Kind = h.kind == 1 ? .hnsw : .flat
        let codes: [UInt32: Quantization] = [0: .none, 1: .int8, 2: .binary, 3: .f16]
        guard let quantization = codes[h.quantization] else {
            throw .corrupt(path: path, reason: "unknown quantization \(h.quantization)")
        }
        let storage = try VectorStorage(
            dimension: d, metric: metric, count: n,
            vectors: loaded.buffer(.vectors, Float.self, count: n * d, path: path),
            ids: loaded.buffer(.ids, UInt64.self, count: n, path: path),
            tombstones: loaded.buffer(.tombstones, UInt8.self, count: n, path: path))
        var configuration = Configuration(metric: metric, kind: kind, quantization: quantization)
        var graph: HNSWGraph?
        if kind == .hnsw {
            let meta = try loaded.buffer(.hnswMeta, UInt64.self, count: 8, path: path)
            let m = meta.base
            let parameters = HNSWParameters(m: Int(m[0]), efConstruction: Int(m[1]), efSearch: Int(m[2]), seed: m[3])
            do { try parameters.validate() } catch { throw .corrupt(path: path, reason: "HNSW parameters") }
            configuration.hnsw = parameters
            let nodes = Int(m[4]), pool = Int(m[7])
            guard nodes == n, m[5] <= UInt64(nodes), m[6] <= 64 else { throw .corrupt(path: path, reason: "HNSW header") }
            let stride0 = 2 * parameters.m + 1
            graph = try HNSWGraph(
                storage: storage, parameters: parameters, nodeCount: nodes,
                level0: loaded.buffer(.hnswLevel0, UInt32.self, count: nodes * stride0, path: path),
                levels: loaded.buffer(.hnswLevels, UInt8.self, count: nodes, path: path),
                upperOffsets: loaded.buffer(.hnswUpperOffsets, UInt64.self, count: nodes, path: path),
                upperPool: loaded.buffer(.hnswUpperPool, UInt32.self, count: pool, path: path),
                upperPoolUsed: pool, entryPoint: Int(m[5]) - 1, maxLevel: Int(m[6]) - 1)
            if quantization == .f16 {
                try graph?.adoptHalf(loaded.buffer(.hnswHalf, UInt16.self, count: nodes * d, path: path))
            }
        }
        var scalar: ScalarQuantizer?
        var binary: BinaryQuantizer?
        switch quantization {
        case .int8:
            scalar = try ScalarQuantizer(
                dimension: d, count: n,
                ranges: loaded.buffer(.int8Ranges, Float.self, count: 2 * d, path: path),
                codes: loaded.buffer(.int8Codes, Int8.self, count: n * d, path: path),
                squaredNorms: loaded.buffer(.int8Norms, Float.self, count: n, path: path))
        case .binary:
            let words = (d + 63) / 64
            binary = try BinaryQuantizer(
                dimension: d, count: n,
                means: loaded.buffer(.binaryMeans, Float.self, count: d, path: path),
                bits: loaded.buffer(.binaryBits, UInt64.self, count: n * words, path: path))
        case .none, .f16: break
        }
        graph?.codes = scalar
        if graph != nil && quantization != .none {
            // Graph walks read the int8 / f16 copy; float32 rows are read only to rescore results, so they need
            // not stay resident after the checksum pass touched them.
            loaded.releasePages(.vectors)
            if let offset = loaded.offset(.vectors) {
                storage.rowReader = RowReader(path: path, offset: offset, rowBytes: d * 4)
            }
        }
        return VectorIndex(dimension: d, configuration: configuration, storage: storage, graph: graph,
                           scalar: scalar, binary: binary)
    }
}
