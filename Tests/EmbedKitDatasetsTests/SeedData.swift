import Foundation

/// Locates the seed data (`fine_food_reviews_1k.csv`) and this suite's fixtures.
enum SeedData {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The seed CSV: `$EMBEDKIT_SHARED/data`, `<repo>/../shared/data`, or `/work/shared/data`.
    static var reviews: URL? {
        var candidates: [URL] = []
        if let shared = ProcessInfo.processInfo.environment["EMBEDKIT_SHARED"] {
            candidates.append(URL(fileURLWithPath: shared).appendingPathComponent("data/fine_food_reviews_1k.csv"))
        }
        candidates.append(repository.deletingLastPathComponent().appendingPathComponent("shared/data/fine_food_reviews_1k.csv"))
        candidates.append(URL(fileURLWithPath: "/work/shared/data/fine_food_reviews_1k.csv"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    static func fixture(_ name: String) -> URL {
        repository.appendingPathComponent("Tests/Fixtures/dataset").appendingPathComponent(name)
    }

    /// A fresh empty directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("embedkit-dataset-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to directory: URL, name: String = "input.csv") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}
