import EmbedKitNumerics

extension LocalEmbeddingModel {
    /// The engine the model's linear layers run on (``LocalEmbeddingOptions/matrixEngine`` or the default).
    public var matrixEngine: MatrixEngine { encoder.weights.layers.first?.qkvWeight.engine ?? .preferred }
}
