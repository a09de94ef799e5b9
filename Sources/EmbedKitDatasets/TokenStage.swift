import Foundation
import EmbedKitTokenizers

/// Counts `n_tokens` for blocks of rows (spread over the cores), applies `--max-tokens`, and keeps the last
/// `--keep-last` rows.
struct TokenStage {
    let tokenizer: any Tokenizer
    let maxTokens: Int?
    let keepLast: Int?
    let keepTexts: Bool
    private(set) var droppedOverMax = 0
    private var kept: [DatasetRow] = []

    init(tokenizer: any Tokenizer, maxTokens: Int?, keepLast: Int?, keepTexts: Bool) {
        self.tokenizer = tokenizer
        self.maxTokens = maxTokens
        self.keepLast = keepLast
        self.keepTexts = keepTexts
    }

    mutating func consume(_ block: [DatasetRow]) {
        guard !block.isEmpty else { return }
        let counts = Self.count(block.map(\.combined), tokenizer: tokenizer)
        for (row, count) in zip(block, counts) {
            if let maxTokens, count > maxTokens { droppedOverMax += 1; continue }
            var row = row
            row.tokens = count
            if !keepTexts { row.values = []; row.combined = "" }
            kept.append(row)
        }
        if let keepLast, kept.count >= 2 * max(keepLast, 1) { kept.removeFirst(kept.count - keepLast) }
    }

    mutating func finish() -> [DatasetRow] {
        if let keepLast, kept.count > keepLast { kept.removeFirst(kept.count - keepLast) }
        return kept
    }

    /// Token counts of `texts`, computed on all cores.
    static func count(_ texts: [String], tokenizer: any Tokenizer) -> [Int] {
        if let tiktoken = tokenizer as? TiktokenEncoding { return tiktoken.countBatch(texts) }  // counts without ids
        let workers = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), max(texts.count / 64, 1))
        var counts = [Int](repeating: 0, count: texts.count)
        counts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var i = worker
                while i < texts.count {
                    out[i] = tokenizer.count(texts[i])
                    i += workers
                }
            }
        }
        return counts
    }
}
