import EmbedKitNumerics
import Foundation

/// The parameters of one BERT encoder layer. Query, key and value are fused into one `[3H, H]` matrix so
/// the projection is a single matrix product. Linear-layer weights are prepared once, at load, for the
/// process's ``MatrixEngine`` (packed into AMX tiles, or kept for BLAS).
struct BertLayerWeights: Sendable {
    let qkvWeight: LinearWeights      // [3H, H] (out, in)
    let qkvBias: TensorStorage        // [3H]
    let attentionOutWeight: LinearWeights  // [H, H]
    let attentionOutBias: TensorStorage
    let attentionNormGamma: TensorStorage
    let attentionNormBeta: TensorStorage
    let intermediateWeight: LinearWeights  // [I, H]
    let intermediateBias: TensorStorage
    let outputWeight: LinearWeights        // [H, I]
    let outputBias: TensorStorage
    let outputNormGamma: TensorStorage
    let outputNormBeta: TensorStorage
}

/// All parameters of a BERT / XLM-RoBERTa encoder, read from `model.safetensors` (names with or without the
/// `bert.` / `roberta.` prefix,
/// LayerNorm as weight/bias or gamma/beta).
struct BertWeights: Sendable {
    let wordEmbeddings: TensorStorage      // [V, H]
    let positionEmbeddings: TensorStorage  // [P, H]
    let tokenTypeEmbeddings: TensorStorage // [T, H]
    let embeddingNormGamma: TensorStorage
    let embeddingNormBeta: TensorStorage
    let layers: [BertLayerWeights]

    init(file: SafeTensorsFile, config c: BertConfiguration, engine: MatrixEngine = .preferred) throws {
        let prefix = ["", "bert.", "roberta."].first { file.tensors[$0 + "embeddings.word_embeddings.weight"] != nil } ?? ""
        func t(_ name: String, _ shape: [Int]) throws -> TensorStorage { try file.floats(prefix + name, shape: shape) }
        func linear(_ name: String, _ outputs: Int, _ inputs: Int) throws -> LinearWeights {
            let w = try t(name, [outputs, inputs])
            return LinearWeights(weight: w.pointer, outputs: outputs, inputs: inputs, owner: w.owner, engine: engine)
        }
        func norm(_ name: String) throws -> (TensorStorage, TensorStorage) {
            let h = c.hiddenSize
            if file.tensors[prefix + name + ".weight"] != nil {
                return (try t(name + ".weight", [h]), try t(name + ".bias", [h]))
            }
            return (try t(name + ".gamma", [h]), try t(name + ".beta", [h]))
        }
        let h = c.hiddenSize, i = c.intermediateSize
        wordEmbeddings = try t("embeddings.word_embeddings.weight", [c.vocabularySize, h])
        positionEmbeddings = try t("embeddings.position_embeddings.weight", [c.maxPositions, h])
        tokenTypeEmbeddings = try t("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
        (embeddingNormGamma, embeddingNormBeta) = try norm("embeddings.LayerNorm")
        layers = try (0..<c.layers).map { n in
            let p = "encoder.layer.\(n)."
            let q = try t(p + "attention.self.query.weight", [h, h]), k = try t(p + "attention.self.key.weight", [h, h])
            let v = try t(p + "attention.self.value.weight", [h, h])
            let qb = try t(p + "attention.self.query.bias", [h]), kb = try t(p + "attention.self.key.bias", [h])
            let vb = try t(p + "attention.self.value.bias", [h])
            let fused = FloatBuffer(count: 3 * h * h)
            let fusedBias = FloatBuffer(count: 3 * h)
            for (part, (w, b)) in [(q, qb), (k, kb), (v, vb)].enumerated() {
                (fused.pointer + part * h * h).update(from: w.pointer, count: h * h)
                (fusedBias.pointer + part * h).update(from: b.pointer, count: h)
            }
            let (ag, ab) = try norm(p + "attention.output.LayerNorm")
            let (og, ob) = try norm(p + "output.LayerNorm")
            return BertLayerWeights(
                qkvWeight: LinearWeights(weight: fused.pointer, outputs: 3 * h, inputs: h, owner: fused, engine: engine),
                qkvBias: TensorStorage(buffer: fusedBias),
                attentionOutWeight: try linear(p + "attention.output.dense.weight", h, h),
                attentionOutBias: try t(p + "attention.output.dense.bias", [h]),
                attentionNormGamma: ag, attentionNormBeta: ab,
                intermediateWeight: try linear(p + "intermediate.dense.weight", i, h),
                intermediateBias: try t(p + "intermediate.dense.bias", [i]),
                outputWeight: try linear(p + "output.dense.weight", h, i),
                outputBias: try t(p + "output.dense.bias", [h]),
                outputNormGamma: og, outputNormBeta: ob)
        }
    }
}

extension TensorStorage {
    init(buffer: FloatBuffer) { self.init(mapped: UnsafePointer(buffer.pointer), count: buffer.count, owner: buffer) }
}
