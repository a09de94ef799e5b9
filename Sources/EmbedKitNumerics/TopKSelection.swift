/// Keeps the k best (smallest-distance) of a stream of scored items in a bounded max-heap, so selecting the
/// top k of n costs O(n log k) and no allocation per item. Ties are broken by the smaller id.
public struct TopKSelection: Sendable {
    /// How many items are kept.
    public let k: Int
    @usableFromInline var distances: [Float]
    @usableFromInline var ids: [Int]
    /// Items currently held (≤ k).
    public var count: Int { held }
    @usableFromInline var held: Int = 0

    /// An empty selection keeping the best `k` items.
    public init(k: Int) {
        self.k = max(0, k)
        distances = [Float](repeating: 0, count: self.k)
        ids = [Int](repeating: 0, count: self.k)
    }

    /// Whether (a, ia) ranks after (b, ib): larger distance, or same distance and larger id.
    @inlinable
    static func worse(_ a: Float, _ ia: Int, than b: Float, _ ib: Int) -> Bool {
        a > b || (a == b && ia > ib)
    }

    /// The distance an item must beat to enter (∞ while fewer than k are held).
    @inlinable
    public var threshold: Float { count < k ? .infinity : distances[0] }

    /// Empties the selection, keeping its storage.
    public mutating func removeAll() { held = 0 }

    /// Offers one item; it is kept if it ranks among the best k seen.
    @inlinable
    public mutating func insert(distance: Float, id: Int) {
        if count < k {
            var i = held
            held += 1
            distances.withUnsafeMutableBufferPointer { d in
                ids.withUnsafeMutableBufferPointer { n in
                    while i > 0 {
                        let p = (i - 1) >> 1
                        if Self.worse(distance, id, than: d[p], n[p]) {
                            d[i] = d[p]; n[i] = n[p]; i = p
                        } else { break }
                    }
                    d[i] = distance; n[i] = id
                }
            }
            return
        }
        guard k > 0, Self.worse(distances[0], ids[0], than: distance, id) else { return }
        let c = held
        distances.withUnsafeMutableBufferPointer { d in
            ids.withUnsafeMutableBufferPointer { n in
                var i = 0
                while true {
                    let l = 2 * i + 1
                    if l >= c { break }
                    var m = l
                    let r = l + 1
                    if r < c && Self.worse(d[r], n[r], than: d[l], n[l]) { m = r }
                    if Self.worse(d[m], n[m], than: distance, id) {
                        d[i] = d[m]; n[i] = n[m]; i = m
                    } else { break }
                }
                d[i] = distance; n[i] = id
            }
        }
    }

    /// The kept items, best first (ascending distance, ties by ascending id).
    public func sorted() -> [(id: Int, distance: Float)] {
        var out: [(id: Int, distance: Float)] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append((ids[i], distances[i])) }
        out.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
        return out
    }
}
