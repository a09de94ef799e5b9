import EmbedKitTokenizers

/// The real tokenizers the tests use, loaded once from the verified asset cache.
enum TestTokenizers {
    private static let shared: Result<TiktokenEncoding, any Error> = Result { try TiktokenEncoding.load("cl100k_base") }

    /// cl100k_base, the tokenizer of OpenAI's embedding models.
    static func cl100k() throws -> TiktokenEncoding { try shared.get() }
}
