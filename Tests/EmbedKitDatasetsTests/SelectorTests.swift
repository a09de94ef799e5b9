import EmbedKit
import Foundation
import Testing

@Suite("Dataset selection (columns, dropna, template, stable sort, tail, n_tokens, filters)")
struct SelectorTests {
    static let cl100k: TiktokenEncoding? = try? TiktokenEncoding.load("cl100k_base")

    private func encoding() throws -> TiktokenEncoding {
        try #require(Self.cl100k, "cl100k_base is not cached: run `embedkit assets fetch cl100k_base`")
    }

    @Test func cookbookPresetMatchesPandasAndTiktokenRowByRow() throws {
        let input = try #require(SeedData.reviews, "fine_food_reviews_1k.csv not found")
        let selection = try DatasetSelector(input: input, options: .cookbookReviews, tokenizer: try encoding()).select()
        let expected = try String(contentsOf: SeedData.fixture("cookbook_reviews_expected.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        #expect(selection.rows.count == 1000)
        #expect(selection.columns == ["ProductId", "UserId", "Score", "Summary", "Text"])
        #expect(selection.counts.tokensTotal == 95_895)
        #expect(selection.counts.tokensMin == 28 && selection.counts.tokensMedian == 71 && selection.counts.tokensMax == 645)
        #expect(selection.rows[0].tokens == 52 && selection.rows[297].tokens == 178)
        var mismatches = 0
        for (row, line) in zip(selection.rows, expected) {
            if row.label != line[0] || String(row.tokens) != line[1]
                || SHA256.hexDigest(of: Array(row.combined.utf8)) != line[2] { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func dryRunCountsTheSameWithoutKeepingTexts() throws {
        let input = try #require(SeedData.reviews)
        var selector = DatasetSelector(input: input, options: .cookbookReviews, tokenizer: try encoding())
        selector.keepTexts = false
        let selection = try selector.select()
        #expect(selection.counts.kept == 1000 && selection.counts.tokensTotal == 95_895)
        #expect(selection.rows.allSatisfy { $0.combined.isEmpty && $0.values.isEmpty })
    }

    @Test func sortIsStableNumericAndMissingLast() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // "10" < "9" as text but not as numbers; ties (5, 5, 5) must keep input order; the empty key sorts last.
        let url = try SeedData.write("id,key,text\na,10,t1\nb,9,t2\nc,5,t3\nd,,t4\ne,5,t5\nf,5,t6\n", to: directory)
        var options = DatasetOptions()
        options.columns = ["id", "key", "text"]
        options.template = "{text}"
        options.sortBy = "key"
        let all = try DatasetSelector(input: url, options: options, tokenizer: try encoding()).select()
        #expect(all.rows.map { $0.values[0] } == ["c", "e", "f", "b", "a", "d"])
        // --tail streams through a bounded heap: it must give the same rows as sorting everything.
        for tail in 0...7 {
            options.tail = tail
            let tailed = try DatasetSelector(input: url, options: options, tokenizer: try encoding()).select()
            #expect(tailed.rows.map(\.label) == Array(all.rows.map(\.label).suffix(tail)))
        }
        // A non-numeric value makes the column text: code-point order.
        let textURL = try SeedData.write("key,text\n10,a\nx,b\n9,c\n", to: directory, name: "text.csv")
        var textOptions = DatasetOptions()
        textOptions.template = "{text}"
        textOptions.sortBy = "key"
        textOptions.tail = 3
        let text = try DatasetSelector(input: textURL, options: textOptions, tokenizer: try encoding()).select()
        #expect(text.rows.map(\.combined) == ["a", "c", "b"])
        #expect(text.rows.map(\.label) == ["0", "2", "1"])
    }

    @Test func randomTablesTailEqualsFullSortThenTail() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SplitMix64(seed: 2024)
        var csv = "key,text\n"
        for i in 0..<500 { csv += "\(generator.next() % 20),row \(i)\n" }
        let url = try SeedData.write(csv, to: directory)
        var options = DatasetOptions()
        options.template = "{text}"
        options.sortBy = "key"
        let full = try DatasetSelector(input: url, options: options, tokenizer: try encoding()).select().rows.map(\.label)
        for tail in [1, 37, 200, 499, 500, 900] {
            options.tail = tail
            let tailed = try DatasetSelector(input: url, options: options, tokenizer: try encoding()).select().rows.map(\.label)
            #expect(tailed == Array(full.suffix(tail)))
        }
    }

    @Test func maxTokensKeepLastDropnaAndEmptyTexts() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try SeedData.write(
            "title,body\nA,one two three four five\nB,\nNA,x\nC,   \nD,hi\nE,hello world\n", to: directory)
        var options = DatasetOptions()
        options.template = "{body}"
        options.strip = true
        options.dropMissing = true
        options.maxTokens = 3
        options.keepLast = 1
        let selection = try DatasetSelector(input: url, options: options, tokenizer: try encoding()).select()
        #expect(selection.counts.rowsRead == 6)
        #expect(selection.counts.droppedMissing == 2)       // B (empty body), NA title
        #expect(selection.counts.droppedEmpty == 1)         // C: only spaces, stripped to ""
        #expect(selection.counts.droppedOverMaxTokens == 1) // A: 5 tokens
        #expect(selection.rows.map(\.label) == ["5"])        // keep-last 1 of D, E
        #expect(selection.rows[0].tokens == 2)
    }

    @Test func missingColumnNamesItAndListsTheHeader() throws {
        let input = try #require(SeedData.reviews)
        var options = DatasetOptions.cookbookReviews
        options.columns = ["Time", "Title"]
        do {
            _ = try DatasetSelector(input: input, options: options, tokenizer: try encoding()).select()
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error.description.contains("\"Title\""))
            #expect(error.description.contains("(unnamed index), Time, ProductId, UserId, Score, Summary, Text"))
        }
    }

    @Test func badRowsStopWithTheirLineOrAreSkippedAndCounted() throws {
        let directory = try SeedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try SeedData.write("a,b\n1,\"x\ny\"\n2,3,4\n5,\"z\"w\n6,ok\n", to: directory)
        var options = DatasetOptions()
        options.template = "{a} {b}"
        do {
            _ = try DatasetSelector(input: url, options: options, tokenizer: try encoding()).select()
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error.description.hasPrefix("line 4:"))
        }
        options.skipBadRows = true
        let selection = try DatasetSelector(input: url, options: options, tokenizer: try encoding()).select()
        #expect(selection.counts.badRowsSkipped == 2)
        #expect(selection.rows.map(\.combined) == ["1 x\ny", "6 ok"])
    }
}
