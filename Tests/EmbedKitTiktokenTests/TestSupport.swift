import EmbedKitCore
import EmbedKitTokenizers
import Foundation

/// Loaded once per test process; the vocabularies come from the verified asset cache.
enum Encodings {
    static let names = ["cl100k_base", "o200k_base", "p50k_base", "r50k_base"]
    nonisolated(unsafe) private static var cache: [String: TiktokenEncoding] = [:]
    private static let lock = NSLock()

    static func named(_ name: String) throws -> TiktokenEncoding {
        lock.lock(); defer { lock.unlock() }
        if let e = cache[name] { return e }
        let e = try TiktokenEncoding.load(name)
        cache[name] = e
        return e
    }
}

enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/tokenizers")

    struct Case: Decodable {
        let encoding: String
        let text: String
        let ids: [Int]
    }

    static func cases(_ file: String) throws -> [Case] {
        let data = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        return try data.split(separator: "\n").map { try JSONDecoder().decode(Case.self, from: Data($0.utf8)) }
    }
}

/// The seed dataset (never copied into the repo): $EMBEDKIT_SHARED, <repo>/../shared, or /work/shared.
enum SeedData {
    static func csvURL() -> URL? {
        var candidates: [URL] = []
        if let shared = ProcessInfo.processInfo.environment["EMBEDKIT_SHARED"] {
            candidates.append(URL(fileURLWithPath: shared).appendingPathComponent("data/fine_food_reviews_1k.csv"))
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(repo.deletingLastPathComponent().appendingPathComponent("shared/data/fine_food_reviews_1k.csv"))
        candidates.append(URL(fileURLWithPath: "/work/shared/data/fine_food_reviews_1k.csv"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// RFC 4180: quoted fields may hold commas, newlines and doubled quotes.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field: [UInt8] = []
        var quoted = false
        let bytes = Array(text.utf8)
        var i = 0
        func endField() { row.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") { field.append(b); i += 1 } else { quoted = false }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") {
                quoted = true
            } else if b == UInt8(ascii: ",") {
                endField()
            } else if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                if b == UInt8(ascii: "\r") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                endField(); rows.append(row); row = []
            } else {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !row.isEmpty { endField(); rows.append(row) }
        return rows
    }

    /// Python's `str.strip()`: Unicode whitespace plus the separators U+001C…U+001F.
    static func pythonStrip(_ s: String) -> String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace || (0x1C...0x1F).contains($0.value) }
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[first...last])
        return String(out)
    }

    /// `"Title: " + Summary.strip() + "; Content: " + Text.strip()` for every row, in file order.
    static func combinedTexts() throws -> [String]? {
        guard let url = csvURL() else { return nil }
        let rows = parseCSV(try String(contentsOf: url, encoding: .utf8))
        let header = rows[0]
        guard let summary = header.firstIndex(of: "Summary"), let text = header.firstIndex(of: "Text") else { return nil }
        return rows.dropFirst().filter { $0.count == header.count }.map {
            "Title: " + pythonStrip($0[summary]) + "; Content: " + pythonStrip($0[text])
        }
    }
}

