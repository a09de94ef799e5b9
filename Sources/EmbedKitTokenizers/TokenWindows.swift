/// Splitting id sequences into windows (chunking long inputs) and truncating them; works with any ``Tokenizer``.
public enum TokenWindows {
    /// Consecutive windows of at most `size` ids, each starting `size - overlap` ids after the previous one;
    /// the last window ends at the last id. Empty input gives no windows.
    public static func windows(of ids: [Int], size: Int, overlap: Int = 0) throws -> [ArraySlice<Int>] {
        guard size > 0, overlap >= 0, overlap < size else { throw TiktokenError.invalidWindow(size: size, overlap: overlap) }
        var result: [ArraySlice<Int>] = []
        var start = 0
        while start < ids.count {
            let end = min(start + size, ids.count)
            result.append(ids[start..<end])
            if end == ids.count { break }
            start += size - overlap
        }
        return result
    }
}

extension Tokenizer {
    /// The first `maxTokens` ids of `text` (the cookbook's `truncate_text_tokens`).
    public func truncate(_ text: String, to maxTokens: Int) -> [Int] {
        Array(encodeOrdinary(text).prefix(max(0, maxTokens)))
    }

    /// `text`'s ids in windows of `size` with `overlap` ids shared between neighbours (for chunked embedding).
    public func tokenWindows(_ text: String, size: Int, overlap: Int = 0) throws -> [[Int]] {
        try TokenWindows.windows(of: encodeOrdinary(text), size: size, overlap: overlap).map(Array.init)
    }
}
