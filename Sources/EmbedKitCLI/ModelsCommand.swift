import ArgumentParser
import EmbedKit
import Foundation

/// `embedkit models list|info|fetch|tokenize`.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Local embedding models: list the known ones, inspect a folder, fetch, tokenize.",
        subcommands: [List.self, Info.self, Fetch.self, Tokenize.self])

    struct ModelReport: Encodable {
        let name: String
        let folder: String
        let architecture: String
        let dimension: Int
        let layers: Int
        let heads: Int
        let maxSequenceLength: Int
        let pooling: String
        let normalize: Bool
        let vocabularySize: Int
        let tokenizer: String

        init(_ model: LocalEmbeddingModel) {
            let c = model.configuration
            name = model.name
            folder = c.folder.path
            architecture = c.encoder.modelType
            dimension = c.encoder.hiddenSize
            layers = c.encoder.layers
            heads = c.encoder.heads
            maxSequenceLength = c.maxSequenceLength
            pooling = c.pooling.rawValue
            normalize = c.normalize
            vocabularySize = c.encoder.vocabularySize
            tokenizer = c.tokenizerFile.lastPathComponent
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the models known by name and whether they are cached.")
        @OptionGroup var global: GlobalOptions

        struct Row: Encodable { let name: String; let cached: Bool; let folder: String }

        func run() async throws {
            let store = AssetStore()
            let rows = LocalEmbeddingModel.knownModels.map { asset in
                Row(name: asset.name, cached: store.status(of: asset).isVerified, folder: store.folder(of: asset).path)
            }
            if global.json { return try Output.json(rows) }
            Output.table(["MODEL", "CACHED", "FOLDER"], rows.map { [$0.name, $0.cached ? "yes" : "no", $0.folder] })
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a model's architecture, pooling and limits.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A known model name or a Hugging Face model folder.") var model: String = AssetCatalog.allMiniLML6v2.name

        func run() async throws {
            let report = ModelReport(try await LocalEmbeddingModel.load(model))
            if global.json { return try Output.json(report) }
            Output.table(["FIELD", "VALUE"], [
                ["name", report.name], ["folder", report.folder], ["architecture", report.architecture],
                ["dimension", "\(report.dimension)"], ["layers", "\(report.layers)"], ["heads", "\(report.heads)"],
                ["max sequence length", "\(report.maxSequenceLength)"], ["pooling", report.pooling],
                ["normalize", "\(report.normalize)"], ["vocabulary", "\(report.vocabularySize)"], ["tokenizer", report.tokenizer],
            ])
        }
    }

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fetch and verify a known model (default all-MiniLM-L6-v2).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Model names.") var names: [String] = [AssetCatalog.allMiniLML6v2.name]

        func run() async throws {
            let store = AssetStore()
            for name in names {
                guard let asset = LocalEmbeddingModel.knownModels.first(where: { $0.name == name }) else {
                    throw ValidationError(ModelError.unknownModel(name, known: LocalEmbeddingModel.knownModels.map(\.name)).description)
                }
                let status = try await store.fetch(asset, log: { Output.note($0) })
                guard status.isVerified else { throw AssetError.notVerified(asset: name, problems: ["fetch did not verify every file"]) }
                if !global.json { print("\(name): \(status.folder.path)") }
            }
        }
    }

    struct Tokenize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the ids a model's tokenizer (WordPiece or Unigram) gives (JSON arrays).",
            discussion: "Without --framed: HF's encode(text, add_special_tokens=False). With --framed: [CLS] … [SEP] (or <s> … </s>) truncated to --max-length.")
        @Option(name: .long, help: "A known model name or a Hugging Face model folder.") var model: String = AssetCatalog.allMiniLML6v2.name
        @Option(name: .long, help: "A tokenizer.json (WordPiece or Unigram) or vocab.txt (instead of --model).") var tokenizer: String?
        @Flag(name: .long, help: "Add [CLS]/[SEP] and truncate to --max-length.") var framed = false
        @Option(name: .customLong("max-length"), help: "Truncation length with --framed.") var maxLength: Int = 256
        @Flag(name: .long, help: "Input is JSON Lines: one JSON string per line; one output line each.") var jsonl = false
        @Argument(help: "Input file (default: standard input).") var file: String?

        func run() async throws {
            let wordPiece: any EncoderTokenizer
            if let tokenizer {
                wordPiece = try EncoderTokenizers.load(URL(fileURLWithPath: tokenizer))
            } else {
                wordPiece = try await LocalEmbeddingModel.load(model).tokenizer
            }
            let data = file.map { FileManager.default.contents(atPath: $0) ?? Data() } ?? FileHandle.standardInput.readDataToEndOfFile()
            let texts = try jsonl ? TextInput.jsonLines(data) : [TextInput.utf8(data, source: file ?? "standard input")]
            var out = ""
            for text in texts {
                let ids = framed ? wordPiece.encode(text, maxLength: maxLength).map(Int.init) : wordPiece.encodeOrdinary(text)
                out += "[" + ids.map(String.init).joined(separator: ",") + "]\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}
