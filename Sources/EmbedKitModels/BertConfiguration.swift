import Foundation

/// The encoder hyper-parameters from a Hugging Face `config.json` of a BERT-family checkpoint: BERT
/// (`model_type: bert`) or XLM-RoBERTa (`xlm-roberta`: the same encoder with position ids starting at
/// `pad_token_id + 1`, one token type, and a SentencePiece Unigram tokenizer).
public struct BertConfiguration: Sendable, Equatable {
    public var modelType: String
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float
    /// Position id of a sequence's first token: 0 for BERT, `pad_token_id + 1` for XLM-RoBERTa (HF's
    /// `create_position_ids_from_input_ids`; 2 with XLM-R's padding id 1).
    public var positionOffset: Int
    /// XLM-RoBERTa's padding id (`pad_token_id`): a token with this id gets position `pad_token_id` and does not
    /// advance the count, as in HF; nil for BERT (plain 0, 1, 2, … positions).
    public var paddingId: Int32?

    /// Model types whose weights and forward pass EmbedKit implements.
    public static let supportedModelTypes = ["bert", "xlm-roberta"]

    /// The longest input, framing tokens included: the position table less the offset (512 for BERT's 512
    /// positions and for XLM-R's 514).
    public var maxTokens: Int { maxPositions - positionOffset }

    /// Parses and validates `config.json`.
    public init(url: URL) throws {
        let path = url.path
        guard let data = try? Data(contentsOf: url),
              let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError.invalidFile(path: path, reason: "not a JSON object")
        }
        let type = json["model_type"] as? String ?? "?"
        guard Self.supportedModelTypes.contains(type) else {
            throw ModelError.unsupportedArchitecture(path: path, what: "model_type '\(type)' (supported: \(Self.supportedModelTypes.joined(separator: ", ")))")
        }
        let activation = json["hidden_act"] as? String ?? "gelu"
        guard activation == "gelu" else {
            throw ModelError.unsupportedArchitecture(path: path, what: "hidden_act '\(activation)' (supported: gelu, the exact erf form)")
        }
        let positions = json["position_embedding_type"] as? String ?? "absolute"
        guard positions == "absolute" else {
            throw ModelError.unsupportedArchitecture(path: path, what: "position_embedding_type '\(positions)' (supported: absolute)")
        }
        func int(_ key: String) throws -> Int {
            guard let v = json[key] as? Int, v > 0 else { throw ModelError.invalidFile(path: path, reason: "\(key) is missing or not a positive integer") }
            return v
        }
        modelType = type
        vocabularySize = try int("vocab_size")
        hiddenSize = try int("hidden_size")
        layers = try int("num_hidden_layers")
        heads = try int("num_attention_heads")
        intermediateSize = try int("intermediate_size")
        maxPositions = try int("max_position_embeddings")
        let isXLMR = type == "xlm-roberta"
        typeVocabularySize = json["type_vocab_size"] as? Int ?? (isXLMR ? 1 : 2)
        layerNormEpsilon = Float((json["layer_norm_eps"] as? Double) ?? (isXLMR ? 1e-5 : 1e-12))
        let pad = json["pad_token_id"] as? Int ?? 1
        positionOffset = isXLMR ? pad + 1 : 0
        paddingId = isXLMR ? Int32(pad) : nil
        guard typeVocabularySize >= 1, positionOffset >= 0, maxPositions > positionOffset + 1 else {
            throw ModelError.invalidFile(path: path, reason: "max_position_embeddings \(maxPositions) leaves no room after the position offset \(positionOffset) (pad_token_id + 1)")
        }
        guard hiddenSize % heads == 0 else {
            throw ModelError.invalidFile(path: path, reason: "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)")
        }
    }
}

/// What a sentence-transformers folder says beyond the encoder: pooling, normalization, sequence length.
public struct SentenceModelConfiguration: Sendable {
    public var folder: URL
    public var encoder: BertConfiguration
    public var pooling: SequencePoolingMode
    /// True when modules.json lists a Normalize module.
    public var normalize: Bool
    /// Tokens per input including [CLS]/[SEP] (see ``maxSequenceLength(folder:positions:)``).
    public var maxSequenceLength: Int
    /// `tokenizer.json` if present, else `vocab.txt` (BERT only).
    public var tokenizerFile: URL
    public var weightsFile: URL

