import EmbedKitCKernels

/// Whether this CPU runs the AVX-512 C kernels of the forward pass (softmax, GELU, LayerNorm, attention);
/// each caller falls back to its portable Swift or BLAS path otherwise. Checked once per process.
enum AVX512Kernels {
    static let available = ek_activations_avx512() != 0
}
