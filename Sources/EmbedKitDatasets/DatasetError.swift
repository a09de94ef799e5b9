/// Why a dataset job stopped, and what to do about it.
public enum DatasetError: Error, CustomStringConvertible {
    case missingColumn(String, header: [String])
    case columnNotKept(String, usedBy: String)
    case badTemplate(String, reason: String)
    case templateNeeded(columns: [String])
    case badRow(CSVError)
    case badOption(String)
    case checkpointUnreadable(path: String, reason: String)
    case modelReturnedWrongShape(expected: Int, got: Int, dimension: Int)
    case nonFiniteEmbedding(row: String)
    case unknownPreset(String)
    case badEmbedding(line: Int, reason: String)

    public var description: String {
        switch self {
        case .missingColumn(let name, let header):
            return "no column named \"\(name)\"; the header has: \(DatasetError.list(header))"
        case .columnNotKept(let name, let usedBy):
            return "\(usedBy) uses column \"\(name)\", which --columns leaves out: add it to --columns"
        case .badTemplate(let template, let reason):
            return "template \"\(template)\": \(reason)"
        case .templateNeeded(let columns):
            let example = columns.prefix(2).map { "\($0): {\($0)}" }.joined(separator: "; ")
            return "say how to build the text to embed with --template, e.g. --template \"\(example)\""
        case .badRow(let error):
            return error.description
        case .badOption(let message):
            return message
        case .checkpointUnreadable(let path, let reason):
            return "cannot use checkpoint \(path): \(reason); delete it to start over"
        case .modelReturnedWrongShape(let expected, let got, let dimension):
            return "the embedding model returned \(got) vectors of some length for \(expected) texts (expected dimension \(dimension)); check the model or provider"
        case .nonFiniteEmbedding(let row):
            return "row \(row): the model returned NaN or infinity; check the model or provider"
        case .badEmbedding(let line, let reason):
            return "line \(line): \(reason); is this a file written by `embedkit dataset embed`?"
        case .unknownPreset(let name):
            return "unknown preset \"\(name)\"; known: \(DatasetOptions.presets.keys.sorted().joined(separator: ", "))"
        }
    }

    static func list(_ header: [String]) -> String {
        header.map { $0.isEmpty ? "(unnamed index)" : $0 }.joined(separator: ", ")
    }
}
