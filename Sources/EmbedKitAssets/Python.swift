import Foundation

/// Failure of a Python helper process (pip, archive extraction).
public enum PythonError: Error, CustomStringConvertible {
    case notFound(String)
    case failed(command: String, status: Int32, output: String)

    public var description: String {
        switch self {
        case .notFound(let interpreter):
            return "\(interpreter) was not found; install Python 3 with pip (Debian: apt-get install python3-pip) or set EMBEDKIT_PYTHON"
        case .failed(let command, let status, let output):
            return "\(command) failed (exit \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines).suffix(600))"
        }
    }
}

/// Runs the Python interpreter (`$EMBEDKIT_PYTHON`, else `python3` on the PATH) for asset downloads.
enum Python {
    static func run(_ arguments: [String], environment: [String: String]) throws {
        let interpreter = environment["EMBEDKIT_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { throw PythonError.notFound(interpreter) }
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: bytes, as: UTF8.self)
            if process.terminationStatus == 127 { throw PythonError.notFound(interpreter) }
            throw PythonError.failed(command: "\(interpreter) \(arguments.first ?? "")", status: process.terminationStatus, output: text)
        }
    }
}
