import Foundation
import EmbedKitTokenizers

/// Reads a CSV and runs every step before embedding: columns, `--dropna`, `combined`, sort, tail, `n_tokens`,
/// `--max-tokens`, `--keep-last`.
///
/// Memory: with `--tail N` only N rows are held while reading (a bounded heap keyed by sort value, then input
/// position); with no sort and no tail, rows stream through token counting in blocks and only kept rows stay
/// (in a dry run, just their labels and counts). A sort without `--tail` holds every row.
public struct DatasetSelector {
    public let input: URL
    public let options: DatasetOptions
    public let tokenizer: any Tokenizer
    /// Keep `values` and `combined` of kept rows (false for a dry run: only counts are needed).
    public var keepTexts = true
    /// Called now and then with the number of bytes and rows read.
    public var onRead: ((_ bytes: Int, _ rows: Int) -> Void)?

    public init(input: URL, options: DatasetOptions, tokenizer: any Tokenizer) {
        self.input = input
        self.options = options
        self.tokenizer = tokenizer
    }

    /// Runs the steps and returns the kept rows.
    public func select() throws -> DatasetSelection {
        if options.sortBy != nil {
            // Numeric sort first; a non-numeric value restarts the read with a text sort (pandas' object column).
            if let selection = try run(numericSort: true) { return selection }
            guard let selection = try run(numericSort: false) else {
                throw DatasetError.badOption("internal: text sort cannot fail")
            }
            return selection
        }
        guard let selection = try run(numericSort: false) else { throw DatasetError.badOption("internal: unsorted run cannot fail") }
        return selection
    }

    // MARK: - Plan

    private struct Plan {
        var indexColumn: Int?
        var keptNames: [String]
        var keptIndices: [Int]
        var outputSlots: [Int]        // positions within kept values that go to the output
        var outputNames: [String]
        var templateSlots: [Int?]
        var template: Template
        var sortSlot: Int?
    }

    private func plan(header: [String]) throws -> Plan {
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw DatasetError.missingColumn(name, header: header) }
            return index
        }
        let indexColumn: Int? = header.first == "" ? 0 : nil
        let keptNames = options.columns ?? header.enumerated().filter { $0.offset != indexColumn }.map(\.element)
        let keptIndices = try keptNames.map(column)
        func slot(_ name: String, usedBy: String) throws -> Int {
            _ = try column(name)
            guard let slot = keptNames.firstIndex(of: name) else { throw DatasetError.columnNotKept(name, usedBy: usedBy) }
            return slot
        }
        let template: Template
        if let text = options.template {
            template = try Template(text)
        } else if keptNames.count == 1 {
            template = try Template("{\(keptNames[0])}")
        } else {
            throw DatasetError.templateNeeded(columns: keptNames)
        }
        for name in template.columns { _ = try slot(name, usedBy: "--template") }
        let templateSlots = template.slots(in: keptNames)
        let sortSlot = try options.sortBy.map { try slot($0, usedBy: "--sort-by") }
        for name in options.dropColumns { _ = try slot(name, usedBy: "--drop") }
        let outputSlots = keptNames.indices.filter { !options.dropColumns.contains(keptNames[$0]) }
        return Plan(indexColumn: indexColumn, keptNames: keptNames, keptIndices: keptIndices, outputSlots: outputSlots,
                    outputNames: outputSlots.map { keptNames[$0] }, templateSlots: templateSlots,
                    template: template, sortSlot: sortSlot)
    }

    // MARK: - Run

    /// nil when a numeric sort met a non-numeric value.
    private func run(numericSort: Bool) throws -> DatasetSelection? {
        let reader = try CSVReader(url: input)
        let plan = try plan(header: reader.header)
        var counts = DatasetCounts()
        var tokens = TokenStage(tokenizer: tokenizer, maxTokens: options.maxTokens, keepLast: options.keepLast,
                                keepTexts: keepTexts)
        let sorting = options.sortBy != nil
        var heap = options.tail.map { BoundedTail(capacity: $0) }
        var all: [SortEntry] = []
        var ring: [DatasetRow] = []
        var block: [DatasetRow] = []
        var values: [String] = []
        values.reserveCapacity(plan.keptIndices.count)

        while true {
            let record: CSVRecord
            do {
                guard let next = try reader.next() else { break }
                record = next
            } catch let error as CSVError {
                if options.skipBadRows, error.line != nil { counts.badRowsSkipped += 1; continue }
                throw DatasetError.badRow(error)
            }
            let position = counts.rowsRead
            counts.rowsRead += 1
            if counts.rowsRead & 0x3FFF == 0 { onRead?(reader.bytesRead, counts.rowsRead) }

            // With a bounded tail, skip building rows that would be dropped at once.
            var key = SortKey.missing
            if let sortSlot = plan.sortSlot {
                let text = record.string(at: plan.keptIndices[sortSlot])
                if MissingValues.isMissing(text) {
                    key = .missing
                } else if numericSort {
                    guard let number = Double(text) else { return nil }
                    key = .number(number)
                } else {
                    key = .text(text)
                }
                if heap?.accepts(key, position: position) == false { counts.candidatesSkipped += 1; continue }
            }
            values.removeAll(keepingCapacity: true)
            var missing = false
            for index in plan.keptIndices {
                let value = record.string(at: index)
                if MissingValues.isMissing(value) { missing = true }
                values.append(value)
            }
            if missing && options.dropMissing { counts.droppedMissing += 1; continue }
            let combined = plan.template.render(slots: plan.templateSlots, strip: options.strip) { slot in
                let value = values[slot]
                return MissingValues.isMissing(value) ? "" : value
            }
            if combined.isEmpty { counts.droppedEmpty += 1; continue }
            let label = plan.indexColumn.map { record.string(at: $0) } ?? String(position)
            let row = DatasetRow(position: position, label: label, values: plan.outputSlots.map { values[$0] },
                                 combined: combined)

            if plan.sortSlot != nil {
                let entry = SortEntry(key: key, row: row)
                if heap != nil { heap?.insert(entry) } else { all.append(entry) }
            } else if let tail = options.tail {
                ring.append(row)
                if ring.count >= 2 * max(tail, 1) { ring.removeFirst(ring.count - tail) }
            } else {
                block.append(row)
                if block.count == 4096 { tokens.consume(block); block.removeAll(keepingCapacity: true) }
            }
        }
        onRead?(reader.bytesRead, counts.rowsRead)

        if sorting {
            var entries = heap?.entries ?? all
            entries.sort(by: SortEntry.before)
            if let tail = options.tail, entries.count > tail { entries.removeFirst(entries.count - tail) }
            block = entries.map(\.row)
        } else if let tail = options.tail {
            if ring.count > tail { ring.removeFirst(ring.count - tail) }
            block = ring
        }
        counts.afterTail = options.tail == nil && !sorting
            ? counts.rowsRead - counts.droppedMissing - counts.droppedEmpty
            : block.count
        tokens.consume(block)
        let rows = tokens.finish()
        counts.droppedOverMaxTokens = tokens.droppedOverMax
        counts.kept = rows.count
        let sortedCounts = rows.map(\.tokens).sorted()
        counts.tokensTotal = sortedCounts.reduce(0, +)
        counts.tokensMin = sortedCounts.first ?? 0
        counts.tokensMax = sortedCounts.last ?? 0
        if !sortedCounts.isEmpty {
            let middle = sortedCounts.count / 2
            counts.tokensMedian = sortedCounts.count % 2 == 1
                ? Double(sortedCounts[middle])
                : Double(sortedCounts[middle - 1] + sortedCounts[middle]) / 2
        }
        return DatasetSelection(columns: plan.outputNames, indexName: plan.indexColumn.map { reader.header[$0] } ?? "",
                                rows: rows, counts: counts)
    }
}

