import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit tokens bench`: encode throughput, load time and memory; scripts/bench-tokenizers runs it side
/// by side with tiktoken.
struct TokensBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure encode throughput (whole file, many short documents, multi-thread batch), load time and memory.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Encoding name.")
    var encoding = "cl100k_base"
    @Option(help: "A text file encoded as one document (repeatable: each file is its own workload).")
    var file: [String] = []
    @Option(help: "A JSONL file of strings: the many-short-documents workload.")
    var docs: String?
    @Option(name: .customLong("repeat"), help: "Repetitions (the median is reported).")
    var repetitions: Int = 5
    @Option(help: "Threads for the batch workload.")
    var threads: Int = 2
    @Flag(help: "Also measure the per-call floor: nanoseconds per encodeOrdinary/count call on tiny texts (warm).")
    var floor = false
    @Option(name: .customLong("floor-text"), help: "With --floor: time this text instead of the default ones (repeatable; for profiling one call).")
    var floorTexts: [String] = []

    struct Report: Encodable {
        var encoding: String
        var loadMilliseconds: [Double] = []
        var loadResidentMB = 0.0
        /// One entry per `--file`, in order.
        var files: [FileReport] = []
        var docsCount = 0, docsBytes = 0, docsTokens = 0
        var docsSeconds: [Double] = []
        /// Thread CPU seconds of the single-thread docs runs.
        var docsCPUSeconds: [Double] = []
        /// The docs again right after, with the caches the cold run left.
        var docsWarmSeconds: [Double] = []
        var docsWarmCPUSeconds: [Double] = []
        /// Cold caches, `batchThreads` threads.
        var batchSeconds: [Double] = []
        /// CPU seconds of the whole process (all threads) during each batch run: compared with
        /// `docsCPUSeconds` it shows how well the batch would scale on idle cores, whatever else runs.
        var batchProcessCPUSeconds: [Double] = []
        var batchThreads = 0
        /// Cold caches, the same batch call on 1 thread (`encodeOrdinaryBatch(texts, threads: 1)`), timed right
        /// after the `batchThreads` one: unlike the per-call loop of `docsSeconds` it keeps its 20,000 results.
        /// `batchSeconds` / `batch1Seconds` is the textbook parallel speedup of the call; `docsSeconds` /
        /// `batchSeconds` the acceptance figure (against the fastest single-thread way).
        var batch1Seconds: [Double] = []
        var batch1CPUSeconds: [Double] = []
        /// `--floor`: warm nanoseconds per call (thread CPU time), by call and text.
        var floor: [FloorReport] = []
    }

    struct FloorReport: Encodable {
        var call: String
        var text: String
        var nanoseconds: Double
    }

    struct FileReport: Encodable {
        var path: String
        var bytes = 0, tokens = 0
        var seconds: [Double] = []
        /// Thread CPU seconds of the single-thread runs (robust on a busy machine).
        var cpuSeconds: [Double] = []
        /// `seconds`/`cpuSeconds` start with empty piece caches (cold: only what the text itself repeats
        /// hits); `warm…` encode the same text again right after, with the caches the cold run left.
        var warmSeconds: [Double] = []
        var warmCPUSeconds: [Double] = []
        /// Thread CPU seconds of pre-tokenization alone.
        var scanCPUSeconds: [Double] = []
        var pieces = 0
    }

    static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }

    static func time(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func processCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func run() throws {
        var report = Report(encoding: encoding)
        let before = Self.residentMB()
        var tokenizer: TiktokenEncoding?
        do {
            let first = Self.time { tokenizer = try? TiktokenEncoding.load(encoding) }
            report.loadMilliseconds.append(first * 1000)
        }
        guard let enc = tokenizer else { _ = try TiktokenEncoding.load(encoding); return }
        report.loadResidentMB = Self.residentMB() - before
        for _ in 1..<max(1, repetitions) {
            report.loadMilliseconds.append(Self.time { _ = try? TiktokenEncoding.load(encoding) } * 1000)
        }
        // One untimed encode, as the tiktoken side does (`encode_ordinary("warm up")`): it builds the id-pair
        // table the merge needs (built on first encode, not at load) and the batch threads' piece caches.
        // The caches are emptied before each timed run (cold: only what the workload itself repeats hits).
        enc.prepare(threads: threads)
        for path in file {
            let text = try TokensInput.text(TokensInput.read(path), source: path, lossy: true)
            var r = FileReport(path: path, bytes: text.utf8.count)
            for _ in 0..<repetitions {
                var n = 0
                enc.resetPieceCaches()
                var cpu = Self.threadCPU()
                r.seconds.append(Self.time { n = enc.encodeOrdinary(text).count })
                r.cpuSeconds.append(Self.threadCPU() - cpu)
                cpu = Self.threadCPU()
                r.warmSeconds.append(Self.time { n = enc.encodeOrdinary(text).count })
                r.warmCPUSeconds.append(Self.threadCPU() - cpu)
                let scan = Self.threadCPU()
                r.pieces = enc.pieceCount(text)
                r.scanCPUSeconds.append(Self.threadCPU() - scan)
                r.tokens = n
            }
            report.files.append(r)
        }
        if let docs {
            let lines = TokensInput.lines(try TokensInput.text(TokensInput.read(docs), source: docs, lossy: true))
            let texts = try lines.map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
            report.docsCount = texts.count
            report.docsBytes = texts.reduce(0) { $0 + $1.utf8.count }
            report.batchThreads = threads
            for _ in 0..<repetitions {
                var n = 0
                enc.resetPieceCaches()
                var cpu = Self.threadCPU()
                report.docsSeconds.append(Self.time { for t in texts { n += enc.encodeOrdinary(t).count } })
                report.docsCPUSeconds.append(Self.threadCPU() - cpu)
                report.docsTokens = n
                cpu = Self.threadCPU()
                var warm = 0
                report.docsWarmSeconds.append(Self.time { for t in texts { warm += enc.encodeOrdinary(t).count } })
                report.docsWarmCPUSeconds.append(Self.threadCPU() - cpu)
                guard warm == n else { throw TokensFailure("cold and warm results differ") }
                enc.resetPieceCaches()
                var batch: [[Int]] = []
                let processCPU = Self.processCPU()
                report.batchSeconds.append(Self.time { batch = enc.encodeOrdinaryBatch(texts, threads: threads) })
                report.batchProcessCPUSeconds.append(Self.processCPU() - processCPU)
                let sequential = texts.map { enc.encodeOrdinary($0) }
                guard batch == sequential else { throw TokensFailure("batch and sequential results differ") }
                batch = []
                enc.resetPieceCaches()
                var single: [[Int]] = []
                cpu = Self.threadCPU()
                report.batch1Seconds.append(Self.time { single = enc.encodeOrdinaryBatch(texts, threads: 1) })
                report.batch1CPUSeconds.append(Self.threadCPU() - cpu)
                guard single == sequential else { throw TokensFailure("1-thread batch and sequential results differ") }
            }
        }
        if floor { report.floor = Self.measureFloor(enc, texts: floorTexts.isEmpty ? Self.floorTexts : floorTexts) }
        if global.json { return try Output.json(report) }
        func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.sorted()[xs.count / 2] }
        func mbps(_ bytes: Int, _ seconds: [Double]) -> String { String(format: "%.1f MB/s", Double(bytes) / 1e6 / median(seconds)) }
        var rows = [["load", String(format: "%.1f ms (first), %.1f MB resident", report.loadMilliseconds[0], report.loadResidentMB)]]
        for r in report.files {
            let name = (r.path as NSString).lastPathComponent
            rows.append(["\(name)", mbps(r.bytes, r.seconds) + " (\(r.tokens) tokens)"])
            rows.append(["\(name), CPU time", mbps(r.bytes, r.cpuSeconds)])
            rows.append(["\(name), warm cache", mbps(r.bytes, r.warmSeconds)])
            rows.append(["\(name), warm cache, CPU time", mbps(r.bytes, r.warmCPUSeconds)])
            rows.append(["\(name), pre-tokenize only, CPU time", mbps(r.bytes, r.scanCPUSeconds) + " (\(r.pieces) pieces)"])
        }
        if docs != nil {
            rows.append(["\(report.docsCount) docs, 1 thread", mbps(report.docsBytes, report.docsSeconds)])
            rows.append(["\(report.docsCount) docs, 1 thread, CPU time", mbps(report.docsBytes, report.docsCPUSeconds)])
            rows.append(["\(report.docsCount) docs, 1 thread, warm cache", mbps(report.docsBytes, report.docsWarmSeconds)])
            rows.append(["\(report.docsCount) docs, 1 thread, warm cache, CPU time", mbps(report.docsBytes, report.docsWarmCPUSeconds)])
            rows.append(["\(report.docsCount) docs, \(threads) threads", mbps(report.docsBytes, report.batchSeconds)])
            rows.append(["\(report.docsCount) docs, \(threads) threads, CPU time of all threads",
                         mbps(report.docsBytes, report.batchProcessCPUSeconds)])
            rows.append(["\(report.docsCount) docs, 1-thread batch (results kept)", mbps(report.docsBytes, report.batch1Seconds)])
            // Per-repetition ratios (each repetition times all three back to back), then their median.
            func ratio(_ a: [Double], _ b: [Double]) -> String {
                String(format: "%.2f×", median(zip(a, b).map { $0 / $1 }))
            }
            rows.append(["\(threads)-thread batch / 1-thread loop (wall)", ratio(report.docsSeconds, report.batchSeconds)])
            rows.append(["\(threads)-thread batch / 1-thread batch (wall)", ratio(report.batch1Seconds, report.batchSeconds)])
        }
        for f in report.floor {
            rows.append(["\(f.call)(\"\(f.text)\"), per call, CPU time", String(format: "%.0f ns", f.nanoseconds)])
        }
        Output.table(["WORKLOAD (\(encoding))", "MEDIAN"], rows)
    }

    static let floorTexts = ["", "a", "hello", "Apache HTTP Server (common files)",
                             "OpenStack Telemetry (Ceilometer) Alarming - API server"]

    /// Warm per-call cost of tiny texts: what a call costs beyond encoding its pieces (the best of 7 rounds).
    static func measureFloor(_ enc: TiktokenEncoding, texts: [String]) -> [FloorReport] {
        let calls = 200_000
        var out: [FloorReport] = []
        for text in texts {
            var best = [Double.infinity, .infinity]
            var sink = 0
            for _ in 0..<7 {
                var cpu = threadCPU()
                for _ in 0..<calls { sink &+= enc.encodeOrdinary(text).count }
                best[0] = min(best[0], threadCPU() - cpu)
                cpu = threadCPU()
                for _ in 0..<calls { sink &+= enc.count(text) }
                best[1] = min(best[1], threadCPU() - cpu)
            }
            if sink == -1 { print(sink) }
            out.append(FloorReport(call: "encodeOrdinary", text: text, nanoseconds: best[0] / Double(calls) * 1e9))
            out.append(FloorReport(call: "count", text: text, nanoseconds: best[1] / Double(calls) * 1e9))
        }
        return out
    }
}
