/// Hierarchical Navigable Small World graph parameters.
public struct HNSWParameters: Sendable, Equatable {
    /// Links per node on upper layers; layer 0 keeps 2·M.
    public var m: Int
    /// Frontier size while inserting: larger builds a better graph, slower.
    public var efConstruction: Int
    /// Default frontier size while searching (raise for recall, lower for speed); always at least k.
    public var efSearch: Int
    /// Seed for the layer assignment. With one build thread the graph is fully deterministic; with more, the
    /// layers are still seeded but the order of concurrent inserts may vary.
    public var seed: UInt64

    public init(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 64, seed: UInt64 = 42) {
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        self.seed = seed
    }

    func validate() throws(IndexError) {
        guard (2...128).contains(m) else { throw .invalidParameter("HNSW M \(m) must be between 2 and 128 (16 is typical)") }
        guard efConstruction >= 1 else { throw .invalidParameter("efConstruction must be at least 1 (200 is typical)") }
        guard efSearch >= 1 else { throw .invalidParameter("efSearch must be at least 1") }
    }
}
