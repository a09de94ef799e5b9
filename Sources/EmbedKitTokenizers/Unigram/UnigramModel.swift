/// The SentencePiece Unigram model: the highest-scoring segmentation of a piece (Viterbi over the vocabulary's
/// log-probabilities), as HF `tokenizers`' Unigram computes it.
///
/// A position no vocabulary piece covers with exactly one character becomes `unk` with score
/// `min score − 10`; consecutive unknowns are fused into one token; a fused string that is not a piece becomes
/// its `<0xXX>` byte tokens when `byteFallback` is on, else `unk`. Scores are summed in Double as HF does.
public struct UnigramModel: Sendable {
    /// The pieces' bytes, concatenated; piece `i` is `pieceBytes[pieceStarts[i] ..< pieceStarts[i + 1]]`.
    let pieceBytes: [UInt8]
    let pieceStarts: [Int]
    let scores: [Double]
    let trie: UnigramTrie
    public let unknownId: Int32
    public let byteFallback: Bool
    let unknownScore: Double
    /// Ids of `<0x00>` … `<0xFF>` when byte fallback is on and all 256 exist.
    let byteIds: [Int32]?

    public var vocabularySize: Int { scores.count }

    init(pieces: [String], scores: [Double], unknownId: Int, byteFallback: Bool) {
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        for piece in pieces {
            bytes.append(contentsOf: piece.utf8)
            starts.append(bytes.count)
        }
        pieceBytes = bytes
        pieceStarts = starts
        self.scores = scores
        let keys = pieces.indices.map { bytes[starts[$0]..<starts[$0 + 1]] }
        trie = UnigramTrie(keys: keys, ids: pieces.indices.map { Int32($0) })
        self.unknownId = Int32(unknownId)
        self.byteFallback = byteFallback
        unknownScore = (scores.min() ?? 0) - 10
        let trie = self.trie
        let ids = (0..<256).map { b -> Int32? in
            let name = "<0x" + String(UInt8(b), radix: 16, uppercase: true).leftPadded(to: 2) + ">"
            return Array(name.utf8).withUnsafeBufferPointer { trie.id(of: $0) }
        }
        byteIds = byteFallback && ids.allSatisfy({ $0 != nil }) ? ids.map { $0! } : nil
    }

    /// The piece string of `id`.
    func piece(_ id: Int) -> ArraySlice<UInt8> { pieceBytes[pieceStarts[id]..<pieceStarts[id + 1]] }

    /// Reusable Viterbi buffers.
    struct Lattice {
        var score: [Double] = []
        var start: [Int32] = []
        var id: [Int32] = []
        var path: [(start: Int32, end: Int32, id: Int32)] = []
    }

    /// Appends the ids of `text` (one pre-tokenized piece, valid UTF-8) to `ids`.
    func appendIds(of text: UnsafeBufferPointer<UInt8>, to ids: inout [Int32], lattice: inout Lattice) {
        let n = text.count
        guard n > 0 else { return }
        lattice.score.removeAll(keepingCapacity: true)
        lattice.start.removeAll(keepingCapacity: true)
        lattice.id.removeAll(keepingCapacity: true)
        lattice.score.append(contentsOf: repeatElement(0, count: n + 1))
        lattice.start.append(contentsOf: repeatElement(-1, count: n + 1))
        lattice.id.append(contentsOf: repeatElement(-1, count: n + 1))
        var from = 0
        while from < n {
            let base = lattice.score[from]
            let charLength = min(UnigramTrie.utf8Length(lead: text[from]), n - from)
            var coversOneCharacter = false
            var node = 0
            var end = from
            while end < n, let next = trie.child(node, text[end]) {
                node = next
                end += 1
                let id = trie.values[node]
                guard id >= 0 else { continue }
                let candidate = scores[Int(id)] + base
                if lattice.start[end] < 0 || candidate > lattice.score[end] {
                    lattice.score[end] = candidate
                    lattice.start[end] = Int32(from)
                    lattice.id[end] = id
                }
                if end - from == charLength { coversOneCharacter = true }
            }
            if !coversOneCharacter {
                let target = from + charLength
                let candidate = unknownScore + base
                if lattice.start[target] < 0 || candidate > lattice.score[target] {
                    lattice.score[target] = candidate
                    lattice.start[target] = Int32(from)
                    lattice.id[target] = unknownId
                }
            }
            from += charLength
        }
        // Back from the end; consecutive unknowns fuse into one token.
        lattice.path.removeAll(keepingCapacity: true)
        var end = n
        while end > 0 {
            let start = Int(lattice.start[end]), id = lattice.id[end]
            if id == unknownId, let last = lattice.path.last, last.id == unknownId, Int(last.start) == end {
                lattice.path[lattice.path.count - 1].start = Int32(start)
            } else {
                lattice.path.append((Int32(start), Int32(end), id))
            }
            end = start
        }
        for step in lattice.path.reversed() {
            guard step.id == unknownId else { ids.append(step.id); continue }
            let span = UnsafeBufferPointer(rebasing: text[Int(step.start)..<Int(step.end)])
            if let known = trie.id(of: span) {
                ids.append(known)
            } else if let byteIds {
                for byte in span { ids.append(byteIds[Int(byte)]) }
            } else {
                ids.append(unknownId)
            }
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
