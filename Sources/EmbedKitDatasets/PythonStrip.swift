/// Python's `str.strip()` with no argument: removes leading and trailing characters that Python's
/// `str.isspace()` accepts — ASCII \t \n \v \f \r, space, the separators U+001C–U+001F, U+0085, U+00A0,
/// U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F and U+3000. Unlike Swift's `isWhitespace` it keeps
/// U+200B (zero-width space) and U+FEFF, exactly as Python does.
public enum PythonStrip {
    /// Whether Python's `str.isspace()` is true for the one-character string `scalar`.
    @inlinable
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `text` without leading and trailing Python whitespace.
    public static func strip(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }
}
