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
    @Option(help: "A text file encoded as one document.")
    var file: String?
    @Option(help: "A JSONL file of strings: the many-short-documents workload.")
    var docs: String?
    @Option(name: .customLong("repeat"), help: "Repetitions (the median is reported).")
    var repetitions: Int = 5
    @Option(help: "Threads for the batch workload.")
    var threads: Int = 2

    struct Report: Encodable {
        var encoding: String
        var loadMilliseconds: [Double] = []
        var loadResidentMB = 0.0
        var fileBytes = 0, fileTokens = 0
        var fileSeconds: [Double] = []
        /// Thread CPU seconds of the single-thread runs (robust on a busy machine).
        var fileCPUSeconds: [Double] = []
        var docsCPUSeconds: [Double] = []
        /// Thread CPU seconds of pre-tokenization alone over the file.
        var scanCPUSeconds: [Double] = []
        var pieces = 0
        var docsCount = 0, docsBytes = 0, docsTokens = 0
        var docsSeconds: [Double] = []
        var batchSeconds: [Double] = []
        var batchThreads = 0
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
        if let file {
            let text = try TokensInput.text(TokensInput.read(file), source: file, lossy: true)
            report.fileBytes = text.utf8.count
            for _ in 0..<repetitions {
                var n = 0
                let cpu = Self.threadCPU()
                report.fileSeconds.append(Self.time { n = enc.encodeOrdinary(text).count })
                report.fileCPUSeconds.append(Self.threadCPU() - cpu)
                let scan = Self.threadCPU()
                let pieces = enc.pieceCount(text)
                report.scanCPUSeconds.append(Self.threadCPU() - scan)
                report.pieces = pieces
                report.fileTokens = n
            }
        }
        if let docs {
            let lines = TokensInput.lines(try TokensInput.text(TokensInput.read(docs), source: docs, lossy: true))
            let texts = try lines.map { try JSONDecoder().decode(String.self, from: Data($0.utf8)) }
            report.docsCount = texts.count
            report.docsBytes = texts.reduce(0) { $0 + $1.utf8.count }
            report.batchThreads = threads
            for _ in 0..<repetitions {
                var n = 0
                let cpu = Self.threadCPU()
                report.docsSeconds.append(Self.time { for t in texts { n += enc.encodeOrdinary(t).count } })
                report.docsCPUSeconds.append(Self.threadCPU() - cpu)
                report.docsTokens = n
                var batch: [[Int]] = []
                report.batchSeconds.append(Self.time { batch = enc.encodeOrdinaryBatch(texts, threads: threads) })
                guard batch.reduce(0, { $0 + $1.count }) == n else { throw ValidationError("batch and sequential results differ") }
            }
        }
        if global.json { return try Output.json(report) }
        func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.sorted()[xs.count / 2] }
        func mbps(_ bytes: Int, _ seconds: [Double]) -> String { String(format: "%.1f MB/s", Double(bytes) / 1e6 / median(seconds)) }
        var rows = [["load", String(format: "%.1f ms (first), %.1f MB resident", report.loadMilliseconds[0], report.loadResidentMB)]]
        if file != nil {
            rows.append(["whole file", mbps(report.fileBytes, report.fileSeconds) + " (\(report.fileTokens) tokens)"])
            rows.append(["whole file, CPU time", mbps(report.fileBytes, report.fileCPUSeconds)])
            rows.append(["pre-tokenize only, CPU time", mbps(report.fileBytes, report.scanCPUSeconds) + " (\(report.pieces) pieces)"])
        }
        if docs != nil {
            rows.append(["\(report.docsCount) docs, 1 thread", mbps(report.docsBytes, report.docsSeconds)])
            rows.append(["\(report.docsCount) docs, 1 thread, CPU time", mbps(report.docsBytes, report.docsCPUSeconds)])
            rows.append(["\(report.docsCount) docs, \(threads) threads", mbps(report.docsBytes, report.batchSeconds)])
        }
        Output.table(["WORKLOAD (\(encoding))", "MEDIAN"], rows)
    }
}
