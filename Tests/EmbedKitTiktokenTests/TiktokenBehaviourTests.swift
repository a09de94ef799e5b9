import EmbedKitCore
import EmbedKitAssets
import EmbedKitTokenizers
import Foundation
import Synchronization
import Testing

@Suite("Tiktoken behaviour")
struct TiktokenBehaviourTests {
    @Test func disallowedSpecialTokenIsAnError() throws {
        let cl = try Encodings.named("cl100k_base")
        #expect(throws: TiktokenError.disallowedSpecialToken("<|endoftext|>", byteOffset: 6)) {
            try cl.encode("hello <|endoftext|>")
        }
        #expect(try cl.encode("hello <|endoftext|>", allowedSpecial: .all) == [15339, 220, 100257])
        #expect(try cl.encode("a<|endoftext|>", allowedSpecial: .only(["<|endoftext|>"])) == [64, 100257])
        #expect(throws: TiktokenError.self) { try cl.encode("<|fim_prefix|>", allowedSpecial: .only(["<|endoftext|>"])) }
        // Ordinary encoding treats it as text.
        #expect(cl.encodeOrdinary("<|endoftext|>") == [27, 91, 8862, 728, 428, 91, 29])
    }

    @Test func decodeStrictLossyAndUnknown() throws {
        let cl = try Encodings.named("cl100k_base")
        let ids = cl.encodeOrdinary("héllo 中文 👋")
        #expect(try cl.decode(ids) == "héllo 中文 👋")
        let emoji = cl.encodeOrdinary("👋")
        #expect(emoji.count > 1)
        let cut = Array(emoji.prefix(1))
        #expect(throws: TiktokenError.invalidUTF8(byteOffset: 0)) { try cl.decode(cut) }
        #expect(try cl.decodeLossy(cut).unicodeScalars.allSatisfy { $0 == "\u{FFFD}" })
        #expect(throws: TiktokenError.unknownToken(100256)) { try cl.decodeBytes([100256]) }
        #expect(try cl.decode([100257]) == "<|endoftext|>")
        #expect(cl.vocabularySize == 100_277)
        #expect(try Encodings.named("o200k_base").vocabularySize == 200_019)
    }

    @Test func roundTripOnSeededRandomUnicode() throws {
        var rng = SplitMix64(seed: 20261129)
        let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0x09...0x0D, 0xA0...0x24F, 0x300...0x36F, 0x400...0x4FF,
                                            0x3000...0x303F, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x1F300...0x1FAFF,
                                            0x0...0xD7FF, 0xE000...0x10FFFF]
        for name in Encodings.names {
            let enc = try Encodings.named(name)
            for _ in 0..<300 {
                var s = String.UnicodeScalarView()
                for _ in 0..<Int.random(in: 0...60, using: &rng) {
                    let pool = pools.randomElement(using: &rng)!
                    if let u = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { s.append(u) }
                }
                let text = String(s)
                let ids = enc.encodeOrdinary(text)
                #expect(try enc.decode(ids) == text)
                #expect(enc.count(text) == ids.count)
                #expect(enc.pretokenize(text).joined() == text)
            }
        }
    }

    /// A megabyte without spaces takes the heap merge path; it must round-trip and split like short pieces do.
    @Test func longPiecesRoundTrip() throws {
        let cl = try Encodings.named("cl100k_base")
        let long = String(repeating: "a", count: 1 << 20)
        let ids = cl.encodeOrdinary(long)
        #expect(try cl.decode(ids) == long)
        var rng = SplitMix64(seed: 7)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let word = String((0..<200_000).map { _ in letters.randomElement(using: &rng)! })
        #expect(try cl.decode(cl.encodeOrdinary(word)) == word)
    }

    @Test func wrongHashIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("embedkit-tiktoken-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try AssetStore().require(AssetCatalog.r50kBase)
        var bytes = try Data(contentsOf: folder.appendingPathComponent("r50k_base.tiktoken"))
        let url = dir.appendingPathComponent("r50k_base.tiktoken")
        try bytes.write(to: url)
        let good = try TiktokenEncoding(spec: .r50kBase, vocabularyFile: url, expectedSHA256: AssetCatalog.r50kBase.files[0].sha256)
        #expect(good.encodeOrdinary("hello world") == [31373, 995])
        bytes[0] ^= 1
        try bytes.write(to: url)
        #expect(throws: TiktokenError.self) {
            try TiktokenEncoding(spec: .r50kBase, vocabularyFile: url, expectedSHA256: AssetCatalog.r50kBase.files[0].sha256)
        }
        // Through the asset store: a cache holding a corrupt file is refused too.
        let home = dir.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent("tiktoken"), withIntermediateDirectories: true)
        try bytes.write(to: home.appendingPathComponent("tiktoken/r50k_base.tiktoken"))
        #expect(throws: AssetError.self) { try TiktokenEncoding.load("r50k_base", store: AssetStore(home: home)) }
    }

    @Test func unknownEncodingListsKnownOnes() {
        #expect(throws: TiktokenError.unknownEncoding("cl200k", known: ["cl100k_base", "o200k_base", "p50k_base", "r50k_base"])) {
            try TiktokenEncoding.load("cl200k")
        }
    }

    @Test func modelMapping() throws {
        #expect(try TiktokenModels.encodingName(forModel: "text-embedding-3-small") == "cl100k_base")
        #expect(try TiktokenModels.encodingName(forModel: "text-embedding-ada-002") == "cl100k_base")
        #expect(try TiktokenModels.encodingName(forModel: "gpt-4") == "cl100k_base")
        #expect(try TiktokenModels.encodingName(forModel: "gpt-3.5-turbo-0613") == "cl100k_base")
        #expect(try TiktokenModels.encodingName(forModel: "gpt-4o-mini") == "o200k_base")
        #expect(try TiktokenModels.encodingName(forModel: "gpt-4o") == "o200k_base")
        #expect(try TiktokenModels.encodingName(forModel: "text-davinci-003") == "p50k_base")
        #expect(try TiktokenModels.encodingName(forModel: "davinci") == "r50k_base")
        #expect(throws: TiktokenError.self) { try TiktokenModels.encodingName(forModel: "llama") }
    }

    /// The cookbook's example conversation counts 129 prompt tokens with gpt-4 / gpt-3.5-turbo-0613.
    @Test func chatMessageCounting() throws {
        let cl = try Encodings.named("cl100k_base")
        let messages = [
            ChatMessage(role: "system", content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
            ChatMessage(role: "system", content: "New synergies will help drive top-line growth.", name: "example_user"),
            ChatMessage(role: "system", content: "Things working well together will increase revenue.", name: "example_assistant"),
            ChatMessage(role: "system", content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.", name: "example_user"),
            ChatMessage(role: "system", content: "Let's talk later when we're less busy about how to do better.", name: "example_assistant"),
            ChatMessage(role: "user", content: "This late pivot means we don't have time to boil the ocean for the client deliverable."),
        ]
        #expect(cl.countChatTokens(messages) == 129)
    }

    @Test func truncateAndWindows() throws {
        let cl = try Encodings.named("cl100k_base")
        let text = "The quick brown fox jumps over the lazy dog. " + String(repeating: "More words here. ", count: 20)
        let ids = cl.encodeOrdinary(text)
        #expect(cl.truncate(text, to: 5) == Array(ids.prefix(5)))
        #expect(cl.truncateText(text, to: 4).text == "The quick brown fox")
        let windows = try cl.tokenWindows(text, size: 10, overlap: 3)
        #expect(windows.first == Array(ids.prefix(10)))
        #expect(windows.last?.last == ids.last)
        for (a, b) in zip(windows, windows.dropFirst()) where b.count >= 3 { #expect(Array(a.suffix(3)) == Array(b.prefix(3))) }
        #expect(windows.dropLast().allSatisfy { $0.count == 10 })
        let noOverlap = try cl.tokenWindows(text, size: 8)
        #expect(noOverlap.flatMap { $0 } == ids)
        #expect(throws: TiktokenError.self) { try cl.tokenWindows(text, size: 4, overlap: 4) }
    }

    @Test func batchEqualsSequential() throws {
        let o = try Encodings.named("o200k_base")
        let texts = (0..<200).map { "document \($0): " + String(repeating: "word\($0 % 7) ", count: $0 % 13) }
        #expect(o.encodeOrdinaryBatch(texts, threads: 2) == texts.map { o.encodeOrdinary($0) })
        #expect(o.encodeOrdinaryBatch([]) == [])
    }

    /// After `prepare(threads:)` (every pooled cache set up, the batch's threads started) and after a reset,
    /// batches of every kind of string — small ones stored inline, literals, native heap strings, substrings
    /// made into strings, an empty one — and of 1…3 texts (the look-ahead runs past the end) equal the
    /// sequential ids, for both batch calls.
    @Test func preparedBatchesOfEveryStringKindEqualSequential() throws {
        let r = try Encodings.named("r50k_base")
        r.prepare(threads: 3)
        let long = String(repeating: "native heap string with words ", count: 5)
        let texts: [String] = ["", "tiny", "a literal longer than fifteen bytes", long,
                               String(long.dropFirst(7).prefix(40)), "ümlaut 中文 \u{1F600}"]
            + (0..<300).map { "doc \($0): " + String(repeating: "w\($0 % 11) ", count: $0 % 9) }
        for round in 0..<2 {
            if round == 1 { r.resetPieceCaches() }
            let expected = texts.map { r.encodeOrdinary($0) }
            for threads in [2, 3] {
                #expect(r.encodeOrdinaryBatch(texts, threads: threads) == expected)
                #expect(r.countBatch(texts, threads: threads) == expected.map(\.count))
                for n in 1...3 {
                    #expect(r.encodeOrdinaryBatch(Array(texts.suffix(n)), threads: threads) == Array(expected.suffix(n)))
                }
            }
        }
    }

    /// Workers start on their own regions and then take work from the others' regions: with the first region
    /// far heavier than the rest and more workers than regions of equal cost, every index must still be
    /// encoded exactly once and land in its own slot.
    @Test func unevenBatchesAreBalancedAndInOrder() throws {
        let cl = try Encodings.named("cl100k_base")
        let heavy = (0..<40).map { "long \($0) " + String(repeating: "長い文章 and words \($0 % 5) ", count: 400) }
        let light = (0..<1_003).map { "short \($0)" }
        for texts in [heavy + light, light + heavy] {
            let expected = texts.map { cl.encodeOrdinary($0) }
            for threads in [2, 3, 8] {
                #expect(cl.encodeOrdinaryBatch(texts, threads: threads) == expected)
                #expect(cl.countBatch(texts, threads: threads) == expected.map(\.count))
            }
        }
    }

    /// After `prepare(threads: 2)` (each batch thread keeps a malloc reserve), batches whose results outgrow
    /// the reserve, a second batch into the memory the first one's freed results left, and texts that are
    /// short first and long last (the regions are split by bytes, not by count) all equal the sequential ids.
    @Test func preparedLargeBatchesEqualSequential() throws {
        let p = try Encodings.named("p50k_base")
        p.prepare(threads: 2)
        let short = (0..<3_000).map { "item \($0) with a few words" }
        let long = (0..<300).map { "Longer document \($0): " + String(repeating: "some words, numbers \($0) and more ", count: 600) }
        let texts = short + long
        let expected = texts.map { p.encodeOrdinary($0) }
        // ~10 MB of `[Int]`: more than the two threads' 4 MiB reserves.
        #expect(expected.reduce(0) { $0 + $1.count } > 1_200_000)
        for _ in 0..<2 {
            p.resetPieceCaches()
            #expect(p.encodeOrdinaryBatch(texts, threads: 2) == expected)
        }
        #expect(p.countBatch(texts, threads: 2) == expected.map(\.count))
    }

    /// Many threads calling `encodeOrdinary`/`count` at once on one encoding: each call borrows a piece cache
    /// (the pool's fast slot, else its list, else a new one) and gives it back; no cache may be used by two
    /// calls at once, lost or handed out twice, so every result must equal the one-thread result — also for
    /// texts longer than the padded copy and with more ids than the widened-id buffer, and after a reset.
    @Test func concurrentCallsShareThePoolSafely() throws {
        let cl = try Encodings.named("cl100k_base")
        let texts = (0..<64).map { k -> String in
            switch k % 4 {
            case 0: return ""
            case 1: return "doc \(k): Apache HTTP Server (common files) 中文 \(k * 7919)"
            case 2: return String(repeating: "mixed words \(k) and ümlauts, ", count: 200)   // > 4 KiB, > 1024 ids
            default: return String(repeating: "x", count: k)
            }
        }
        let expected = texts.map { cl.encodeOrdinary($0) }
        #expect(expected[2].count > 1024)
        let failures = Mutex(0)
        for round in 0..<2 {
            if round == 1 { cl.resetPieceCaches() }
            DispatchQueue.concurrentPerform(iterations: 16) { worker in
                var bad = 0
                for step in 0..<200 {
                    let i = (worker * 31 + step * 17) % texts.count
                    if cl.encodeOrdinary(texts[i]) != expected[i] { bad += 1 }
                    if cl.count(texts[i]) != expected[i].count { bad += 1 }
                }
                failures.withLock { $0 += bad }
            }
        }
        #expect(failures.withLock { $0 } == 0)
    }

    /// Single calls on a thread go through the thread's own cache (the first few threads of each encoding) or the
    /// shared ones: two encodings alternating on every thread (a thread keeps one encoding's cache at a time),
    /// resets from another thread while calls run (a thread's own cache is then emptied by that thread when it
    /// next takes it), and an encoding loaded and dropped on a worker while its cache sits in that thread's slot
    /// — every result must equal the one-thread result, before and after.
    @Test func threadOwnCachesStayExactAcrossEncodingsAndResets() throws {
        let cl = try Encodings.named("cl100k_base")
        let o200k = try Encodings.named("o200k_base")
        let texts = (0..<48).map { k in
            k % 3 == 0 ? "a" : "line \(k): naïve café, Apache HTTP Server (common files) 中文 \(k * 7919)"
        }
        let expectedCl = texts.map { cl.encodeOrdinary($0) }
        let expectedO200k = texts.map { o200k.encodeOrdinary($0) }
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var bad = 0
            if worker == 7 {
                for _ in 0..<40 { cl.resetPieceCaches(); o200k.resetPieceCaches(); usleep(200) }
            }
            if worker == 6, let own = try? TiktokenEncoding.load("cl100k_base") {
                // This thread's slot then holds a cache of an encoding that no longer exists.
                for (i, text) in texts.enumerated() where own.encodeOrdinary(text) != expectedCl[i] { bad += 1 }
            }
            for step in 0..<300 {
                let i = (worker * 13 + step * 7) % texts.count
                if cl.encodeOrdinary(texts[i]) != expectedCl[i] { bad += 1 }
                if o200k.count(texts[i]) != expectedO200k[i].count { bad += 1 }
                if step % 2 == 0, o200k.encodeOrdinary(texts[i]) != expectedO200k[i] { bad += 1 }
            }
            failures.withLock { $0 += bad }
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(texts.map { cl.encodeOrdinary($0) } == expectedCl)
        #expect(texts.map { o200k.encodeOrdinary($0) } == expectedO200k)
    }
}
