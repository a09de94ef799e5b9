import EmbedKitNumerics

/// Scratch buffers for one forward pass over up to `tokens` packed tokens; reused across chunks.
final class BertWorkspace {
    let tokens: Int
    let maxLength: Int
    let hidden: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let qkv: UnsafeMutablePointer<Float>
    let context: UnsafeMutablePointer<Float>
    let intermediate: UnsafeMutablePointer<Float>
    let attentionScratch: UnsafeMutablePointer<Float>
    let linearScratch: LinearScratch

    init(tokens: Int, maxLength: Int, config c: BertConfiguration) {
        self.tokens = tokens
        self.maxLength = maxLength
        hidden = Self.cacheLineAligned(tokens * c.hiddenSize)
        scratch = Self.cacheLineAligned(tokens * c.hiddenSize)
        qkv = Self.cacheLineAligned(tokens * 3 * c.hiddenSize)
        context = Self.cacheLineAligned(tokens * c.hiddenSize)
        intermediate = Self.cacheLineAligned(tokens * c.intermediateSize)
        attentionScratch = Self.cacheLineAligned(ScaledDotProductAttention.scratchCount(length: maxLength, headSize: c.hiddenSize / c.heads))
        linearScratch = LinearScratch(inputs: max(c.hiddenSize, c.intermediateSize),
                                      outputs: max(3 * c.hiddenSize, c.intermediateSize))
    }

    /// `count` floats starting on a 64-byte boundary. A plain `allocate(capacity:)` of a big buffer starts 16
    /// bytes into a page (malloc's header), so every AMX tile row (64 bytes) stored to or loaded from it would
    /// straddle two cache lines: the bf16x6 kernel ran 9–19 % slower per layer that way
    /// (docs/performance-history.md, "Local embeddings: matrix engines, fourth session").
    private static func cacheLineAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit {
        hidden.deallocate(); scratch.deallocate(); qkv.deallocate(); context.deallocate()
        intermediate.deallocate(); attentionScratch.deallocate()
    }
}

/// The BERT encoder forward pass on packed sequences: no padding tokens are ever computed. Per-token steps
/// (projections, FFN, LayerNorm) run over all tokens of a chunk at once; attention runs per sequence and head
/// over that sequence's own tokens only (one fused kernel per sequence) — the same result as HF's padding mask, which zeroes padded keys.
struct BertEncoder: Sendable {
    let config: BertConfiguration
    let weights: BertWeights

    /// Encodes `sequences` (token ids incl. [CLS]/[SEP], each ≤ workspace.maxLength, total ≤ workspace.tokens)
    /// and pools each into `output + i * hiddenSize`.
    func encode(_ sequences: ArraySlice<[Int32]>, pooling: SequencePooling.Mode, workspace w: BertWorkspace,
                into output: UnsafeMutablePointer<Float>) {
        let h = config.hiddenSize, inner = config.intermediateSize
        let headSize = h / config.heads
        let total = sequences.reduce(0) { $0 + $1.count }
        precondition(total <= w.tokens)
        embed(sequences, into: w.hidden, rows: total)
        var hidden = w.hidden
        var spare = w.scratch
        let scale = 1 / Float(headSize).squareRoot()
        for layer in weights.layers {
            linear(hidden, rows: total, inputs: h, weight: layer.qkvWeight, bias: layer.qkvBias, outputs: 3 * h, into: w.qkv, scratch: w.linearScratch)
            var offset = 0
            for ids in sequences {
                let base = w.qkv + offset * 3 * h
                ScaledDotProductAttention.apply(query: base, key: base + h, value: base + 2 * h, rowStride: 3 * h,
                                                length: ids.count, heads: config.heads, headSize: headSize, scale: scale,
                                                into: w.context + offset * h, outputStride: h, scratch: w.attentionScratch)
                offset += ids.count
            }
            // On BLAS the bias costs the linear layer a copy into y first; there it joins the next pass instead.
            // AMX starts its accumulators from the bias for free.
            let late = layer.attentionOutWeight.engine == .blas
            linear(w.context, rows: total, inputs: h, weight: layer.attentionOutWeight, bias: late ? nil : layer.attentionOutBias,
                   outputs: h, into: spare, scratch: w.linearScratch)
            LayerNorm.addAndApplyInPlace(spare, bias: late ? layer.attentionOutBias.pointer : nil, residual: hidden, rows: total,
                                         width: h, gamma: layer.attentionNormGamma.pointer,
                                         beta: layer.attentionNormBeta.pointer, epsilon: config.layerNormEpsilon)
            swap(&hidden, &spare)
            let lateIntermediate = layer.intermediateWeight.engine == .blas
            linear(hidden, rows: total, inputs: h, weight: layer.intermediateWeight,
                   bias: lateIntermediate ? nil : layer.intermediateBias, outputs: inner, into: w.intermediate, scratch: w.linearScratch)
            if lateIntermediate {
                GELU.applyInPlace(w.intermediate, rows: total, width: inner, bias: layer.intermediateBias.pointer)
            } else {
                GELU.applyInPlace(w.intermediate, count: total * inner)
            }
            let lateOutput = layer.outputWeight.engine == .blas
            linear(w.intermediate, rows: total, inputs: inner, weight: layer.outputWeight, bias: lateOutput ? nil : layer.outputBias,
                   outputs: h, into: spare, scratch: w.linearScratch)
            LayerNorm.addAndApplyInPlace(spare, bias: lateOutput ? layer.outputBias.pointer : nil, residual: hidden, rows: total,
                                         width: h, gamma: layer.outputNormGamma.pointer,
                                         beta: layer.outputNormBeta.pointer, epsilon: config.layerNormEpsilon)
            swap(&hidden, &spare)
        }
        var start = 0
        for (i, ids) in sequences.enumerated() {
            SequencePooling.pool(pooling, tokens: hidden + start * h, rows: ids.count, width: h, into: output + i * h)
            start += ids.count
        }
    }

    /// y[rows, outputs] = x[rows, inputs] · weightᵀ + bias (weight stored [outputs, inputs] as PyTorch does).
    private func linear(_ x: UnsafePointer<Float>, rows: Int, inputs: Int, weight: LinearWeights, bias: TensorStorage?,
                        outputs: Int, into y: UnsafeMutablePointer<Float>, scratch: LinearScratch) {
        weight.apply(x, rows: rows, bias: bias?.pointer, into: y, scratch: scratch)
    }
}
