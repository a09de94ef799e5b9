import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit demo`: the main job end to end on the embedded defaults (local model, local index file), on the
/// seed's review dataset when it is at hand, otherwise on this project's own README and docs.
///
/// With the reviews it runs the cookbook's `Get_embeddings_from_dataset` (`dataset embed --preset
/// cookbook-reviews`), reads the embedded CSV back as the later notebooks do, builds an exact cosine index, saves
/// it, and answers the cookbook's semantic-search queries.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the worked example end to end on the local defaults and report each stage.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The reviews CSV to use (default: ../shared/data/fine_food_reviews_1k.csv when present).")
    var data: String?
    @Option(help: "Folder for the demo's outputs.") var output = "demo-out"
    @Option(name: .customLong("query"), help: "A search query (repeatable; default: the cookbook's).")
    var queries: [String] = []

    struct Report: Encodable {
        var data: String
        var rows = 0
        var tokensCl100k = 0
        var embeddingsFile: String?
        var indexFile: String?
        var dimension = 0
        var seconds: [String: Double] = [:]
        var searches: [Search] = []
    }

    struct Search: Encodable {
        let query: String
        let hits: [Hit]
    }

    struct Hit: Encodable {
        let score: Float
        let text: String
    }

    func run() async throws {
        let source = DemoData.locate(explicit: data)
        let outputFolder = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        Output.note("== EmbedKit \(EmbedKitVersion.string) demo")
        Output.note("data: \(source.description)")
        let doctor = DoctorCommand.report()
        for asset in doctor.assets where !asset.verified {
            throw ValidationError("asset \(asset.name) is not ready: run `embedkit assets fetch \(asset.name)` first")
        }
        Output.note("[1/4] doctor: \(doctor.blas.library.prefix(60)); SQLite \(doctor.sqlite.version) "
                    + "(FTS5 \(doctor.sqlite.fts5 ? "yes" : "no")); assets verified in \(doctor.cacheDirectory)")

        var report = Report(data: source.description)
        let model = try await LocalEmbeddingModel.load()
        let corpus: (texts: [String], vectors: [Float], dimension: Int)
        switch source {
        case .reviews(let url, _):
            corpus = try await embedReviews(url, into: outputFolder, model: model, report: &report)
        case .projectDocs(let files):
            corpus = try await embedDocs(files, model: model, report: &report)
        }

        var clock = ContinuousClock.now
        let index = try VectorIndex(dimension: corpus.dimension, configuration: .init(metric: .cosine, kind: .flat))
        try index.add(corpus.vectors)
        let indexURL = outputFolder.appendingPathComponent("demo.ekindex")
        try index.save(to: indexURL)
        report.indexFile = indexURL.path
        report.seconds["index"] = seconds(since: clock)
        Output.note("[3/4] index: exact cosine index over \(index.count) × \(corpus.dimension) saved to \(indexURL.path)")

        clock = ContinuousClock.now
        let asked = queries.isEmpty ? defaultQueries(for: source) : queries
        let queryVectors = try await model.embed(asked)
        Output.note("[4/4] semantic search (top 3 by cosine similarity):")
        for (query, vector) in zip(asked, queryVectors) {
            let hits = try index.search(vector, k: 3).map { Hit(score: $0.score, text: corpus.texts[$0.row]) }
            report.searches.append(Search(query: query, hits: hits))
            Output.note("  \"\(query)\"")
            for hit in hits {
                let line = hit.text.split(whereSeparator: \.isNewline).joined(separator: " ")
                Output.note("    \(String(format: "%.3f", hit.score))  \(line.prefix(110))")
            }
        }
        report.seconds["search"] = seconds(since: clock)
        if global.json { try Output.json(report) }
    }

    /// The cookbook's job: `dataset embed --preset cookbook-reviews`, then read the CSV back.
    func embedReviews(_ url: URL, into folder: URL, model: LocalEmbeddingModel,
                      report: inout Report) async throws -> ([String], [Float], Int) {
        let clock = ContinuousClock.now
        let embedded = folder.appendingPathComponent("fine_food_reviews_with_embeddings_1k.csv")
        let job = DatasetJob(input: url, output: embedded, options: DatasetOptions.cookbookReviews)
        let tokenizer = try TiktokenEncoding.load(DatasetOptions.presetEncoding)
        let summary = try await job.run(tokenizer: tokenizer, model: model)
        report.rows = summary.counts.kept
        report.tokensCl100k = summary.counts.tokensTotal
        report.embeddingsFile = embedded.path
        report.seconds["dataset"] = seconds(since: clock)
        Output.note("[2/4] dataset embed --preset cookbook-reviews: \(summary.counts.kept) rows, "
                    + "\(summary.counts.tokensTotal) cl100k tokens (min \(summary.counts.tokensMin), "
                    + "median \(summary.counts.tokensMedian), max \(summary.counts.tokensMax)), embedded with "
                    + "\(model.name) in \(String(format: "%.1f", report.seconds["dataset"] ?? 0)) s → \(embedded.path)")
        let table = try EmbeddedTable(csv: embedded)
        report.dimension = table.dimension
        let titles = (0..<table.rows.count).map { row in
            "\(table.value("Summary", row: row) ?? "") — \(table.value("Text", row: row) ?? "")"
        }
        return (titles, table.vectors, table.dimension)
    }

    /// Fallback corpus: the project's own README and docs, one paragraph per text.
    func embedDocs(_ files: [URL], model: LocalEmbeddingModel,
                   report: inout Report) async throws -> ([String], [Float], Int) {
        let clock = ContinuousClock.now
        let tokenizer = try TiktokenEncoding.load("cl100k_base")
        let paragraphs = files.flatMap { file -> [String] in
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            return text.components(separatedBy: "\n\n")
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { $0.count >= 40 }
        }
        guard !paragraphs.isEmpty else { throw ValidationError("no README or docs found to use as the demo's text") }
        report.rows = paragraphs.count
        report.tokensCl100k = tokenizer.countBatch(paragraphs).reduce(0, +)
        let vectors = try await model.embed(paragraphs)
        report.dimension = model.dimension
        report.seconds["embed"] = seconds(since: clock)
        Output.note("[2/4] embedded \(paragraphs.count) paragraphs (\(report.tokensCl100k) cl100k tokens) with \(model.name)")
        return (paragraphs, vectors.flatMap { $0 }, model.dimension)
    }

    func defaultQueries(for source: DemoData) -> [String] {
        switch source {
        case .reviews: return ["delicious beans", "whole wheat pasta", "bad delivery", "spoilt", "pet food"]
        case .projectDocs: return ["how do I run the tests?", "where are models cached?"]
        }
    }

    func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Where the demo's text comes from, in the order the README promises.
