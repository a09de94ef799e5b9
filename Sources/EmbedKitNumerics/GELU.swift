/// The exact (erf-based) GELU activation BERT uses: gelu(x) = x/2 · (1 + erf(x/√2)).
public enum GELU {
    /// Applies GELU to `count` values in place.
    public static func applyInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = values[i]
            values[i] = 0.5 * x * (1 + ErrorFunction.erf(x * 0.7071067811865476))
        }
    }
}
