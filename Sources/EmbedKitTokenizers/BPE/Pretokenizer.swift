import EmbedKitCKernels

/// The pre-tokenization rules of the tiktoken encodings, as hand-written scanners over UTF-8 that split text
/// exactly where tiktoken's regexes do:
///
/// - `r50k` (r50k_base, p50k_base): `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
/// - `cl100k`: `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
/// - `o200k`: word = `[^\r\n\p{L}\p{N}]?` + upper-ish/lower-ish runs + optional case-insensitive contraction,
///   `\p{N}{1,3}`, ` ?[^\s\p{L}\p{N}]+[\r\n/]*`, `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`.
///
/// Alternatives are tried in order with backtracking semantics (leftmost-first), which the scanners reproduce
/// case by case; `$` is the end of the segment being scanned (tiktoken scans the text between special tokens).
public enum PretokenizerPattern: String, Sendable {
    case r50k, cl100k, o200k
}

/// A scanner over one contiguous UTF-8 segment `[0, end)`. Input must be valid UTF-8 (it comes from `String`).
///
/// Two paths give the same piece ends: the block path (`cl100kPieceEnd`, `o200kPieceEnd`, `r50kPieceEnd`, in
/// PretokenizerBlockScan.swift) reads byte classes from a 64-byte window of bitmasks and answers pieces made of
/// ASCII runs; it hands anything else (non-ASCII bytes near the piece, contractions, runs leaving the window) to
/// the scalar path below (`…ScalarPieceEnd`), which walks scalars one at a time. The window makes the scanner
/// stateful: scan pieces in increasing order for speed (any order stays correct).
@usableFromInline
struct PretokenizerScanner {
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let end: Int
    /// The process-wide category table (``UnicodeCategoryTable/storage``, never freed): unowned, so building a
    /// scanner per encode call touches no reference count.
    unowned(unsafe) let table: TwoStageTable
    let latin: UnsafePointer<UInt8>
    /// Flags of three-byte scalars by their first two bytes (``TwoStageTable/threeByte``).
    let threeByte: UnsafePointer<UInt8>
    /// The block path's window: byte classes of `bytes[windowBase ..< windowBase + 64]` (clipped to `end`).
    var window = PretokenizerWindow()
    /// The pattern of the block path (the scalar functions are per pattern).
    let pattern: PretokenizerPattern
    /// Whether windows are classified by the vector kernel; the portable classifier loop costs more than the
    /// scalar scanner saves, so without it every piece takes the scalar path.
    let useWindows: Bool
    static let vectorWindows = String(cString: ek_pretok_isa()) != "portable"

    static let letter: UInt8 = 1, number: UInt8 = 2, space: UInt8 = 4, upperish: UInt8 = 8, lowerish: UInt8 = 16
    static let letterOrNumber: UInt8 = 3, notOther: UInt8 = 7

    init(bytes: UnsafePointer<UInt8>, end: Int, pattern: PretokenizerPattern) {
        self.init(bytes: bytes, end: end, setup: Setup(pattern: pattern))
    }

    /// A scanner over `bytes[0 ..< end]` from a ``Setup`` made once (per encoding): building one per encode
    /// call then reads no global (each is a `swift_once` check) and calls nothing.
    @inline(__always)
    init(bytes: UnsafePointer<UInt8>, end: Int, setup: Setup) {
        self.bytes = bytes
        self.end = end
        self.pattern = setup.pattern
        self.useWindows = setup.useWindows && end >= Setup.windowsFrom
        self.table = setup.table
        self.latin = setup.latin
        self.threeByte = setup.threeByte
    }

    /// What every scanner of one pattern starts from: the pattern, the category table's pointers and whether
    /// windows are classified by the vector kernel.
    struct Setup {
        unowned(unsafe) let table: TwoStageTable
        let latin: UnsafePointer<UInt8>
        let threeByte: UnsafePointer<UInt8>
        let pattern: PretokenizerPattern
        let useWindows: Bool
        /// Segments shorter than this take the scalar path for every piece: classifying a window costs
        /// ~15–25 ns, more than the one or two pieces of a text this short take through the scalar path.
        static let windowsFrom = 16

        init(pattern: PretokenizerPattern) {
            let table = UnicodeCategoryTable.storage
            self.table = table
            latin = UnsafePointer(table.blocks + Int(table.blockIndex[0]) * 256)
            threeByte = UnsafePointer(table.threeByte)
            self.pattern = pattern
            useWindows = PretokenizerScanner.vectorWindows
        }
    }