    /// Reads a Hugging Face / sentence-transformers model folder. Required: config.json, model.safetensors,
    /// tokenizer.json or vocab.txt; modules.json, 1_Pooling/config.json and sentence_bert_config.json are read
    /// when present (without modules.json: mean pooling, no normalization, as sentence-transformers does).
    public init(folder: URL) throws {
        self.folder = folder
        let fm = FileManager.default
        func file(_ name: String) -> URL { folder.appendingPathComponent(name) }
        func require(_ name: String) throws -> URL {
            let url = file(name)
            guard fm.fileExists(atPath: url.path) else { throw ModelError.missingFile(folder: folder.path, file: name) }
            return url
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelError.invalidFile(path: folder.path, reason: "not a folder")
        }
        encoder = try BertConfiguration(url: require("config.json"))
        if !fm.fileExists(atPath: file("model.safetensors").path), fm.fileExists(atPath: file("pytorch_model.bin").path) {
            throw ModelError.invalidFile(path: file("pytorch_model.bin").path,
                                         reason: "EmbedKit reads model.safetensors only; convert with `safetensors` (save_file) first")
        }
        weightsFile = try require("model.safetensors")
        if fm.fileExists(atPath: file("tokenizer.json").path) {
            tokenizerFile = file("tokenizer.json")
        } else if encoder.modelType != "bert" {
            throw ModelError.missingFile(folder: folder.path, file: "tokenizer.json (an XLM-R folder's sentencepiece.bpe.model alone is not read: save the tokenizer with HF `tokenizers` / `transformers` to get tokenizer.json)")
        } else if fm.fileExists(atPath: file("vocab.txt").path) {
            tokenizerFile = file("vocab.txt")
        } else {
            throw ModelError.missingFile(folder: folder.path, file: "tokenizer.json (or vocab.txt)")
        }

        pooling = .mean
        normalize = false
        if fm.fileExists(atPath: file("modules.json").path) {
            let modulesURL = file("modules.json")
            guard let data = try? Data(contentsOf: modulesURL),
                  let modules = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
                throw ModelError.invalidFile(path: modulesURL.path, reason: "not a JSON array of modules")
            }
            for module in modules {
                let type = module["type"] as? String ?? ""
                let path = module["path"] as? String ?? ""
                if type.hasSuffix(".Pooling") {
                    pooling = try Self.poolingMode(try require(path.isEmpty ? "config.json" : path + "/config.json"))
                } else if type.hasSuffix(".Normalize") {
                    normalize = true
                } else if type.hasSuffix(".Transformer") {
                    continue
                } else {
                    throw ModelError.unsupportedArchitecture(path: modulesURL.path, what: "module \(type) (supported: Transformer, Pooling, Normalize)")
                }
            }
        }
        maxSequenceLength = try Self.maxSequenceLength(folder: folder, positions: encoder.maxTokens)
    }

    /// sentence_bert_config.json's `max_seq_length` (sentence-transformers < 5), else tokenizer_config.json's
    /// `model_max_length` (where sentence-transformers ≥ 5 keeps it), else max_position_embeddings; never more
    /// than the model's position table allows (``BertConfiguration/maxTokens``).
    static func maxSequenceLength(folder: URL, positions: Int) throws -> Int {
        for (file, key) in [("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")] {
            let url = folder.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            guard let data = try? Data(contentsOf: url), let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ModelError.invalidFile(path: url.path, reason: "not a JSON object")
            }
            if let length = (json[key] as? NSNumber)?.doubleValue, length >= 2, length < 1e9 { return min(Int(length), positions) }
        }
        return positions
    }

    static func poolingMode(_ url: URL) throws -> SequencePoolingMode {
        guard let data = try? Data(contentsOf: url), let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ModelError.invalidFile(path: url.path, reason: "not a JSON object")
        }
        if let mode = json["pooling_mode"] as? String {  // sentence-transformers ≥ 5 writes one string
            guard let parsed = SequencePoolingMode(rawValue: mode) else {
                throw ModelError.unsupportedArchitecture(path: url.path, what: "pooling mode '\(mode)' (supported: mean, cls, max)")
            }
            return parsed
        }
        var modes: [SequencePoolingMode] = []
        if json["pooling_mode_cls_token"] as? Bool == true { modes.append(.cls) }
        if json["pooling_mode_mean_tokens"] as? Bool == true { modes.append(.mean) }
        if json["pooling_mode_max_tokens"] as? Bool == true { modes.append(.max) }
        if json["pooling_mode_mean_sqrt_len_tokens"] as? Bool == true || (json["pooling_mode_weightedmean_tokens"] as? Bool == true)
            || (json["pooling_mode_lasttoken"] as? Bool == true) {
            throw ModelError.unsupportedArchitecture(path: url.path, what: "pooling mode other than mean, cls or max")
        }
        guard modes.count == 1 else {
            throw ModelError.unsupportedArchitecture(path: url.path, what: "exactly one of mean, cls, max pooling must be set (found \(modes.count))")
        }
        return modes[0]
    }
}
