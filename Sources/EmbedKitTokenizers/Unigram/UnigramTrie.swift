/// A byte trie over the Unigram pieces for common-prefix search: node 0 is the root; the children of node
/// `n` are the nodes `firstChild[n] ..< firstChild[n] + childCount[n]`, sorted by their edge label.
struct UnigramTrie: Sendable {
    private(set) var firstChild: [Int32] = [0]
    private(set) var childCount: [Int32] = [0]
    private(set) var labels: [UInt8] = [0]
    /// The piece id ending at each node, or -1.
    private(set) var values: [Int32] = [-1]

    /// Builds the trie of `keys` (byte strings) → ids; for a duplicate key the larger id wins (HF builds its
    /// token → id map in vocabulary order, so the later entry overwrites the earlier).
    init(keys: [ArraySlice<UInt8>], ids: [Int32]) {
        var order = keys.indices.filter { !keys[$0].isEmpty }
        order.sort { a, b in
            keys[a].lexicographicallyPrecedes(keys[b]) || (keys[a] == keys[b] && ids[a] < ids[b])
        }
        // Breadth first over runs of sorted keys sharing a prefix, so each node's children are contiguous.
        var queue: [(node: Int, lo: Int, hi: Int, depth: Int)] = [(0, 0, order.count, 0)]
        var head = 0
        while head < queue.count {
            var (node, lo, hi, depth) = queue[head]
            head += 1
            while lo < hi && keys[order[lo]].count == depth {  // keys ending here (duplicates: last wins)
                values[node] = ids[order[lo]]
                lo += 1
            }
            firstChild[node] = Int32(labels.count)
            var i = lo
            while i < hi {
                let byte = keys[order[i]][keys[order[i]].startIndex + depth]
                var j = i + 1
                while j < hi && keys[order[j]][keys[order[j]].startIndex + depth] == byte { j += 1 }
                let child = labels.count
                labels.append(byte)
                values.append(-1)
                firstChild.append(0)
                childCount.append(0)
                queue.append((child, i, j, depth + 1))
                i = j
            }
            childCount[node] = Int32(labels.count) - firstChild[node]
        }
    }

    /// The child of `node` along `byte`, or nil.
    @inline(__always)
    func child(_ node: Int, _ byte: UInt8) -> Int? {
        var lo = Int(firstChild[node]), hi = lo + Int(childCount[node])
        while lo < hi {
            let mid = (lo + hi) >> 1
            let label = labels[mid]
            if label == byte { return mid }
            if label < byte { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// The id of exactly `key`, or nil.
    func id(of key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var node = 0
        for byte in key {
            guard let next = child(node, byte) else { return nil }
            node = next
        }
        return values[node] >= 0 ? values[node] : nil
    }

    /// Bytes in the UTF-8 sequence starting with `lead` (1 for a stray continuation byte).
    @inline(__always)
    static func utf8Length(lead: UInt8) -> Int {
        lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }
}