enum DemoData: CustomStringConvertible {
    case reviews(URL, origin: String)
    case projectDocs([URL])

    static let cookbookURL =
        "https://raw.githubusercontent.com/openai/openai-cookbook/main/examples/data/fine_food_reviews_1k.csv"

    /// A path the user gave, else `../shared/data` beside the checkout or the working directory, else a cached
    /// copy of the cookbook's file, else the cookbook's published copy when online, else README and docs.
    static func locate(explicit: String?) -> DemoData {
        let fm = FileManager.default
        if let explicit { return .reviews(URL(fileURLWithPath: explicit), origin: "given on the command line") }
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath)
        for candidate in ["../shared/data/fine_food_reviews_1k.csv", "shared/data/fine_food_reviews_1k.csv"] {
            let url = cwd.appendingPathComponent(candidate).standardizedFileURL
            if fm.fileExists(atPath: url.path) { return .reviews(url, origin: "the shared seed data") }
        }
        let cached = EmbedKitPaths.home().appendingPathComponent("downloads/fine_food_reviews_1k.csv")
        if fm.fileExists(atPath: cached.path) { return .reviews(cached, origin: "the cookbook's published copy (cached)") }
        if ProcessInfo.processInfo.environment["EMBEDKIT_OFFLINE"] != "1",
           let url = URL(string: cookbookURL), let data = try? Data(contentsOf: url), data.count > 100_000 {
            try? AtomicFile.write(data, to: cached)
            if fm.fileExists(atPath: cached.path) { return .reviews(cached, origin: "the cookbook's published copy") }
        }
        let docs = (try? fm.contentsOfDirectory(at: cwd.appendingPathComponent("docs"), includingPropertiesForKeys: nil)) ?? []
        return .projectDocs([cwd.appendingPathComponent("README.md")] + docs.filter { $0.pathExtension == "md" }.sorted { $0.path < $1.path })
    }

    var description: String {
        switch self {
        case .reviews(let url, let origin): return "\(url.path) (\(origin))"
        case .projectDocs(let files): return "no review dataset at hand; using this project's README and docs (\(files.count) files)"
        }
    }
}
