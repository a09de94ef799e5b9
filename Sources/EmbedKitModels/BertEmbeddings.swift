import EmbedKitNumerics

extension BertEncoder {
    /// The embedding step: word + position + token type 0 for each token, then LayerNorm, into `output`
    /// (`rows × hiddenSize`, sequences packed back to back).
    ///
    /// Position ids start at ``BertConfiguration/positionOffset``: 0 for BERT; `padding_idx + 1` for
    /// XLM-RoBERTa, whose `create_position_ids_from_input_ids` numbers non-pad tokens from there (packed
    /// sequences hold no padding, so token `i` of a sequence is at `offset + i`; a literal `<pad>` token in the
    /// text sits at `padding_idx` and is not counted, as in HF).
    func embed(_ sequences: ArraySlice<[Int32]>, into output: UnsafeMutablePointer<Float>, rows: Int) {
        let h = config.hiddenSize
        let offset = config.positionOffset
        let type = weights.tokenTypeEmbeddings.pointer
        var row = 0
        for ids in sequences {
            precondition(offset + ids.count <= config.maxPositions, "sequence longer than the model's positions")
            var position = offset
            for id in ids {
                let out = output + row * h
                let word = weights.wordEmbeddings.pointer + Int(id) * h
                let positionId: Int
                if id == config.paddingId { positionId = offset - 1 } else { positionId = position; position += 1 }
                let pos = weights.positionEmbeddings.pointer + positionId * h
                for j in 0..<h { out[j] = word[j] + pos[j] + type[j] }
                row += 1
            }
        }
        LayerNorm.applyInPlace(output, rows: rows, width: h, gamma: weights.embeddingNormGamma.pointer,
                               beta: weights.embeddingNormBeta.pointer, epsilon: config.layerNormEpsilon)
    }
}
