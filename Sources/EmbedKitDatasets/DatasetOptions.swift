/// How `embedkit dataset embed` turns a table into embedded rows; each property is one command-line flag.
///
/// The steps run in this order, as in the OpenAI Cookbook's `Get_embeddings_from_dataset`: select `columns`,
/// drop rows with a missing value (`dropMissing`), build `combined` from `template` (each value passed through
/// Python's `str.strip` when `strip`), stable sort by `sortBy`, keep the last `tail` rows, drop `dropColumns`,
/// count `n_tokens`, keep rows with `n_tokens <= maxTokens`, keep the last `keepLast`, embed `combined`.
public struct DatasetOptions: Sendable, Codable, Equatable {
    /// Columns to keep (nil: all). The unnamed index column, if any, is always kept as the row label.
    public var columns: [String]?
    /// Drop rows with a missing value in a kept column (pandas' `dropna`: empty fields and pandas' NA strings).
    public var dropMissing = false
    /// How `combined` is built: `{Column}` is replaced by the column's value, `{{` and `}}` are literal braces.
    /// Nil: a template is required unless the table has exactly one kept column.
    public var template: String?
    /// Strip each value substituted into the template with Python's `str.strip` semantics.
    public var strip = false
    /// Column to sort by (stable: ties keep input order); numeric when every value is a number.
    public var sortBy: String?
    /// Keep only the last N rows after the sort.
    public var tail: Int?
    /// Columns removed from the output after the sort (the cookbook drops `Time`).
    public var dropColumns: [String] = []
    /// Keep rows whose `combined` has at most this many tokens.
    public var maxTokens: Int?
    /// After the token filter, keep only the last N rows.
    public var keepLast: Int?
    /// Count malformed rows and go on instead of stopping at the first one.
    public var skipBadRows = false

    public init() {}

    /// The Cookbook's `Get_embeddings_from_dataset` settings for the Amazon fine-food reviews
    /// (`--preset cookbook-reviews`).
    public static var cookbookReviews: DatasetOptions {
        var options = DatasetOptions()
        options.columns = ["Time", "ProductId", "UserId", "Score", "Summary", "Text"]
        options.dropMissing = true
        options.template = "Title: {Summary}; Content: {Text}"
        options.strip = true
        options.sortBy = "Time"
        options.tail = 2000
        options.dropColumns = ["Time"]
        options.maxTokens = 8000
        options.keepLast = 1000
        return options
    }

    /// Named presets (`--preset NAME`).
    public static let presets: [String: DatasetOptions] = ["cookbook-reviews": cookbookReviews]

    /// The preset's encoding and embedding model defaults, as the Cookbook uses them.
    public static let presetEncoding = "cl100k_base"
}
