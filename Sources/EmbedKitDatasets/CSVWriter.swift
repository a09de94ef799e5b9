import Foundation

/// Builds RFC 4180 CSV into a byte buffer the way pandas' `to_csv` does: `,` between fields, `\n` after each
/// record, and a field quoted only when it holds a comma, a quote or a line break (quotes doubled inside).
///
/// Call ``flush(to:)`` now and then to move the bytes to a file so the buffer stays small.
public struct CSVWriter {
    /// The bytes written and not yet flushed.
    public private(set) var buffer: [UInt8] = []
    private var fieldsInRecord = 0

    public init(capacity: Int = 1 << 20) { buffer.reserveCapacity(capacity) }

    /// Appends one field, quoting it if needed.
    public mutating func field(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { appendEscaped($0) }
    }

    /// Appends one field made of bytes that need no quoting (numbers, list literals of numbers).
    public mutating func rawField(_ bytes: some Sequence<UInt8>) {
        separate()
        buffer.append(contentsOf: bytes)
    }

    /// Starts a field that the caller fills with ``append(raw:)``; the bytes must need no quoting.
    public mutating func beginRawField() { separate() }

    /// Appends bytes to the current raw field.
    public mutating func append(raw bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    /// Appends one ASCII byte to the current raw field.
    public mutating func append(byte: UInt8) { buffer.append(byte) }

    /// Ends the current record.
    public mutating func endRecord() {
        buffer.append(UInt8(ascii: "\n"))
        fieldsInRecord = 0
    }

    /// Writes the buffered bytes to `handle` and empties the buffer.
    public mutating func flush(to handle: FileHandle) throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func separate() {
        if fieldsInRecord > 0 { buffer.append(UInt8(ascii: ",")) }
        fieldsInRecord += 1
    }

    private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        guard needsQuotes else { buffer.append(contentsOf: bytes); return }
        buffer.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