/// A sort value: numbers when the whole column is numeric, else text (compared by code point, as Python does);
/// missing values sort last, as in pandas.
enum SortKey {
    case number(Double)
    case text(String)
    case missing

    static func < (a: SortKey, b: SortKey) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y
        case (.text(let x), .text(let y)): return x.utf8.lexicographicallyPrecedes(y.utf8)
        case (.missing, _): return false
        case (_, .missing): return true
        default: return false
        }
    }
}

/// A row with its sort key; ordered by key, then input position (a stable sort).
struct SortEntry {
    var key: SortKey
    var row: DatasetRow

    static func before(_ a: SortEntry, _ b: SortEntry) -> Bool {
        if a.key < b.key { return true }
        if b.key < a.key { return false }
        return a.row.position < b.row.position
    }
}

/// The last `capacity` entries of a stable sort, kept while streaming: a min-heap (of slot numbers, so sifting
/// moves integers, not rows) whose root is the entry that would be dropped first.
struct BoundedTail {
    let capacity: Int
    private var stored: [SortEntry] = []
    private var heap: [Int] = []

    init(capacity: Int) { self.capacity = max(capacity, 0) }

    /// The kept entries, in no particular order.
    var entries: [SortEntry] { stored }

    /// Whether an entry with this key and position would be kept (so callers can skip building the row).
    func accepts(_ key: SortKey, position: Int) -> Bool {
        guard capacity > 0 else { return false }
        guard heap.count == capacity else { return true }
        let root = stored[heap[0]]
        if root.key < key { return true }
        if key < root.key { return false }
        return root.row.position < position
    }

    mutating func insert(_ entry: SortEntry) {
        guard capacity > 0 else { return }
        if heap.count < capacity {
            stored.append(entry)
            heap.append(stored.count - 1)
            siftUp(heap.count - 1)
        } else if SortEntry.before(stored[heap[0]], entry) {
            stored[heap[0]] = entry
            siftDown(0)
        }
    }

    private func less(_ a: Int, _ b: Int) -> Bool { SortEntry.before(stored[heap[a]], stored[heap[b]]) }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(child, parent) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && less(left, smallest) { smallest = left }
            if right < heap.count && less(right, smallest) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
