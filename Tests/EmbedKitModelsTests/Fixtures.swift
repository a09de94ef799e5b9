import Foundation

/// Paths of committed fixtures, relative to this file.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// A fresh copy of a fixture folder in a temporary directory (for tests that damage it).
    static func copy(_ path: String) throws -> URL {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-models-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: root.appendingPathComponent(path), to: destination)
        return destination
    }
}
