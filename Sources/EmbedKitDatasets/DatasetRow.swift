/// One row on its way through the pipeline.
public struct DatasetRow: Sendable {
    /// 0-based position among the input's data rows (ties in the sort keep this order).
    public var position: Int
    /// The row's label: the unnamed index column's value, or `position` when the table has none.
    public var label: String
    /// Values of the output columns (``DatasetSelection/columns``), as written in the input.
    public var values: [String]
    /// The text to embed.
    public var combined: String
    /// Token count of `combined` (-1 until counted).
    public var tokens: Int

    public init(position: Int, label: String, values: [String], combined: String, tokens: Int = -1) {
        self.position = position
        self.label = label
        self.values = values
        self.combined = combined
        self.tokens = tokens
    }
}

/// Counts of what each step of the pipeline kept and dropped.
public struct DatasetCounts: Sendable, Codable, Equatable {
    /// Data rows read (well-formed).
    public var rowsRead = 0
    /// Malformed rows skipped with `--skip-bad-rows`.
    public var badRowsSkipped = 0
    /// Rows dropped by `--dropna`.
    public var droppedMissing = 0
    /// Rows whose `combined` text was empty (always dropped: embedding APIs reject empty input).
    public var droppedEmpty = 0
    /// Rows passed over while reading because `--tail` would drop them anyway (their other columns are not
    /// checked, so `droppedMissing` and `droppedEmpty` count only rows that could have been kept).
    public var candidatesSkipped = 0
    /// Rows left after the sort and `--tail`.
    public var afterTail = 0
    /// Rows dropped by `--max-tokens`.
    public var droppedOverMaxTokens = 0
    /// Rows in the output.
    public var kept = 0
    /// Tokens in the kept rows' `combined`.
    public var tokensTotal = 0
    /// Fewest, median and most tokens of a kept row (0 when no row is kept).
    public var tokensMin = 0
    public var tokensMedian = 0.0
    public var tokensMax = 0

    public init() {}
}

/// The rows a job keeps, in output order, with their token counts.
public struct DatasetSelection: Sendable {
    /// Output column names (kept columns minus dropped ones), without the index, `combined`, `n_tokens`.
    public var columns: [String]
    /// Name of the index column in the input header ("" for pandas' unnamed index).
    public var indexName: String
    /// The kept rows in output order. In a dry run their `values` and `combined` are emptied to save memory.
    public var rows: [DatasetRow]
    /// What each step kept and dropped.
    public var counts: DatasetCounts
}
