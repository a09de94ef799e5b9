extension TiktokenEncoding {
    /// The pre-tokenized pieces of `text` from the scalar scanner alone (one scalar at a time, no 64-byte block
    /// masks): the reference ``pretokenize(_:)`` must agree with, for cross-checks and tests.
    public func referencePretokenize(_ text: String) -> [String] {
        withBytes(text) { bytes in
            guard let base = bytes.baseAddress else { return [] }
            let scanner = PretokenizerScanner(bytes: base, end: bytes.count, pattern: spec.pattern)
            var pieces: [String] = []
            var i = 0
            while i < bytes.count {
                let e = scanner.scalarPieceEnd(from: i, pattern: spec.pattern)
                pieces.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<e]), as: UTF8.self))
                i = e
            }
            return pieces
        }
    }
}
