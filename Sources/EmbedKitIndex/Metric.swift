import EmbedKitNumerics

/// How two vectors are compared. Every search ranks by a *distance* (smaller is better); results report the
/// metric's natural *score* (cosine similarity, inner product, or squared Euclidean distance).
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Cosine similarity: vectors (and queries) are L2-normalized on the way in, then compared by inner product.
    case cosine
    /// Raw inner product (larger is better).
    case dot
    /// Squared Euclidean distance (smaller is better).
    case l2

    /// Stable on-disk code.
    var code: UInt32 {
        switch self {
        case .cosine: 0
        case .dot: 1
        case .l2: 2
        }
    }

    init?(code: UInt32) {
        switch code {
        case 0: self = .cosine
        case 1: self = .dot
        case 2: self = .l2
        default: return nil
        }
    }

    /// Distance between `a` and `b` (smaller is better): −a·b for cosine/dot, ‖a−b‖² for l2.
    @inline(__always)
    func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dimension: Int) -> Float {
        switch self {
        case .cosine, .dot: return -DotProduct.compute(a, b, count: dimension)
        case .l2: return SquaredEuclideanDistance.compute(a, b, count: dimension)
        }
    }

    /// The score users see for an internal distance.
    @inline(__always)
    func score(distance: Float) -> Float {
        self == .l2 ? distance : -distance
    }

    /// Whether vectors are normalized when stored (cosine only).
    var normalizes: Bool { self == .cosine }
}

/// Scales `v` (length `count`) to unit L2 norm in place; a zero vector stays zero.
@inline(__always)
func normalizeInPlace(_ v: UnsafeMutablePointer<Float>, count: Int) {
    let norm = DotProduct.compute(v, v, count: count).squareRoot()
    guard norm > 0 else { return }
    let inverse = 1 / norm
    for i in 0..<count { v[i] *= inverse }
}
