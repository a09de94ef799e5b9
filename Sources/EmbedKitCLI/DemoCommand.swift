import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit demo`: the main job end to end on the embedded defaults (local model, embedded store), on the
/// seed's review dataset when it is at hand, otherwise on this project's own README and docs.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the worked example end to end on the local defaults and report each stage.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "The reviews CSV to use (default: ../shared/data/fine_food_reviews_1k.csv when present).")
    var data: String?
    @Option(help: "Folder for the demo's outputs.") var output = "demo-out"

    func run() async throws {
        let source = DemoData.locate(explicit: data)
        Output.note("== EmbedKit \(EmbedKitVersion.string) demo")
        Output.note("data: \(source.description)")
        let doctor = DoctorCommand.report()
        Output.note("BLAS: \(doctor.blas.library); SQLite \(doctor.sqlite.version) (FTS5 \(doctor.sqlite.fts5 ? "yes" : "no"))")
        for asset in doctor.assets where !asset.verified {
            throw ValidationError("asset \(asset.name) is not ready: run `embedkit assets fetch \(asset.name)` first")
        }
        Output.note("assets: \(doctor.assets.map(\.name).joined(separator: ", ")) verified in \(doctor.cacheDirectory)")
        if global.json { try Output.json(doctor) }
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
        if let url = URL(string: cookbookURL), let data = try? Data(contentsOf: url), data.count > 100_000 {
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
