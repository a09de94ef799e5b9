import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit dataset embed …`: the Cookbook's "get embeddings from a dataset" job.
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Embed tables: CSV in, exact token counts and embeddings out, ready for pandas.",
        subcommands: [DatasetEmbedCommand.self]
    )
}

struct DatasetEmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Select rows of a CSV, count their tokens exactly and embed them, resumably.",
        discussion: """
        Steps, in the OpenAI Cookbook's order: --columns, --dropna, --template (with --strip), --sort-by (stable), \
        --tail, --drop, n_tokens, --max-tokens, --keep-last, embed. Rows whose combined text is empty are dropped \
        and counted. An interrupted run leaves OUTPUT.checkpoint; run the same command again to finish it.
        Example: embedkit dataset embed fine_food_reviews_1k.csv --output reviews_embedded.csv --preset cookbook-reviews
        """
    )

    @Argument(help: "The CSV to read (RFC 4180; an unnamed first column is the row index).")
    var input: String

    @Option(name: .long, help: "Where to write the result (required unless --dry-run).")
    var output: String?

    @Option(name: .long, help: "Start from a named set of flags: cookbook-reviews (the Cookbook's fine-food job).")
    var preset: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Columns to keep (space or comma separated).")
    var columns: [String] = []

    @Flag(name: .long, help: "Drop rows with a missing value in a kept column (pandas' dropna).")
    var dropna = false

    @Option(name: .long, help: "How to build `combined`, e.g. \"Title: {Summary}; Content: {Text}\".")
    var template: String?

    @Flag(name: .long, help: "Strip each templated value as Python's str.strip() does.")
    var strip = false

    @Option(name: .customLong("sort-by"), help: "Column to sort by (stable; numeric when all values are numbers).")
    var sortBy: String?

    @Option(name: .long, help: "Keep the last N rows after the sort.")
    var tail: Int?

    @Option(name: .long, parsing: .upToNextOption, help: "Columns to leave out of the output after the sort.")
    var drop: [String] = []

    @Option(name: .customLong("max-tokens"), help: "Keep rows whose combined text has at most N tokens.")
    var maxTokens: Int?

    @Option(name: .customLong("keep-last"), help: "After the token filter, keep the last N rows.")
    var keepLast: Int?

    @Option(name: .long, help: "Token encoding for n_tokens: cl100k_base (default), o200k_base, p50k_base, r50k_base.")
    var encoding: String?

    @Option(name: .long, help: "Count tokens as this OpenAI model does (e.g. text-embedding-3-small, gpt-4o).")
    var model: String?

    @Option(name: .customLong("embedding-model"),
            help: "all-MiniLM-L6-v2 (local, default) or a local model folder.")
    var embeddingModel: String?

    @Option(name: .customLong("batch-size"), help: "Texts per embedding call.")
    var batchSize = 64

    @Option(name: .long, help: "csv | jsonl | npy (default: from the output's extension).")
    var format: String?

    @Flag(name: .customLong("dry-run"), help: "Count rows, tokens and cost; embed nothing.")
    var dryRun = false

    @Flag(name: .customLong("skip-bad-rows"), help: "Skip malformed rows (and count them) instead of stopping.")
    var skipBadRows = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if output == nil && !dryRun { throw ValidationError("give --output FILE (or --dry-run to only count)") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let format, DatasetOutputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be one of: csv, jsonl, npy")
        }
        if encoding != nil && model != nil { throw ValidationError("give --encoding or --model, not both") }
        for (name, value) in [("--tail", tail), ("--max-tokens", maxTokens), ("--keep-last", keepLast)] {
            if let value, value < 0 { throw ValidationError("\(name) must not be negative") }
        }
    }

    func run() async throws {
        let options = try makeOptions()
        let outputURL = URL(fileURLWithPath: output ?? "/dev/null")
        let job = DatasetJob(input: URL(fileURLWithPath: input), output: outputURL,
                             format: format.flatMap(DatasetOutputFormat.init(rawValue:)),
                             options: options, batchSize: batchSize)
        let tokenizer = try DatasetResources.tokenizer(encoding: encoding, model: model)
        let progress = ProgressLine.forStandardError()
        let summary: DatasetSummary
        do {
            if dryRun {
                summary = try job.dryRun(tokenizer: tokenizer, progress: progress?.handler)
            } else {
                let embedder = try await DatasetResources.embeddingModel(embeddingModel)
                summary = try await job.run(tokenizer: tokenizer, model: embedder, progress: progress?.handler)
            }
        } catch {
            progress?.finish()
            throw error
        }
        progress?.finish()
        if global.json { return try Output.json(summary) }
        DatasetSummaryPrinter.print(summary)
    }

    private func makeOptions() throws -> DatasetOptions {
        var options = DatasetOptions()
        if let preset {
            guard let named = DatasetOptions.presets[preset] else { throw DatasetError.unknownPreset(preset) }
            options = named
        }
        let columnList = columns.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if !columnList.isEmpty { options.columns = columnList }
        if dropna { options.dropMissing = true }
        if let template { options.template = template }
        if strip { options.strip = true }
        if let sortBy { options.sortBy = sortBy }
        if let tail { options.tail = tail }
        let dropList = drop.flatMap { $0.split(separator: ",").map(String.init) }
        if !dropList.isEmpty { options.dropColumns = dropList }
        if let maxTokens { options.maxTokens = maxTokens }
        if let keepLast { options.keepLast = keepLast }
        if skipBadRows { options.skipBadRows = true }
        return options
    }
}

/// The human-readable summary of a dataset job.
enum DatasetSummaryPrinter {
    static func print(_ summary: DatasetSummary) {
        let c = summary.counts
        var rows: [[String]] = [
            ["rows read", "\(c.rowsRead)"],
            ["rows kept", "\(c.kept)"],
            ["tokens (\(summary.encoding))", "\(c.tokensTotal) (min \(c.tokensMin), median \(format(c.tokensMedian)), max \(c.tokensMax))"],
        ]
        if c.badRowsSkipped > 0 { rows.append(["malformed rows skipped", "\(c.badRowsSkipped)"]) }
        if c.droppedMissing > 0 { rows.append(["dropped: missing value", "\(c.droppedMissing)"]) }
        if c.droppedEmpty > 0 { rows.append(["dropped: empty text", "\(c.droppedEmpty)"]) }
        if c.droppedOverMaxTokens > 0 { rows.append(["dropped: over --max-tokens", "\(c.droppedOverMaxTokens)"]) }
        if let model = summary.embeddingModel {
            rows.append(["embedding model", "\(model) (dimension \(summary.dimension ?? 0))"])
            rows.append(["rows embedded", "\(summary.rowsEmbedded)" + (summary.rowsResumed > 0 ? " (+\(summary.rowsResumed) from checkpoint)" : "")])
        }
        if let output = summary.output { rows.append(["output", "\(output) (\(summary.format))"]) }
        rows.append(["time", String(format: "%.2f s", summary.seconds)])
        for cost in summary.costs {
            rows.append(["cost with \(cost.model)", String(format: "$%.4f ($%.2f / 1M tokens)", cost.usd, cost.usdPerMillionTokens)])
        }
        Output.table(["", summary.dryRun ? "dry run" : "done"], rows)
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
