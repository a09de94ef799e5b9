import EmbedKitCore
import EmbedKitDatasets
import Foundation
import Testing

@Suite("CSV reader and writer")
struct CSVReaderTests {
    private func readAll(_ text: String, chunkSize: Int = 1 << 20) throws -> (header: [String], rows: [[String]], lines: [Int]) {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try CSVReader(url: try SeedData.write(text, to: directory), chunkSize: chunkSize)
        var rows: [[String]] = [], lines: [Int] = []
        while let record = try reader.next() {
            rows.append((0..<record.count).map { record.string(at: $0) })
            lines.append(record.line)
        }
        return (reader.header, rows, lines)
    }

    @Test func quotesNewlinesCRLFAndBOM() throws {
        let text = "\u{FEFF},a,b\r\n0,\"x, \"\"y\"\"\",plain\r\n1,\"two\r\nlines\",\"\"\r\n\r\n2,z,\"last\nline\""
        for chunk in Array(16...48) + [1 << 20] {  // every chunk boundary position
            let (header, rows, lines) = try readAll(text, chunkSize: chunk)
            #expect(header == ["", "a", "b"])
            #expect(rows == [["0", "x, \"y\"", "plain"], ["1", "two\r\nlines", ""], ["2", "z", "last\nline"]])
            #expect(lines == [2, 3, 6])
        }
    }

    @Test func literalQuoteInsideUnquotedFieldIsKept() throws {
        let (_, rows, _) = try readAll("a,b\n12\" pizza,ok\n")
        #expect(rows == [["12\" pizza", "ok"]])
    }

    @Test func wrongFieldCountNamesTheLineAndReaderGoesOn() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try SeedData.write("a,b\n1,2\n\"multi\nline\",3,4\n5,6\n", to: directory)
        let reader = try CSVReader(url: url)
        #expect(try reader.next()?.string(at: 0) == "1")
        #expect(throws: CSVError.wrongFieldCount(line: 3, expected: 2, found: 3)) { try reader.next() }
        #expect(try reader.next()?.line == 5)
        #expect(try reader.next() == nil)
    }

    @Test func unterminatedQuoteAndTextAfterQuoteAreErrors() throws {
        #expect(throws: CSVError.unterminatedQuote(line: 3)) { try readAll("a,b\n1,2\n3,\"open\n") }
        #expect(throws: CSVError.textAfterClosingQuote(line: 2)) { try readAll("a,b\n\"x\"y,2\n") }
    }

    @Test func readingGoesOnAfterTextAfterAClosingQuote() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try CSVReader(url: try SeedData.write("a,b\r\n\"x\"y,2\r\n3,4\r\n", to: directory))
        #expect(throws: CSVError.textAfterClosingQuote(line: 2)) { try reader.next() }
        let record = try reader.next()
        #expect(record?.string(at: 0) == "3")
        #expect(record?.line == 3)
    }

    @Test func writerRoundTripsThroughReader() throws {
        // Seeded random fields full of separators, quotes and line breaks, read back with tiny chunks.
        var generator = SplitMix64(seed: 42)
        let alphabet = Array("ab ,\"\n\r\té€😀")
        var expected: [[String]] = []
        var writer = CSVWriter()
        writer.field("h1"); writer.field("h2"); writer.field("h3"); writer.endRecord()
        for _ in 0..<300 {
            let row = (0..<3).map { _ in
                String((0..<Int(generator.next() % 8)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            }
            // A record whose only content is one empty field would be a blank line; give it content.
            let fixed = row.allSatisfy(\.isEmpty) ? ["x", "", ""] : row
            for value in fixed { writer.field(value) }
            writer.endRecord()
            expected.append(fixed)
        }
        let text = String(decoding: writer.buffer, as: UTF8.self)
        let (header, rows, _) = try readAll(text, chunkSize: 16)
        #expect(header == ["h1", "h2", "h3"])
        #expect(rows == expected)
    }

    @Test func seedCSVHasTheDocumentedShape() throws {
        guard let url = SeedData.reviews else { Issue.record("fine_food_reviews_1k.csv not found"); return }
        let reader = try CSVReader(url: url, chunkSize: 4096)
        #expect(reader.header == ["", "Time", "ProductId", "UserId", "Score", "Summary", "Text"])
        var scores: [String: Int] = [:]
        var withBreaks = 0
        var count = 0
        while let record = try reader.next() {
            #expect(record.string(at: 0) == String(count))
            scores[record.string(at: 4), default: 0] += 1
            if record.string(at: 6).contains("<br />") || record.string(at: 5).contains("<br />") { withBreaks += 1 }
            count += 1
        }
        #expect(count == 1000)
        #expect(scores == ["1": 87, "2": 49, "3": 75, "4": 138, "5": 651])
        #expect(withBreaks == 226)
    }
}

