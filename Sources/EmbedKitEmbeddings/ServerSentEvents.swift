/// Splits a `text/event-stream` byte stream into the `data:` payloads of its events (SSE, as OpenAI streams
/// chat completions: `data: {…}` events separated by blank lines, ending with `data: [DONE]`).
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var data: [String] = []

    public init() {}

    /// Feeds bytes; returns the data of every event completed by them (multi-line data joined with "\n").
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [String] where Bytes.Element == UInt8 {
        var events: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if line.isEmpty {
                    if !data.isEmpty { events.append(data.joined(separator: "\n")); data.removeAll() }
                } else if line.starts(with: Array("data:".utf8)) {
                    var payload = line.dropFirst(5)
                    if payload.first == UInt8(ascii: " ") { payload = payload.dropFirst() }
                    data.append(String(decoding: payload, as: UTF8.self))
                }
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        return events
    }

    /// Whatever event the stream ended inside of (a server that omits the last blank line).
    public mutating func finish() -> [String] {
        var events = feed([UInt8(ascii: "\n")])
        if !data.isEmpty { events.append(data.joined(separator: "\n")); data.removeAll() }
        return events
    }
}
