/// A `combined` text template such as `Title: {Summary}; Content: {Text}`: literal text and column references.
public struct Template: Sendable, Equatable {
    /// One piece of a template.
    public enum Part: Sendable, Equatable {
        case literal(String)
        case column(String)
    }

    /// The pieces in order.
    public let parts: [Part]

    /// Parses `text`: `{Name}` refers to a column, `{{` and `}}` are literal braces.
    public init(_ text: String) throws {
        var parts: [Part] = []
        var literal = ""
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func nextCharacter() -> Character? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let character = nextCharacter() {
            if character == "{" {
                guard let following = nextCharacter() else { throw DatasetError.badTemplate(text, reason: "it ends with an open {") }
                if following == "{" { literal.append("{"); continue }
                var name = String(following)
                var closed = following == "}"
                if closed { throw DatasetError.badTemplate(text, reason: "{} names no column") }
                while let c = nextCharacter() {
                    if c == "}" { closed = true; break }
                    name.append(c)
                }
                guard closed else { throw DatasetError.badTemplate(text, reason: "{\(name) is never closed with }") }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(.column(name))
            } else if character == "}" {
                guard nextCharacter() == "}" else { throw DatasetError.badTemplate(text, reason: "a lone } (write }} for a literal brace)") }
                literal.append("}")
            } else {
                literal.append(character)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// The columns the template refers to, in order of first use.
    public var columns: [String] {
        var seen: [String] = []
        for case .column(let name) in parts where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// The template with each column name replaced by its position in `columns` (see ``render(slots:strip:_:)``).
    public func slots(in columns: [String]) -> [Int?] {
        parts.map { part in
            if case .column(let name) = part { return columns.firstIndex(of: name) }
            return nil
        }
    }

    /// The text for one row without name lookups: `slots` from ``slots(in:)``, `value(slot)` gives a value.
    public func render(slots: [Int?], strip: Bool, _ value: (Int) -> String) -> String {
        var out = ""
        for (part, slot) in zip(parts, slots) {
            switch part {
            case .literal(let text): out += text
            case .column:
                let text = slot.map(value) ?? ""
                out += strip ? PythonStrip.strip(text) : text
            }
        }
        return out
    }

    /// The text for one row: `value(name)` gives each column's value.
    public func render(strip: Bool, _ value: (String) -> String) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .column(let name): out += strip ? PythonStrip.strip(value(name)) : value(name)
            }
        }
        return out
    }
}
