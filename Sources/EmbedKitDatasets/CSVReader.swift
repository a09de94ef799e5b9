import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming RFC 4180 CSV reader working on bytes in fixed-size chunks, so memory stays flat whatever the
/// file's size.
///
/// Handles quoted fields (`""` inside quotes is one quote), newlines inside quotes, LF / CRLF / CR line ends,
/// a UTF-8 byte order mark, and blank lines (skipped, as pandas does). A quote inside an unquoted field is kept
/// as a literal character (pandas and Python's `csv` do the same). Malformed input — text after a closing
/// quote, a quote left open at the end of the file, or a record whose field count differs from the header's —
/// raises ``CSVError`` with the physical line number where the record starts.
///
/// ```swift
/// let reader = try CSVReader(url: input)
/// while let record = try reader.next() {
///     print(record.line, record.string(at: 0))
/// }
/// ```
public final class CSVReader {
    /// The header's field names (the first record), BOM removed.
    public private(set) var header: [String] = []
    /// Number of data records returned so far.
    public private(set) var recordCount = 0
    /// Number of bytes consumed so far (for progress).
    public private(set) var bytesRead = 0

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var chunk: [UInt8]
    private var chunkLength = 0
    private var position = 0
    private var endOfFile = false
    private var line = 1
    private var atStart = true
    private var pendingCarriageReturn = false
    private var record = CSVRecord()

    /// Opens `url` for reading; the header is read at once.
    public init(url: URL, chunkSize: Int = 1 << 20) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw CSVError.cannotOpen(path: url.path, reason: String(cString: strerror(errno))) }
        descriptor = fd
        ownsDescriptor = true
        chunk = [UInt8](repeating: 0, count: max(chunkSize, 16))
        do { try readHeader() } catch { close(fd); throw error }
    }

    /// Reads from an open file descriptor (e.g. standard input), which the reader does not close.
    public init(fileDescriptor: Int32, chunkSize: Int = 1 << 20) throws {
        descriptor = fileDescriptor
        ownsDescriptor = false
        chunk = [UInt8](repeating: 0, count: max(chunkSize, 16))
        try readHeader()
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    private func readHeader() throws {
        guard try readRecord() else { throw CSVError.empty }
        header = (0..<record.count).map { record.string(at: $0) }
    }

    /// The next data record, or nil at the end of the file. The returned record is reused by the next call:
    /// copy what you need out of it before calling `next()` again.
    ///
    /// A record whose field count differs from the header's throws ``CSVError/wrongFieldCount(line:expected:found:)``;
    /// the reader stays usable, so a caller may count such rows and go on.
    public func next() throws -> CSVRecord? {
        guard try readRecord() else { return nil }
        recordCount += 1
        if record.count != header.count {
            throw CSVError.wrongFieldCount(line: record.line, expected: header.count, found: record.count)
        }
        return record
    }

    // MARK: - The state machine

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    private enum Outcome { case needMore, endOfRecord, blankLine, textAfterQuote }

    /// Reads one record into `record`; false at the end of the input. Blank lines are skipped.
    private func readRecord() throws -> Bool {
        // Work on a local record (moved out and back) so the hot loop has no exclusivity checks or copies.
        var current = CSVRecord()
        swap(&current, &record)
        defer { swap(&current, &record) }
        current.reset(line: line)
        var state = State.fieldStart
        var sawAnything = false
        while true {
            if position == chunkLength {
                try refill()
                if chunkLength == 0 {  // end of input
                    if state == .quoted { throw CSVError.unterminatedQuote(line: current.line) }
                    if !sawAnything { return false }
                    current.endField()
                    return true
                }
            }
            let outcome = chunk.withUnsafeBufferPointer { buffer in
                scan(buffer, state: &state, sawAnything: &sawAnything, record: &current)
            }
            switch outcome {
            case .needMore: continue
            case .endOfRecord: return true
            case .blankLine: current.reset(line: line)
            case .textAfterQuote:
                let badLine = line
                try skipToLineEnd()
                throw CSVError.textAfterClosingQuote(line: badLine)
            }
        }
    }

    /// Scans the current chunk from `position` until the record ends or the chunk is used up.
    private func scan(_ buffer: UnsafeBufferPointer<UInt8>, state: inout State, sawAnything: inout Bool,
                      record: inout CSVRecord) -> Outcome {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let end = chunkLength
        var i = position
        defer { position = i }
        while i < end {
            switch state {
            case .fieldStart, .unquoted:
                if state == .fieldStart && buffer[i] == quote {
                    i += 1; state = .quoted; sawAnything = true; record.markQuoted()
                    continue
                }
                // Run of plain bytes up to a separator or line end.
                let runStart = i
                while i < end {
                    let byte = buffer[i]
                    if byte == comma || byte == lf || byte == cr { break }
                    i += 1
                }
                if i > runStart {
                    record.append(UnsafeBufferPointer(rebasing: buffer[runStart..<i]))
                    state = .unquoted; sawAnything = true
                }
                guard i < end else { return .needMore }
                let byte = buffer[i]
                i += 1
                if byte == comma {
                    record.endField(); state = .fieldStart; sawAnything = true
                } else {
                    if byte == cr { skipLineFeedInChunk(buffer, &i) }
                    line += 1
                    if !sawAnything { return .blankLine }
                    record.endField()
                    return .endOfRecord
                }
            case .quoted:
                // Run of bytes up to the next quote; count line breaks inside for error line numbers.
                let runStart = i
                var breaks = 0
                while i < end {
                    let byte = buffer[i]
                    if byte == quote { break }
                    if byte == lf { breaks += 1 }
                    i += 1
                }
                line += breaks
                if i > runStart { record.append(UnsafeBufferPointer(rebasing: buffer[runStart..<i])) }
                guard i < end else { return .needMore }
                i += 1
                state = .quoteInQuoted
            case .quoteInQuoted:
                let byte = buffer[i]
                i += 1
                if byte == quote {
                    record.append(byte); state = .quoted
                } else if byte == comma {
                    record.endField(); state = .fieldStart
                } else if byte == lf || byte == cr {
                    if byte == cr { skipLineFeedInChunk(buffer, &i) }
                    line += 1
                    record.endField()
                    return .endOfRecord
                } else {
                    i -= 1
                    return .textAfterQuote
                }
            }
        }
        return .needMore
    }

    /// After a CR: skips an LF that follows in this chunk, or remembers to skip one at the next chunk's start.
    private func skipLineFeedInChunk(_ buffer: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        if i < chunkLength {
            if buffer[i] == UInt8(ascii: "\n") { i += 1 }
        } else {
            pendingCarriageReturn = true
        }
    }

    private func refill() throws {
        guard !endOfFile else { chunkLength = 0; position = 0; return }
        let count = chunk.withUnsafeMutableBytes { buffer -> Int in
            var n: Int
            repeat { n = read(descriptor, buffer.baseAddress, buffer.count) } while n < 0 && errno == EINTR
            return n
        }
        guard count >= 0 else { throw CSVError.readFailed(reason: String(cString: strerror(errno))) }
        if count == 0 { endOfFile = true }
        chunkLength = count
        position = 0
        bytesRead += count
        if atStart {
            atStart = false
            if count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF { position = 3 }
        }
        if pendingCarriageReturn {
            pendingCarriageReturn = false
            if position < count && chunk[position] == UInt8(ascii: "\n") { position += 1 }
        }
    }

    private func peek() throws -> UInt8? {
        if position == chunkLength { try refill() }
        return position < chunkLength ? chunk[position] : nil
    }

    /// Skips the rest of a malformed line so that reading can go on with the next one.
    private func skipToLineEnd() throws {
        while let byte = try peek() {
            position += 1
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if byte == UInt8(ascii: "\r") { try skipLineFeed() }
                line += 1
                return
            }
        }
    }

    private func skipLineFeed() throws {
        if try peek() == UInt8(ascii: "\n") { position += 1 }
    }
}

