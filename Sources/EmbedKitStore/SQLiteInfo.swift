import GRDB

/// Facts about the SQLite library EmbedKit's stores run on.
public enum SQLiteInfo {
    /// The SQLite library version (e.g. `3.40.1`).
    public static func version() throws -> String {
        try DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") ?? "unknown" }
    }

    /// True when the library was built with the FTS5 full-text engine (needed for keyword search).
    public static func hasFTS5() -> Bool {
        do {
            let queue = try DatabaseQueue()
            try queue.write { try $0.execute(sql: "CREATE VIRTUAL TABLE probe USING fts5(body)") }
            return true
        } catch {
            return false
        }
    }
}
