import Foundation
import EmbedKitCore

/// The file formats `dataset embed` writes.
public enum DatasetOutputFormat: String, Sendable, Codable, CaseIterable {
    /// pandas-ready CSV: unnamed index column, the kept columns, `combined`, `n_tokens`, and `embedding` as a
    /// list literal (`[0.0123, -0.456, …]`) that `json.loads` and `ast.literal_eval` read back exactly.
    case csv
    /// One JSON object per line with the same fields (`index` for the label, `embedding` as a number array).
    case jsonl
    /// NumPy `.npy`, float32 `[n, d]`, plus `<name>.ids.txt` with one row label per line.
    case npy

    /// The format a file name suggests (`.jsonl`, `.npy`, else CSV).
    public static func guess(from url: URL) -> DatasetOutputFormat {
        switch url.pathExtension.lowercased() {
        case "jsonl", "ndjson": return .jsonl
        case "npy": return .npy
        default: return .csv
        }
    }

    /// The ids file written beside an `.npy` output.
    public static func idsURL(for output: URL) -> URL {
        let base = output.pathExtension.lowercased() == "npy" ? output.deletingPathExtension() : output
        return base.appendingPathExtension("ids.txt")
    }
}

/// Writes the finished rows and their vectors in one of the ``DatasetOutputFormat``s, atomically.
struct DatasetOutputWriter {
    let selection: DatasetSelection
    let format: DatasetOutputFormat
    let dimension: Int

    func write(to output: URL, vectors checkpoint: EmbeddingCheckpoint) throws {
        switch format {
        case .csv: try writeCSV(to: output, checkpoint)
        case .jsonl: try writeJSONLines(to: output, checkpoint)
        case .npy: try writeNumPy(to: output, checkpoint)
        }
    }

    private func writeCSV(to output: URL, _ checkpoint: EmbeddingCheckpoint) throws {
        try AtomicFile.write(to: output) { handle in
            var csv = CSVWriter()
            csv.field(selection.indexName)
            for name in selection.columns { csv.field(name) }
            csv.field("combined"); csv.field("n_tokens"); csv.field("embedding")
            csv.endRecord()
            try checkpoint.forEachVector { index, vector in
                let row = selection.rows[index]
                csv.field(row.label)
                for value in row.values { csv.field(value) }
                csv.field(row.combined)
                csv.rawField(String(row.tokens).utf8)
                csv.beginRawField()  // quoted, as pandas writes it: the list holds commas
                csv.append(byte: UInt8(ascii: "\""))
                try FloatList.append(vector, row: row.label, to: &csv)
                csv.append(byte: UInt8(ascii: "\""))
                csv.endRecord()
                if csv.buffer.count >= 1 << 20 { try csv.flush(to: handle) }
            }
            try csv.flush(to: handle)
        }
    }

    private func writeJSONLines(to output: URL, _ checkpoint: EmbeddingCheckpoint) throws {
        let numeric = selection.columns.indices.map { column in
            selection.rows.allSatisfy { JSONText.isNumber($0.values[column]) }
        }
        try AtomicFile.write(to: output) { handle in
            var out = CSVWriter()
            try checkpoint.forEachVector { index, vector in
                let row = selection.rows[index]
                var line = "{\"index\":" + (JSONText.isNumber(row.label) ? row.label : JSONText.quoted(row.label))
                for (column, name) in selection.columns.enumerated() {
                    let value = row.values[column]
                    line += "," + JSONText.quoted(name) + ":"
                    line += MissingValues.isMissing(value) ? "null" : numeric[column] ? value : JSONText.quoted(value)
                }
                line += ",\"combined\":" + JSONText.quoted(row.combined) + ",\"n_tokens\":\(row.tokens),\"embedding\":"
                out.append(raw: line.utf8)
                try FloatList.append(vector, row: row.label, to: &out)
                out.append(raw: "}\n".utf8)
                if out.buffer.count >= 1 << 20 { try out.flush(to: handle) }
            }
            try out.flush(to: handle)
        }
    }

    private func writeNumPy(to output: URL, _ checkpoint: EmbeddingCheckpoint) throws {
        try AtomicFile.write(to: output) { handle in
            var bytes = NumPyHeader.float32Matrix(rows: selection.rows.count, columns: dimension)
            try checkpoint.forEachVector { _, vector in
                for value in vector { appendLittleEndian(value.bitPattern, to: &bytes) }
                if bytes.count >= 1 << 20 { try handle.write(contentsOf: bytes); bytes.removeAll(keepingCapacity: true) }
            }
            try handle.write(contentsOf: bytes)
        }
        var ids = selection.rows.map(\.label).joined(separator: "\n")
        if !ids.isEmpty { ids += "\n" }
        try AtomicFile.write(Data(ids.utf8), to: DatasetOutputFormat.idsURL(for: output))
    }
}

/// `[a, b, …]` with each float in its shortest form that reads back to the same float32.
enum FloatList {
    static func append(_ vector: UnsafeBufferPointer<Float>, row: String, to writer: inout CSVWriter) throws {
        writer.append(byte: UInt8(ascii: "["))
        for (i, value) in vector.enumerated() {
            guard value.isFinite else { throw DatasetError.nonFiniteEmbedding(row: row) }
            if i > 0 { writer.append(raw: ", ".utf8) }
            writer.append(raw: value.description.utf8)
        }
        writer.append(byte: UInt8(ascii: "]"))
    }
}

/// The `.npy` version 1.0 header for a C-order float32 matrix.
enum NumPyHeader {
    static func float32Matrix(rows: Int, columns: Int) -> [UInt8] {
        var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + dictionary.utf8.count + 1
        dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        appendLittleEndian(UInt16(dictionary.utf8.count), to: &bytes)
        bytes.append(contentsOf: dictionary.utf8)
        return bytes
    }
}

/// Small JSON helpers for the JSON Lines output.
enum JSONText {
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Whether `text` is a JSON number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`).
    static func isNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int { var n = 0; while let b = bytes.first, b >= 48 && b <= 57 { bytes.removeFirst(); n += 1 }; return n }
        if bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "0") { bytes.removeFirst() } else if digits() == 0 { return false }
        if bytes.first == UInt8(ascii: ".") { bytes.removeFirst(); if digits() == 0 { return false } }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes.removeFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes.removeFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }
}
