import EmbedKitStore
import Testing

@Suite struct SQLiteInfoTests {
    @Test func reportsVersionAndFTS5() throws {
        let version = try SQLiteInfo.version()
        #expect(version.split(separator: ".").count == 3, "version \(version)")
        #expect(version.hasPrefix("3."))
        #expect(SQLiteInfo.hasFTS5(), "keyword search needs SQLite built with FTS5 (Debian's libsqlite3 has it)")
    }
}
