import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit doctor`: what this installation has and whether each piece works.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Report the Swift version, BLAS, SQLite/FTS5, the cache directory and every asset's state.")
    @OptionGroup var global: GlobalOptions

    struct Report: Encodable {
        let embedkitVersion: String
        let swiftVersion: String
        let platform: String
        let blas: BLASReport
        let sqlite: SQLiteReport
        let cacheDirectory: String
        let assets: [AssetsCommand.AssetReport]
        var healthy: Bool { blas.found && sqlite.fts5 && assets.allSatisfy(\.verified) }

        enum CodingKeys: String, CodingKey {
            case embedkitVersion, swiftVersion, platform, blas, sqlite, cacheDirectory, assets, healthy
        }
        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(embedkitVersion, forKey: .embedkitVersion)
            try container.encode(swiftVersion, forKey: .swiftVersion)
            try container.encode(platform, forKey: .platform)
            try container.encode(blas, forKey: .blas)
            try container.encode(sqlite, forKey: .sqlite)
            try container.encode(cacheDirectory, forKey: .cacheDirectory)
            try container.encode(assets, forKey: .assets)
            try container.encode(healthy, forKey: .healthy)
        }
    }

    struct BLASReport: Encodable {
        let found: Bool
        let library: String
        let threads: Int
        /// 2×2 sgemm checked against the hand product, so "found" means "computes".
        let sgemmCheck: Bool
    }

    struct SQLiteReport: Encodable {
        let version: String
        let fts5: Bool
    }

    static func report() -> Report {
        let store = AssetStore()
        return Report(
            embedkitVersion: EmbedKitVersion.string,
            swiftVersion: compiledSwiftVersion,
            platform: ProcessInfo.processInfo.operatingSystemVersionString,
            blas: blasReport(),
            sqlite: SQLiteReport(version: (try? SQLiteInfo.version()) ?? "unavailable", fts5: SQLiteInfo.hasFTS5()),
            cacheDirectory: store.home.path,
            assets: AssetCatalog.all.map { AssetsCommand.AssetReport(store.status(of: $0)) })
    }

    static func blasReport() -> BLASReport {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(m: 2, n: 2, k: 2, a: pa.baseAddress!, lda: 2, b: pb.baseAddress!, ldb: 2,
                               c: pc.baseAddress!, ldc: 2)
                }
            }
        }
        let ok = c == [19, 22, 43, 50]
        return BLASReport(found: ok, library: BLAS.configuration, threads: BLAS.threads, sgemmCheck: ok)
    }

    static var compiledSwiftVersion: String {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "6.1"
        #endif
    }

    func run() async throws {
        let report = Self.report()
        if global.json { return try Output.json(report) }
        Output.table(["CHECK", "RESULT"], [
            ["embedkit", report.embedkitVersion],
            ["swift (compiled with)", report.swiftVersion],
            ["platform", report.platform],
            ["BLAS", "\(report.blas.found ? "ok" : "FAILED") — \(report.blas.library), \(report.blas.threads) threads"],
            ["SQLite", "\(report.sqlite.version), FTS5 \(report.sqlite.fts5 ? "available" : "MISSING")"],
            ["cache", report.cacheDirectory],
        ] + report.assets.map { ["asset \($0.name)", $0.verified ? "verified" : "not ready — run `embedkit assets fetch \($0.name)`"] })
        if !report.healthy { throw ExitCode(1) }
    }
}
