extension TiktokenEncoding {
    /// The pre-tokenized pieces of `text` from the scalar scanner alone (one scalar at a time, no 64-byte block
    /// masks): the reference ``pretokenize(_:)`` must agree with, for cross-checks and tests.
    public func referencePretokenize(_ text: String) -> [String] {
        pieces(of: text) { scanner, i in scanner.scalarPieceEnd(from: i, pattern: scanner.pattern) }
    }
}