/// One CSV record: its fields' bytes (quotes removed) and the line it starts on.
public struct CSVRecord {
    /// 1-based physical line number where the record starts.
    public fileprivate(set) var line = 1
    fileprivate var bytes: [UInt8] = []
    fileprivate var ends: [Int] = []
    fileprivate var quoted: [Bool] = []
    private var currentQuoted = false

    /// Number of fields.
    public var count: Int { ends.count }

    /// The field at `index` as a String (invalid UTF-8 is replaced by U+FFFD).
    public func string(at index: Int) -> String {
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<ends[index]]), as: UTF8.self) }
    }

    /// Whether the field at `index` is empty and was not written as `""` (pandas reads such a field as missing).
    public func isBare(at index: Int) -> Bool { !quoted[index] }

    /// Byte length of the field at `index`.
    public func length(at index: Int) -> Int { ends[index] - (index == 0 ? 0 : ends[index - 1]) }

    fileprivate mutating func reset(line: Int) {
        self.line = line
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        quoted.removeAll(keepingCapacity: true)
        currentQuoted = false
    }
    fileprivate mutating func append(_ byte: UInt8) { bytes.append(byte) }
    fileprivate mutating func append(_ run: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: run) }
    fileprivate mutating func markQuoted() { currentQuoted = true }
    fileprivate mutating func endField() {
        ends.append(bytes.count); quoted.append(currentQuoted); currentQuoted = false
    }
}

/// What went wrong reading a CSV file, with the line to look at.
public enum CSVError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case readFailed(reason: String)
    case empty
    case unterminatedQuote(line: Int)
    case textAfterClosingQuote(line: Int)
    case wrongFieldCount(line: Int, expected: Int, found: Int)

    /// The line the error points at, if any.
    public var line: Int? {
        switch self {
        case .unterminatedQuote(let line), .textAfterClosingQuote(let line), .wrongFieldCount(let line, _, _): return line
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .readFailed(let reason): return "reading the CSV failed: \(reason)"
        case .empty: return "the CSV file is empty: it needs at least a header line"
        case .unterminatedQuote(let line):
            return "line \(line): a quoted field is never closed (a \" is missing before the end of the file)"
        case .textAfterClosingQuote(let line):
            return "line \(line): text follows a closing quote; inside a quoted field write a quote as \"\""
        case .wrongFieldCount(let line, let expected, let found):
            return "line \(line): \(found) fields where the header has \(expected); fix the row or pass --skip-bad-rows"
        }
    }
}
