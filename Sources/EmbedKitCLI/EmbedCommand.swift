import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit embed`: texts in, vectors out, with a local model.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed text with a local model (default all-MiniLM-L6-v2).",
        discussion: """
        Without --jsonl the whole input (FILE or standard input) is one text and the output one JSON array.
        With --jsonl each input line is a JSON string and each output line the JSON array of its vector, in order.
        --output FILE.npy writes a float32 [n, d] NumPy array; FILE.jsonl writes one JSON array per line.
        """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "A known model name (`embedkit models list`) or the path of a Hugging Face model folder.")
    var model: String = AssetCatalog.allMiniLML6v2.name
    @Option(name: .long, help: "Keep the first N dimensions (Matryoshka), renormalized.") var dimensions: Int?
    @Flag(name: .customLong("no-normalize"), help: "Do not L2-normalize the vectors.") var noNormalize = false
    @Option(name: .customLong("max-length"), help: "Tokens per input including [CLS]/[SEP] (default: the model's).") var maxLength: Int?
    @Option(name: .long, help: "Text prepended to every input (e.g. \"query: \").") var prefix: String = ""
    @Flag(name: .long, help: "Input is JSON Lines: one JSON string per line.") var jsonl = false
    @Option(name: .long, help: "Write vectors to FILE.npy or FILE.jsonl instead of standard output.") var output: String?
    @Option(name: .long, help: "Parallel workers (default: active cores).") var threads: Int?
    @Flag(name: .long, help: "Print texts/s and peak memory to standard error.") var timing = false
    @Flag(name: .long, help: "Dynamically quantized int8 linear layers (Intel AMX only; faster, cosine ≈ 0.99x vs float32).") var int8 = false
    @Argument(help: "Input file (default: standard input).") var file: String?

    func validate() throws {
        if let output, !(output.hasSuffix(".npy") || output.hasSuffix(".jsonl")) {
            throw ValidationError("--output must end in .npy or .jsonl (got \(output))")
        }
    }

    func run() async throws {
        let options = LocalEmbeddingOptions(dimensions: dimensions, normalize: noNormalize ? false : nil, maxLength: maxLength,
                                            queryPrefix: prefix, workers: threads,
                                            matrixEngine: int8 ? .amxInt8 : nil)
        let model = try await LocalEmbeddingModel.load(model, options: options)
        let data: Data
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let texts = try jsonl ? TextInput.jsonLines(data) : [TextInput.utf8(data, source: file ?? "standard input")]
        let started = Date()
        let vectors = try await model.embed(texts)
        let seconds = Date().timeIntervalSince(started)
        if timing {
            Output.note(String(format: "embedded %d texts in %.3f s: %.1f texts/s; peak RSS %.0f MB",
                               texts.count, seconds, Double(texts.count) / max(seconds, 1e-9), ProcessMemory.peakResidentMB))
        }
        if let output {
            let url = URL(fileURLWithPath: output)
            if output.hasSuffix(".npy") {
                try NPY.write(rows: vectors, width: model.dimension, to: url)
            } else {
                try (vectors.map(TextInput.jsonArray).joined(separator: "\n") + (vectors.isEmpty ? "" : "\n"))
                    .write(to: url, atomically: true, encoding: .utf8)
            }
        } else if jsonl {
            var out = ""
            for v in vectors { out += TextInput.jsonArray(v); out += "\n" }
            FileHandle.standardOutput.write(Data(out.utf8))
        } else {
            print(TextInput.jsonArray(vectors[0]))
        }
    }
}

/// Reading texts for the embedding commands and writing vectors as JSON.
enum TextInput {
    /// Each non-empty line must be a JSON string.
    static func jsonLines(_ data: Data) throws -> [String] {
        var texts: [String] = []
        for (n, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            if trimmed.isEmpty { continue }
            guard let text = try? JSONSerialization.jsonObject(with: Data(trimmed), options: [.fragmentsAllowed]) as? String else {
                throw ValidationError("line \(n + 1) is not a JSON string (with --jsonl every line must be one, e.g. \"some text\")")
            }
            texts.append(text)
        }
        return texts
    }

    static func utf8(_ data: Data, source: String) throws -> String {
        guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(source) is not valid UTF-8") }
        return text
    }

    /// Shortest round-tripping decimal for each float (Swift's description), as a JSON array.
    static func jsonArray(_ v: [Float]) -> String { "[" + v.map { "\($0)" }.joined(separator: ",") + "]" }
}

/// Peak resident memory of this process (Linux /proc; 0 elsewhere).
enum ProcessMemory {
    static var peakResidentMB: Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
