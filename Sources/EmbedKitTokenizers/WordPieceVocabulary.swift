/// A WordPiece vocabulary as a byte trie, for greedy longest-match-first lookup without building substrings.
///
/// Nodes are numbered; a child is found in one hash table keyed by `(node << 8) | byte`. Word-initial pieces
/// start at the root; continuation pieces (`##…`) start at the node reached by the continuation prefix.
struct WordPieceVocabulary: Sendable {
    /// The token of each id (ids missing from the vocabulary have an empty string).
    let tokens: [String]
    private var children: [Int: Int32] = [:]
    private var terminal: [Int32] = [-1]
    /// Node reached from the root by the continuation prefix, or -1 when no token starts with it.
    private(set) var continuationRoot: Int32 = -1

    init(tokens: [String], continuationPrefix: String) {
        self.tokens = tokens
        children.reserveCapacity(tokens.count * 4)
        for (id, token) in tokens.enumerated() where !token.isEmpty {
            var node: Int32 = 0
            for byte in token.utf8 { node = child(of: node, byte, creating: true) }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(id) }
        }
        var node: Int32 = 0
        for byte in continuationPrefix.utf8 {
            guard let next = children[Int(node) << 8 | Int(byte)] else { node = -1; break }
            node = next
        }
        continuationRoot = node
    }

    private mutating func child(of node: Int32, _ byte: UInt8, creating: Bool) -> Int32 {
        let key = Int(node) << 8 | Int(byte)
        if let existing = children[key] { return existing }
        let new = Int32(terminal.count)
        terminal.append(-1)
        children[key] = new
        return new
    }

    /// The longest token matching `bytes[start...]` from `root`: its id and end offset, or nil.
    @inline(__always)
    func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, root: Int32) -> (id: Int32, end: Int)? {
        var node = root
        var best: (Int32, Int)? = nil
        var i = start
        while i < bytes.count {
            guard let next = children[Int(node) << 8 | Int(bytes[i])] else { break }
            node = next
            i += 1
            let id = terminal[Int(node)]
            if id >= 0 { best = (id, i) }
        }
        return best
    }

    /// The id of `token` exactly, or nil.
    func id(of token: String) -> Int32? {
        var node: Int32 = 0
        for byte in token.utf8 {
            guard let next = children[Int(node) << 8 | Int(byte)] else { return nil }
            node = next
        }
        let id = terminal[Int(node)]
        return id >= 0 ? id : nil
    }
}
