import EmbedKitCKernels

/// Unmasked multi-head scaled dot-product attention over one packed (unpadded) sequence:
/// out_h = softmax(q_h · k_hᵀ · scale) · v_h for every head h, the softmax subtracting each row's maximum first.
///
/// On CPUs with AVX-512 one fused C kernel runs all heads (scores eight query rows at a time, never the whole
/// n × n matrix); elsewhere two BLAS products and ``Softmax`` per head.
public enum ScaledDotProductAttention {
    /// Floats of scratch ``apply(query:key:value:rowStride:length:heads:headSize:scale:into:outputStride:scratch:)``
    /// needs for sequences of up to `length` tokens.
    public static func scratchCount(length: Int, headSize: Int) -> Int {
        AVX512Kernels.available ? ek_attention_scratch_floats(length, headSize) : length * length
    }

    /// Attention of `length` tokens: row i of the queries, keys and values starts at `query`/`key`/`value`
    /// `+ i * rowStride`, head h's part `headSize` floats from `h * headSize`; head h of output row i goes to
    /// `output + i * outputStride + h * headSize`. `scratch` holds ``scratchCount(length:headSize:)`` floats.
    public static func apply(query: UnsafePointer<Float>, key: UnsafePointer<Float>, value: UnsafePointer<Float>,
                             rowStride: Int, length n: Int, heads: Int, headSize: Int, scale: Float,
                             into output: UnsafeMutablePointer<Float>, outputStride: Int,
                             scratch: UnsafeMutablePointer<Float>) {
        guard n > 0, heads > 0, headSize > 0 else { return }
        if AVX512Kernels.available {
            ek_attention_avx512(query, key, value, rowStride, n, heads, headSize, scale, output, outputStride, scratch)
            return
        }
        for head in 0..<heads {
            let offset = head * headSize
            BLAS.sgemm(transposeB: true, m: n, n: n, k: headSize, a: query + offset, lda: rowStride, b: key + offset,
                       ldb: rowStride, c: scratch, ldc: n)
            Softmax.applyInPlace(scratch, rows: n, width: n, stride: n, scale: scale)
            BLAS.sgemm(m: n, n: headSize, k: n, a: scratch, lda: n, b: value + offset, ldb: rowStride,
                       c: output + offset, ldc: outputStride)
        }
    }
}
