import EmbedKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar on standard error (rows/s, tokens/s, ETA), redrawn at most 10 times a second.
/// Only exists when standard error is a terminal, so pipes and logs stay clean.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var started: ContinuousClock.Instant?
    private var startRows = 0
    private var startTokens = 0
    private var drawn = false

    static func forStandardError() -> ProgressLine? { isatty(STDERR_FILENO) == 1 ? ProgressLine() : nil }

    var handler: DatasetProgressHandler { { [self] event in self.update(event) } }

    func update(_ event: DatasetProgress) {
        lock.lock(); defer { lock.unlock() }
        let now = ContinuousClock.now
        var final = false
        let text: String
        switch event {
        case .reading(let bytes, let rows):
            guard now - lastDraw >= .milliseconds(100) else { return }
            text = "reading: \(rows) rows, \(bytes / 1_000_000) MB"
        case .embedding(let rows, let ofRows, let tokens, let ofTokens, _):
            if started == nil { started = now; startRows = rows; startTokens = tokens }
            final = rows == ofRows
            guard final || now - lastDraw >= .milliseconds(100) else { return }
            let elapsed = seconds(now - (started ?? now))
            let rowRate = elapsed > 0 ? Double(rows - startRows) / elapsed : 0
            let tokenRate = elapsed > 0 ? Double(tokens - startTokens) / elapsed : 0
            let eta = rowRate > 0 ? Double(ofRows - rows) / rowRate : 0
            let fraction = ofRows > 0 ? Double(rows) / Double(ofRows) : 1
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            _ = ofTokens
            text = "embedding \(bar) \(rows)/\(ofRows)  \(Int(rowRate)) rows/s  \(Int(tokenRate)) tokens/s  ETA \(clock(eta))"
        case .writing:
            text = "writing output…"
        }
        lastDraw = now
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%d:%02d", total / 60, total % 60)
    }
}