    /// Flags and byte length of the scalar starting at `i` (`i < end`). A three-byte scalar whose 64-scalar
    /// block has one set of flags is classified by its first two bytes alone.
    @inline(__always)
    func scalar(at i: Int) -> (flags: UInt8, length: Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (latin[Int(b0)], 1) }
        let value: UInt32, length: Int
        if b0 < 0xE0 {
            value = UInt32(b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
            length = 2
        } else if b0 < 0xF0 {
            let b1 = bytes[i + 1]
            let uniform = threeByte[Int(b0 & 0x0F) << 6 | Int(b1 & 0x3F)]
            if uniform != TwoStageTable.mixed { return (uniform, 3) }      // e.g. CJK ideographs
            value = UInt32(b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
            length = 3
        } else {
            value = UInt32(b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
            length = 4
        }
        return (value < 0x110000 ? table.flags(value) : 0, length)
    }

    @inline(__always)
    func flags(at i: Int) -> UInt8 { i < end ? scalar(at: i).flags : 0 }

    /// End of the run of scalars from `i` whose flags intersect `mask`.
    @inline(__always)
    func run(from i: Int, matching mask: UInt8) -> Int {
        var j = mask == Self.letter ? asciiRun(from: i, lowercaseOnly: false) : i
        while j < end {
            let b = bytes[j]
            if b < 0x80 {
                if latin[Int(b)] & mask == 0 { return j }
                j += 1
            } else {
                let s = scalar(at: j)
                if s.flags & mask == 0 { return j }
                j += s.length
            }
        }
        return j
    }

    /// End of the run of ASCII letters from `i` (`[a-z]` only when `lowercaseOnly`), 8 bytes at a time; it stops
    /// at the first other byte, or where fewer than 8 bytes remain (callers continue byte by byte from there).
    /// Bytes ≥ 0x80 are never counted, so non-ASCII letters are left to the callers' general path.
    @inline(__always)
    func asciiRun(from i: Int, lowercaseOnly: Bool) -> Int {
        var j = i
        let high: UInt64 = 0x8080_8080_8080_8080
        while j + 8 <= end {
            let w = UnsafeRawPointer(bytes + j).loadUnaligned(as: UInt64.self)
            // Per byte, no carries: x ≤ 0x7F, so x + 0x1F ≥ 0x80 iff x ≥ 0x61 ('a') and x + 0x05 ≥ 0x80 iff
            // x ≥ 0x7B (past 'z'). Folding in 0x20 first maps 'A'…'Z' onto 'a'…'z'.
            let x = (lowercaseOnly ? w : w | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F
            let letters = (x &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(x &+ 0x0505_0505_0505_0505) & ~w & high
            let others = ~letters & high
            if others != 0 { return j + others.trailingZeroBitCount >> 3 }
            j += 8
        }
        return j
    }

    /// End of the run of "other" scalars (`[^\s\p{L}\p{N}]`) from `i`.
    @inline(__always)
    func otherRun(from i: Int) -> Int {
        var j = i
        while j < end {
            let b = bytes[j]
            if b < 0x80 {
                if latin[Int(b)] & Self.notOther != 0 { return j }
                j += 1
            } else {
                let s = scalar(at: j)
                if s.flags & Self.notOther != 0 { return j }
                j += s.length
            }
        }
        return j
    }

    @inline(__always)
    func byte(_ i: Int) -> UInt8 { i < end ? bytes[i] : 0 }

    @inline(__always)
    static func isNewline(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { b | 0x20 }

    /// Length of a case-sensitive contraction `'(?:[sdmt]|ll|ve|re)` at `i` (which holds `'`), or 0.
    @inline(__always)
    func contractionExact(at i: Int) -> Int {
        let a = byte(i + 1)
        switch a {
        case UInt8(ascii: "s"), UInt8(ascii: "d"), UInt8(ascii: "m"), UInt8(ascii: "t"): return 2
        case UInt8(ascii: "l"): return byte(i + 2) == UInt8(ascii: "l") ? 3 : 0
        case UInt8(ascii: "v"), UInt8(ascii: "r"): return byte(i + 2) == UInt8(ascii: "e") ? 3 : 0
        default: return 0
        }
    }

    /// Length of a case-insensitive contraction at `i` (which holds `'`): `'s 't 'd 'm` (2 bytes; `'ſ`, the
    /// long s U+017F that folds to s, is 3), `'ll 've 're` (3), or 0. Same set for cl100k and o200k.
    @inline(__always)
    func contractionFolded(at i: Int) -> Int {
        let a = byte(i + 1)
        switch Self.lower(a) {
        case UInt8(ascii: "s"), UInt8(ascii: "d"), UInt8(ascii: "m"), UInt8(ascii: "t"): return 2
        case UInt8(ascii: "l"): return Self.lower(byte(i + 2)) == UInt8(ascii: "l") ? 3 : 0
        case UInt8(ascii: "v"), UInt8(ascii: "r"): return Self.lower(byte(i + 2)) == UInt8(ascii: "e") ? 3 : 0
        default: return a == 0xC5 && byte(i + 2) == 0xBF ? 3 : 0
        }
    }

    /// The whitespace alternatives shared by all three patterns, at `i` which starts a whitespace scalar:
    /// `\s*[\r\n]` (when `newlineRule`), then `\s+(?!\S)` / `\s++$`, then a single `\s` (or the whole run).
    @inline(__always)
    func whitespace(at i: Int, newlineRule: Bool) -> Int {
        var j = i
        var lastNewline = -1
        var lastStart = i
        var count = 0
        while j < end {
            let b = bytes[j]
            if b < 0x80 {
                if latin[Int(b)] & Self.space == 0 { break }
                if Self.isNewline(b) { lastNewline = j }
                lastStart = j
                j += 1
            } else {
                let s = scalar(at: j)
                if s.flags & Self.space == 0 { break }
                lastStart = j
                j += s.length
            }
            count += 1
        }
        if j == end { return j }                                  // \s++$  (and \s+(?!\S) at the end)
        if newlineRule && lastNewline >= 0 { return lastNewline + 1 }  // \s*[\r\n]  /  \s*[\r\n]+
        if count >= 2 { return lastStart }                        // \s+(?!\S): all but the last scalar
        return j                                                  // \s  /  \s+ of one scalar
    }

    // MARK: r50k_base / p50k_base

    @inline(__always)
    mutating func r50kScalarPieceEnd(from i: Int) -> Int {
        let b = bytes[i]
        if b == UInt8(ascii: "'") {
            let n = contractionExact(at: i)
            if n > 0 { return i + n }
        }
        var start = i
        var f = scalar(at: i).flags
        if b == UInt8(ascii: " ") && i + 1 < end {
            let next = scalar(at: i + 1).flags
            if next & Self.space == 0 { start = i + 1; f = next }
        }
        if f & Self.letter != 0 { return run(from: start, matching: Self.letter) }
        if f & Self.number != 0 { return run(from: start, matching: Self.number) }
        if f & Self.space == 0 { return otherRun(from: start) }
        return whitespace(at: i, newlineRule: false)
    }

    // MARK: cl100k_base

    @inline(__always)
    mutating func cl100kScalarPieceEnd(from i: Int) -> Int {
        let b = bytes[i]
        if b == UInt8(ascii: "'") {
            let n = contractionFolded(at: i)
            if n > 0 { return i + n }
        }
        let (f, length) = scalar(at: i)
        if f & Self.letter != 0 { return run(from: i + length, matching: Self.letter) }
        if f & Self.number == 0 && !Self.isNewline(b) && flags(at: i + length) & Self.letter != 0 {
            return run(from: i + length, matching: Self.letter)             // [^\r\n\p{L}\p{N}]?+\p{L}++
        }
        if f & Self.number != 0 { return numberRun(after: i + length) }    // \p{N}{1,3}+
        if let j = otherPiece(at: i, flags: f, trailingSlash: false) { return j }  //  ?[^\s\p{L}\p{N}]++[\r\n]*+
        return whitespace(at: i, newlineRule: true)
    }

    /// End of `\p{N}{1,3}` whose first number scalar ends at `j`: up to two more number scalars.
    @inline(__always)
    func numberRun(after start: Int) -> Int {
        var j = start
        for _ in 0..<2 where j < end {
            let s = scalar(at: j)
            if s.flags & Self.number == 0 { break }
            j += s.length
        }
        return j
    }

    /// ` ?[^\s\p{L}\p{N}]+` at `i` followed by newlines (and `/` when `trailingSlash`, as o200k's pattern
    /// has it); nil when `i` starts no such piece. `flags` are the flags of the scalar at `i`.
    @inline(__always)
    mutating func otherPiece(at i: Int, flags f: UInt8, trailingSlash: Bool) -> Int? {
        let otherStart: Int
        if f & Self.notOther == 0 {
            otherStart = i
        } else if bytes[i] == UInt8(ascii: " ") && i + 1 < end && flags(at: i + 1) & Self.notOther == 0 {
            otherStart = i + 1
        } else {
            return nil
        }
        var j = otherRun(from: otherStart)
        while j < end && (Self.isNewline(bytes[j]) || (trailingSlash && bytes[j] == UInt8(ascii: "/"))) { j += 1 }
        return j
    }

    // MARK: o200k_base

    /// `U* W+` (when `needLower`) or `U+ W*` from `s`, then an optional contraction; nil when it fails.
    /// U = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], W = [\p{Ll}\p{Lm}\p{Lo}\p{M}].
    @inline(__always)
    func o200kWord(from s: Int, needLower: Bool) -> Int? {
        var j = s
        var lastLowerInUpperRun = -1
        var lastLength = 0
        while j < end {
            let sc = scalar(at: j)
            if sc.flags & Self.upperish == 0 { break }
            if sc.flags & Self.lowerish != 0 { lastLowerInUpperRun = j; lastLength = sc.length }
            j += sc.length
        }
        var wordEnd: Int
        if j < end && scalar(at: j).flags & Self.lowerish != 0 {
            wordEnd = run(from: j, matching: Self.lowerish)
        } else if needLower {
            guard lastLowerInUpperRun >= 0 else { return nil }       // backtrack U* to the last W scalar
            wordEnd = lastLowerInUpperRun + lastLength
        } else {
            guard j > s else { return nil }
            wordEnd = j
        }
        if byte(wordEnd) == UInt8(ascii: "'") { wordEnd += contractionFolded(at: wordEnd) }
        return wordEnd
    }

    /// o200k's piece at `i`, with an ASCII fast path: when the piece starts with an ASCII byte and its word
    /// runs end on ASCII bytes, the four word alternatives collapse to one scan (ASCII letters are either
    /// upper-ish or lower-ish, never both, so `U* W+` and `U+ W*` end at the same place: after the upper run
    /// and the lower run that follows it). Anything that meets a non-ASCII byte where the rule would have to
    /// classify it takes the general path.
    @inline(__always)
    mutating func o200kScalarPieceEnd(from i: Int) -> Int {
        let b = bytes[i]
        if b < 0x80 {
            let f = latin[Int(b)]
            var s = -1
            if f & Self.letter != 0 {
                s = i
            } else if f & Self.number == 0 && !Self.isNewline(b) && i + 1 < end {
                s = i + 1                                        // [^\r\n\p{L}\p{N}]? prefix
            }
            if s >= 0 {
                var j = s
                while j < end && latin[Int(bytes[j])] & Self.upperish != 0 && bytes[j] < 0x80 { j += 1 }
                if j < end && bytes[j] >= 0x80 { return o200kPieceEndGeneral(from: i) }
                var k = asciiRun(from: j, lowercaseOnly: true)
                while k < end && latin[Int(bytes[k])] & Self.lowerish != 0 && bytes[k] < 0x80 { k += 1 }
                if k < end && bytes[k] >= 0x80 { return o200kPieceEndGeneral(from: i) }
                if k > s {
                    if k < end && bytes[k] == UInt8(ascii: "'") { k += contractionFolded(at: k) }
                    return k
                }
                if s == i { return o200kPieceEndGeneral(from: i) }   // not reached: a letter starts a word
            }
            // No word here: numbers, other, whitespace (ASCII start).
            if f & Self.number != 0 { return numberRun(after: i + 1) }
            if let j = otherPiece(at: i, flags: f, trailingSlash: true) { return j }
            return whitespace(at: i, newlineRule: true)
        }
        return o200kPieceEndGeneral(from: i)
    }

    mutating func o200kPieceEndGeneral(from i: Int) -> Int {
        let b = bytes[i]
        let (f, length) = scalar(at: i)
        // A word from s needs an upper-ish or lower-ish scalar at s (U+ or U*W+): the attempts that cannot
        // match are skipped (pieces such as " │" or "。\n\n" in CJK text try none).
        let cased = Self.upperish | Self.lowerish
        let prefixable = f & Self.letterOrNumber == 0 && !Self.isNewline(b) && i + length < end
            && scalar(at: i + length).flags & cased != 0
        let word = f & cased != 0
        if prefixable, let e = o200kWord(from: i + length, needLower: true) { return e }
        if word, let e = o200kWord(from: i, needLower: true) { return e }
        if prefixable, let e = o200kWord(from: i + length, needLower: false) { return e }
        if word, let e = o200kWord(from: i, needLower: false) { return e }
        if f & Self.number != 0 { return numberRun(after: i + length) }    // \p{N}{1,3}
        if let j = otherPiece(at: i, flags: f, trailingSlash: true) { return j }   //  ?[^\s\p{L}\p{N}]+[\r\n/]*
        return whitespace(at: i, newlineRule: true)
    }

    /// The scalar path's piece end at `i` (the reference the block path must agree with).
    ///
    /// The scalar path's entry points and the calls they may leave out of line are `mutating` although they
    /// change nothing: a non-mutating call on the scanner from the encoder's loop (which holds it `inout`)
    /// copied all ~230 bytes of it, window included, per non-ASCII piece.
    @inline(__always)
    mutating func scalarPieceEnd(from i: Int, pattern: PretokenizerPattern) -> Int {
        switch pattern {
        case .cl100k: return cl100kScalarPieceEnd(from: i)
        case .o200k: return o200kScalarPieceEnd(from: i)
        case .r50k: return r50kScalarPieceEnd(from: i)
        }
    }
}
