import EmbedKitCore
import Foundation
import GRDB

/// A persistent embedding cache in SQLite, keyed by (model, dimensions, sha256 of the text), so embedding the
/// same texts again makes no API calls. Vectors are stored as little-endian float32 blobs.
public final class EmbeddingCache: Sendable {
    private let database: DatabaseQueue

    /// Opens (creating if needed) the cache at `url`; `nil` keeps it in memory.
    public init(url: URL?) throws {
        if let url {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            database = try DatabaseQueue(path: url.path, configuration: configuration)
            try database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode=WAL") }
        } else {
            database = try DatabaseQueue()
        }
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS embedding_cache (
                    model TEXT NOT NULL, dimensions INTEGER NOT NULL, text_sha256 TEXT NOT NULL, vector BLOB NOT NULL,
                    PRIMARY KEY (model, dimensions, text_sha256)) WITHOUT ROWID
                """)
        }
    }

    /// The default location: `$EMBEDKIT_HOME/cache/embeddings.sqlite`.
    public static func defaultURL() -> URL {
        EmbedKitPaths.home().appendingPathComponent("cache/embeddings.sqlite")
    }

    /// The key of `text`: lowercase hex sha256 of its UTF-8 bytes.
    public static func key(_ text: String) -> String { SHA256.hexDigest(of: Array(text.utf8)) }

    /// Cached vectors for `keys` (nil where absent), in order. `dimensions` 0 means the model's native size.
    public func lookup(model: String, dimensions: Int, keys: [String]) throws -> [[Float]?] {
        try database.read { db in
            let statement = try db.cachedStatement(
                sql: "SELECT vector FROM embedding_cache WHERE model = ? AND dimensions = ? AND text_sha256 = ?")
            return try keys.map { key in
                guard let blob = try Data.fetchOne(statement, arguments: [model, dimensions, key]) else { return nil }
                return Self.floats(blob)
            }
        }
    }

    /// Stores vectors under their keys (replacing older entries).
    public func store(model: String, dimensions: Int, entries: [(key: String, vector: [Float])]) throws {
        guard !entries.isEmpty else { return }
        try database.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO embedding_cache (model, dimensions, text_sha256, vector) VALUES (?, ?, ?, ?)")
            for entry in entries {
                try statement.execute(arguments: [model, dimensions, entry.key, Self.blob(entry.vector)])
            }
        }
    }

    /// Number of cached vectors.
    public func count() throws -> Int {
        try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM embedding_cache") ?? 0 }
    }

    private static func blob(_ vector: [Float]) -> Data {
        var data = Data(count: vector.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, value) in vector.enumerated() { raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return data
    }

    private static func floats(_ data: Data) -> [Float] {
        data.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
