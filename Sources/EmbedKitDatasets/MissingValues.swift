/// Which CSV values count as missing: pandas' default NA strings for `read_csv`, so `--dropna` drops the same
/// rows pandas' `dropna()` does. An empty field is missing; so are `NA`, `N/A`, `NaN`, `null`, `None`, … exactly.
public enum MissingValues {
    /// pandas' `STR_NA_VALUES`.
    public static let strings: Set<String> = [
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
        "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    ]

    /// Whether pandas would read `value` as missing.
    @inlinable
    public static func isMissing(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard let first = utf8.first else { return true }
        // Every NA string is at most 8 bytes and starts with one of `# - 1 < N n`: skip hashing for the rest.
        guard utf8.count <= 8, first == 0x23 || first == 0x2D || first == 0x31 || first == 0x3C || first == 0x4E || first == 0x6E
        else { return false }
        return strings.contains(value)
    }
}
