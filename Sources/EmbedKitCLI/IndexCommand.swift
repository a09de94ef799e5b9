import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit index`: build, search and describe vector index files.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build, search and inspect vector indexes (exact, HNSW, int8/binary quantized).",
        subcommands: [IndexBuildCommand.self, IndexSearchCommand.self, IndexInfoCommand.self])
}

extension Metric: ExpressibleByArgument {}
extension VectorIndex.Kind: ExpressibleByArgument {}
extension VectorIndex.Quantization: ExpressibleByArgument {}

/// `embedkit index build`
struct IndexBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build an index from a float32 .npy matrix.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "float32 .npy, shape [n, d], C order.") var vectors: String
    @Option(help: "Text file with one unsigned 64-bit id per line (default: row numbers).") var ids: String?
    @Option(help: "cosine | dot | l2") var metric: Metric = .cosine
    @Option(help: "flat | hnsw") var type: VectorIndex.Kind = .flat
    @Option(help: "HNSW links per node.") var m: Int = 16
    @Option(help: "HNSW build frontier size.") var efConstruction: Int = 200
    @Option(help: "HNSW default search frontier size stored in the index.") var efSearch: Int = 64
    @Option(help: "Seed for the HNSW layer assignment.") var seed: UInt64 = 42
    @Option(help: "none | int8 | binary (flat); none | int8 | f16 (hnsw: the graph walk reads the copy, results are rescored in float32).") var quantize: VectorIndex.Quantization = .none
    @Option(help: "Build threads (default: all cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Output index file.") var out: String

    struct Report: Encodable {
        let out: String, count: Int, dimension: Int, metric: String, type: String, quantization: String
        let buildSeconds: Double, buildCPUSeconds: Double, threads: Int
    }

    /// A float32 .npy as (rows, columns, values); a 1-D array is one row.
    static func readMatrix(_ path: String) throws -> (rows: Int, columns: Int, values: [Float]) {
        let array = try NPY.readFloats(URL(fileURLWithPath: path))
        switch array.shape.count {
        case 1: return (1, array.shape[0], array.values)
        case 2: return (array.shape[0], array.shape[1], array.values)
        default: throw ValidationError("\(path) has shape \(array.shape): expected [n, d] float32")
        }
    }

    func run() async throws {
        let matrix = try Self.readMatrix(vectors)
        var idList: [UInt64]?
        if let ids {
            let lines = try String(contentsOfFile: ids, encoding: .utf8).split(whereSeparator: \.isNewline)
            idList = try lines.enumerated().map { i, line in
                guard let id = UInt64(line.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("\(ids) line \(i + 1): '\(line)' is not an unsigned 64-bit id")
                }
                return id
            }
        }
        let configuration = VectorIndex.Configuration(
            metric: metric, kind: type,
            hnsw: HNSWParameters(m: m, efConstruction: efConstruction, efSearch: efSearch, seed: seed),
            quantization: quantize)
        let index = try VectorIndex(dimension: matrix.columns, configuration: configuration)
        let clock = ContinuousClock()
        let cpuStart = IndexSearchCommand.cpuTime()
        let start = clock.now
        try index.add(matrix.values, ids: idList, threads: threads)
        let elapsed = clock.now - start
        let cpuSeconds = IndexSearchCommand.cpuTime() - cpuStart
        try index.save(to: URL(fileURLWithPath: out))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let report = Report(out: out, count: index.count, dimension: index.dimension, metric: metric.rawValue,
                            type: type.rawValue, quantization: quantize.rawValue, buildSeconds: seconds, buildCPUSeconds: cpuSeconds, threads: threads)
        if global.json { try Output.json(report) } else {
            Output.table(["out", "count", "dim", "metric", "type", "quantize", "build s"],
                         [[out, "\(report.count)", "\(report.dimension)", report.metric, report.type,
                           report.quantization, String(format: "%.2f", seconds)]])
        }
    }
}

/// `embedkit index search`
struct IndexSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search an index with a float32 .npy of queries; writes int64 row numbers.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Index file.") var index: String
    @Option(help: "float32 .npy, shape [nq, d].") var queries: String
    @Option(name: .short, help: "Results per query.") var k: Int = 10
    @Option(help: "HNSW search frontier size (default: the index's).") var ef: Int?
    @Option(help: "Quantized indexes: candidates rescored in float32 (HNSW int8/f16: the best N of the ef found; default 2·k).") var rescore: Int?
    @Option(help: "Search threads (BLAS threads for flat batches).") var threads: Int = 1
    @Flag(help: "Flat indexes: search query by query instead of blocked sgemm.") var single = false
    @Option(help: "Output .npy: int64 [nq, k] row numbers, -1 where fewer than k results.") var output: String

    struct Report: Encodable {
        let queries: Int, k: Int, seconds: Double, queriesPerSecond: Double, output: String
        /// CPU seconds spent searching (thread CPU for one thread, process CPU otherwise): robust on a shared
        /// machine, equal to wall time × threads when the machine is idle.
        let cpuSeconds: Double
        /// Resident memory of the process after the searches, and its peak (MiB, from /proc/self/status).
        let residentMB: Double, peakResidentMB: Double
    }

    /// VmRSS and VmHWM of this process in MiB (0 where /proc is unavailable).
    static func residentMemory() -> (current: Double, peak: Double) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return (field("VmRSS:"), field("VmHWM:"))
    }

    /// CPU seconds of the whole process, or of the calling thread only (single-thread searches: idle BLAS
    /// worker threads spinning elsewhere in the process are not search work).
    static func cpuTime(threadOnly: Bool = false) -> Double {
        var t = timespec()
        clock_gettime(threadOnly ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    func run() async throws {
        let loaded = try VectorIndex.load(contentsOf: URL(fileURLWithPath: index))
        let q = try IndexBuildCommand.readMatrix(queries)
        guard q.columns == loaded.dimension else {
            throw ValidationError("queries have dimension \(q.columns), the index \(loaded.dimension)")
        }
        BLAS.threads = threads
        let clock = ContinuousClock()
        let cpuStart = Self.cpuTime(threadOnly: threads == 1)
        let start = clock.now
        var results: [[SearchResult]]
        if loaded.configuration.kind == .flat && loaded.configuration.quantization == .none && !single {
            results = try loaded.search(batch: q.values, k: k)
        } else if threads > 1 {
            results = try loaded.search(batch: q.values, k: k, ef: ef, rescore: rescore, threads: threads)
        } else {
            results = []
            results.reserveCapacity(q.rows)
            for i in 0..<q.rows {
                let query = Array(q.values[(i * q.columns)..<((i + 1) * q.columns)])
                results.append(try loaded.search(query, k: k, ef: ef, rescore: rescore))
            }
        }
        let elapsed = clock.now - start
        let cpuSeconds = Self.cpuTime(threadOnly: threads == 1) - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var rows = [Int64](repeating: -1, count: q.rows * k)
        for (i, hits) in results.enumerated() {
            for (j, hit) in hits.prefix(k).enumerated() { rows[i * k + j] = Int64(hit.row) }
        }
        try NPY.encode(rows, shape: [q.rows, k]).write(to: URL(fileURLWithPath: output), options: .atomic)
        let memory = Self.residentMemory()
        let report = Report(queries: q.rows, k: k, seconds: seconds, queriesPerSecond: Double(q.rows) / max(seconds, 1e-9),
                            output: output, cpuSeconds: cpuSeconds, residentMB: memory.current,
                            peakResidentMB: memory.peak)
        if global.json { try Output.json(report) } else {
            Output.table(["queries", "k", "seconds", "cpu s", "QPS", "output"],
                         [["\(q.rows)", "\(k)", String(format: "%.3f", seconds), String(format: "%.3f", cpuSeconds),
                           String(format: "%.0f", report.queriesPerSecond), output]])
        }
    }
}

/// `embedkit index info`
struct IndexInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe an index file (verifies its checksum).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Index file.") var index: String

    struct Report: Encodable {
        let path: String, type: String, metric: String, dimension: Int, count: Int, live: Int, quantization: String
        let m: Int?, efConstruction: Int?, efSearch: Int?, vectorBytes: Int, quantizedBytes: Int, graphBytes: Int
    }

    func run() async throws {
        let loaded = try VectorIndex.load(contentsOf: URL(fileURLWithPath: index))
        let c = loaded.configuration
        let hnsw = c.kind == .hnsw
        let report = Report(path: index, type: c.kind.rawValue, metric: c.metric.rawValue, dimension: loaded.dimension,
                            count: loaded.count, live: loaded.liveCount, quantization: c.quantization.rawValue,
                            m: hnsw ? c.hnsw.m : nil, efConstruction: hnsw ? c.hnsw.efConstruction : nil,
                            efSearch: hnsw ? c.hnsw.efSearch : nil, vectorBytes: loaded.vectorBytes,
                            quantizedBytes: loaded.quantizedBytes, graphBytes: loaded.graphBytes)
        if global.json { try Output.json(report) } else {
            var rows = [["type", report.type], ["metric", report.metric], ["dimension", "\(report.dimension)"],
                        ["count", "\(report.count)"], ["live", "\(report.live)"], ["quantization", report.quantization],
                        ["vector bytes", "\(report.vectorBytes)"], ["quantized bytes", "\(report.quantizedBytes)"],
                        ["graph bytes", "\(report.graphBytes)"]]
            if hnsw { rows += [["M", "\(c.hnsw.m)"], ["efConstruction", "\(c.hnsw.efConstruction)"], ["efSearch", "\(c.hnsw.efSearch)"]] }
            Output.table(["field", "value"], rows)
        }
    }
}
