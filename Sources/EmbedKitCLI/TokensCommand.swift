import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit tokens encode|decode|count|bench`: tiktoken-exact tokenization from the command line.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Encode, decode and count tokens exactly as OpenAI's tiktoken does.",
        subcommands: [TokensEncode.self, TokensDecode.self, TokensCount.self, TokensBench.self]
    )
}

/// Which tokenizer a tokens command uses.
struct TokenizerChoice: ParsableArguments {
    @Option(help: "Encoding name: cl100k_base, o200k_base, p50k_base, r50k_base.")
    var encoding: String?
    @Option(help: "OpenAI model name (text-embedding-3-small, gpt-4o, …); picks its encoding.")
    var model: String?
    @Option(help: "A Hugging Face tokenizer.json (WordPiece, e.g. all-MiniLM-L6-v2's, or SentencePiece Unigram, e.g. XLM-R's); ids without [CLS]/[SEP] or <s>/</s>.")
    var tokenizer: String?

    func validate() throws {
        let given = [encoding, model, tokenizer].compactMap { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --encoding, --model or --tokenizer") }
    }

    /// The tiktoken encoding named by --encoding / --model.
    func load() throws -> TiktokenEncoding {
        do {
            if let encoding { return try TiktokenEncoding.load(encoding) }
            if let model { return try TiktokenEncoding.load(forModel: model) }
        } catch let error as TiktokenError {
            throw TokensFailure(error.description)
        }
        throw TokensFailure("this command needs a tiktoken encoding: pass --encoding or --model")
    }

    /// The tokenizer chosen: a tiktoken encoding, or the WordPiece / Unigram tokenizer of a tokenizer.json.
    func loadAny() throws -> any Tokenizer {
        guard let tokenizer else { return try load() }
        do { return try EncoderTokenizers.load(URL(fileURLWithPath: tokenizer)) } catch {
            throw TokensFailure("cannot load \(tokenizer): \(error)")
        }
    }
}

enum TokensInput {
    /// The bytes of FILE, or of standard input when no file (or `-`) is given.
    static func read(_ path: String?) throws -> Data {
        if let path, path != "-" {
            guard let data = FileManager.default.contents(atPath: path) else { throw TokensFailure("cannot read \(path)") }
            return data
        }
        return FileHandle.standardInput.readDataToEndOfFile()
    }

    /// `data` as text: invalid UTF-8 is an error naming the byte offset unless `lossy`.
    static func text(_ data: Data, source: String, lossy: Bool) throws -> String {
        if !lossy, let offset = data.withUnsafeBytes({ UTF8Validation.firstInvalidOffset($0.bindMemory(to: UInt8.self)) }) {
            throw TokensFailure("\(source): invalid UTF-8 at byte offset \(offset) (pass --lossy to replace invalid bytes with U+FFFD)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
    }

    static func jsonArray(_ ids: [Int]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }
}

struct TokensEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Print the token ids of FILE (or stdin) as a JSON array; with --jsonl, one array per JSON-string line.")

    @OptionGroup var choice: TokenizerChoice
    @Option(name: .customLong("allowed-special"), help: "Special tokens to encode as such: `all` or a comma-separated list. Others in the text are an error.")
    var allowedSpecial: String?
    @Flag(help: "Each input line is a JSON string; print one JSON array of ids per line.")
    var jsonl = false
    @Flag(help: "Replace invalid UTF-8 with U+FFFD instead of failing.")
    var lossy = false
    @Argument(help: "Input file (default: standard input).")
    var file: String?

    func run() throws {
        let tokenizer = try choice.loadAny()
        let allowed: SpecialTokenSet? = allowedSpecial.map {
            $0 == "all" ? .all : .only(Set($0.split(separator: ",").map(String.init)))
        }
        if allowed != nil && !(tokenizer is TiktokenEncoding) {
            throw TokensFailure("--allowed-special applies to tiktoken encodings only")
        }
        func ids(_ text: String) throws -> [Int] {
            guard let allowed, let encoding = tokenizer as? TiktokenEncoding else { return tokenizer.encodeOrdinary(text) }
            do { return try encoding.encode(text, allowedSpecial: allowed) } catch let error as TiktokenError {
                throw TokensFailure(error.description)
            }
        }
        let text = try TokensInput.text(TokensInput.read(file), source: file ?? "stdin", lossy: lossy)
        if !jsonl { return print(TokensInput.jsonArray(try ids(text))) }
        var out = ""
        for (number, line) in TokensInput.lines(text).enumerated() {
            guard let value = try? JSONDecoder().decode(String.self, from: Data(line.utf8)) else {
                throw TokensFailure("line \(number + 1): expected a JSON string")
            }
            out += TokensInput.jsonArray(try ids(value)) + "\n"
        }
        print(out, terminator: "")
    }
}

struct TokensDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Turn a JSON array of ids back into text; with --jsonl, one array per line in, one JSON string per line out.")

    @OptionGroup var choice: TokenizerChoice
    @Flag(help: "Each input line is a JSON array of ids; print one JSON string per line.")
    var jsonl = false
    @Flag(help: "Replace invalid UTF-8 (ids cut inside a character) with U+FFFD instead of failing.")
    var lossy = false
    @Argument(help: "Input file (default: standard input).")
    var file: String?

    func run() throws {
        let tokenizer = try choice.loadAny()
        let input = try TokensInput.text(TokensInput.read(file), source: file ?? "stdin", lossy: false)
        func decode(_ json: Substring, line: Int) throws -> String {
            guard let ids = try? JSONDecoder().decode([Int].self, from: Data(json.utf8)) else {
                throw TokensFailure("line \(line): expected a JSON array of integer ids")
            }
            do {
                guard let encoding = tokenizer as? TiktokenEncoding else { return try tokenizer.decodeLossy(ids) }
                return lossy ? try encoding.decodeLossy(ids) : try encoding.decode(ids)
            } catch {
                throw TokensFailure("line \(line): \(error)")
            }
        }
        if !jsonl {
            let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
            return print(try decode(Substring(trimmed), line: 1), terminator: "")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for (number, line) in TokensInput.lines(input).enumerated() {
            print(String(decoding: try encoder.encode(try decode(line, line: number + 1)), as: UTF8.self))
        }
    }
}

struct TokensCount: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count tokens per file (special tokens as plain text), the total, and the cost for an embedding model.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Encoding name: cl100k_base, o200k_base, p50k_base, r50k_base.")
    var encoding: String?
    @Option(help: "OpenAI model name; embedding models also get a cost estimate.")
    var model: String?
    @Flag(help: "Replace invalid UTF-8 with U+FFFD instead of failing.")
    var lossy = false
    @Argument(help: "Files to count.")
    var files: [String]

    struct Report: Encodable {
        struct Row: Encodable { let file: String; let tokens: Int; let bytes: Int }
        let encoding: String
        let model: String?
        let files: [Row]
        let total: Int
        let costUSD: Double?
    }

    func run() throws {
        let choice = try TokenizerChoice.parse(encoding.map { ["--encoding", $0] } ?? model.map { ["--model", $0] } ?? [])
        let tokenizer = try choice.load()
        guard !files.isEmpty else { throw TokensFailure("give at least one FILE") }
        let texts = try files.map { try TokensInput.text(TokensInput.read($0), source: $0, lossy: lossy) }
        let counts = tokenizer.countBatch(texts)
        let rows = zip(files, zip(counts, texts)).map { Report.Row(file: $0, tokens: $1.0, bytes: $1.1.utf8.count) }
        let total = counts.reduce(0, +)
        let price = model.flatMap { TiktokenModels.embeddingPricePerMillion[$0] }
        let cost = price.map { Double(total) / 1_000_000 * $0 }
        if global.json {
            return try Output.json(Report(encoding: tokenizer.name, model: model, files: rows, total: total, costUSD: cost))
        }
        Output.table(["FILE", "TOKENS", "BYTES"], rows.map { [$0.file, String($0.tokens), String($0.bytes)] }
            + [["total", String(total), String(rows.map(\.bytes).reduce(0, +))]])
        if let cost, let model, let price {
            print(String(format: "cost with %@ ($%.2f / 1M tokens): $%.6f", model, price, cost))
        }
    }
}

/// A runtime failure of a tokens command: printed as `Error: …` without the usage text.
struct TokensFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
