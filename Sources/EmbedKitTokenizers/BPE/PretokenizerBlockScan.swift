import EmbedKitCKernels

extension PretokenizerPattern {
    /// The pattern's number in the C kernel (EK_PRETOK_*).
    var kernelCode: Int32 {
        switch self {
        case .r50k: return Int32(EK_PRETOK_R50K)
        case .cl100k: return Int32(EK_PRETOK_CL100K)
        case .o200k: return Int32(EK_PRETOK_O200K)
        }
    }
}

/// The block path's state: byte-class bitmasks of one 64-byte window of the segment (bit k = byte
/// `base + k`), plus masks derived from them once per window. See ``PretokenizerScanner``.
@usableFromInline
struct PretokenizerWindow {
    /// First byte of the window; far below any offset until the first load, so the first piece loads one.
    var base = Int.min / 2
    /// A piece starting at offset o > `limit` (unsigned) loads a new window at its start. 48 keeps 16 bytes of
    /// look-ahead in a full window; 63 when the window reaches the segment's end.
    var limit: UInt = 0
    /// A run ending at offset ≥ `cross` reached the window's end with text beyond it (64), or never (65).
    var cross = 64
    var masks = ek_pretok_masks()
    /// Where a piece that starts there is a word (cl100k, o200k): a letter, or a `[^\r\n\p{L}\p{N}]` before one.
    var wordStart: UInt64 = 0
    /// Where a piece that starts there is ` ?[^\s\p{L}\p{N}]+`: an other byte, or ' ' before one.
    var otherStart: UInt64 = 0
    /// Piece starts the block path hands to the scalar path: non-ASCII bytes or a byte before one, and
    /// (r50k, cl100k) apostrophes, which may start a contraction.
    var slowNoApostrophe: UInt64 = 0
    var slow: UInt64 = 0
    /// r50k: a ' ' that prefixes the next piece (followed by a byte of the text that is not whitespace).
    var r50kPrefix: UInt64 = 0
    /// Piece starts in the window after `next` up to the trusted limit (ek_pretok_window), lowest first.
    var rest: UInt64 = 0
    /// The piece start the next call is expected at (the last end handed out), and the trusted limit: a
    /// piece starting at `next` < `trustedEnd` ends at the lowest bit of `rest`.
    var next = Int.min
    var trustedEnd = Int.min
    /// When the window trusts little, pieces starting before `retryAt` take the scalar path without loading one.
    var retryAt = Int.min
}

extension PretokenizerScanner {
    /// Offset of `i` in the window, loading a window at `i` when `i` is outside it or too close to its end.
    @inline(__always)
    mutating func windowOffset(_ i: Int) -> Int {
        let o = i &- window.base
        if UInt(bitPattern: o) > window.limit {
            loadWindow(at: i)
            return 0
        }
        return o
    }

    @inline(never)
    mutating func loadWindow(at i: Int) {
        let n = min(64, end - i)
        let more = i + 64 < end
        var found = ek_pretok_bounds()
        ek_pretok_window(bytes + i, n, !more && n < 64 ? 1 : 0, pattern.kernelCode, latin, &window.masks, &found)
        let trusted = Int(found.trusted)
        window.rest = found.bounds & (trusted >= 63 ? .max : (1 &<< UInt64(trusted &+ 1)) &- 1)
        window.next = i
        window.trustedEnd = i &+ trusted
        // A window that trusts less than 16 bytes (mixed scripts: an ASCII word or two between non-ASCII text)
        // costs more than it saves: pieces starting in its 64 bytes take the scalar path instead of reloading.
        window.retryAt = trusted < 16 && more ? i &+ 64 : i
        window.base = i
        window.limit = more ? 48 : 63
        window.cross = more ? 64 : 65
        let m = window.masks
        let valid: UInt64 = n >= 64 ? .max : (1 &<< UInt64(n)) &- 1
        let prefixable = (m.other | m.space) & ~m.newline
        window.wordStart = m.letter | (prefixable & (m.letter &>> 1))
        window.otherStart = m.other | (m.blank & (m.other &>> 1))
        window.slowNoApostrophe = m.nonascii | (m.nonascii &>> 1)
        window.slow = window.slowNoApostrophe | m.apostrophe
        window.r50kPrefix = m.blank & ~(m.space &>> 1) & (valid &>> 1)
    }

    /// The next piece start in `rest` (pieces are handed out in order, so no offset arithmetic per piece).
    @inline(__always)
    mutating func popBoundary() -> Int {
        let e = window.base &+ window.rest.trailingZeroBitCount
        window.rest &= window.rest &- 1
        window.next = e
        return e
    }

    @inline(never)
    mutating func reloadedPieceEnd(from i: Int) -> Int {
        if !useWindows || (i < window.retryAt && i >= window.base) {
            switch pattern {
            case .cl100k: return cl100kSlowPieceEnd(from: i)
            case .o200k: return o200kSlowPieceEnd(from: i)
            case .r50k: return r50kSlowPieceEnd(from: i)
            }
        }
        loadWindow(at: i)
        if window.trustedEnd != i { return popBoundary() }
        switch pattern {
        case .cl100k: return cl100kRunPieceEnd(from: i)
        case .o200k: return o200kRunPieceEnd(from: i)
        case .r50k: return r50kRunPieceEnd(from: i)
        }
    }

    /// First offset after `o` whose bit in `m` is clear, at most 64.
    @inline(__always)
    static func runEnd(_ m: UInt64, after o: Int) -> Int {
        let x = (~m &>> UInt64(o)) &>> 1
        return min(o &+ 1 &+ x.trailingZeroBitCount, 64)
    }

    /// First offset from `s` (≤ 64) whose bit in `m` is clear, at most 64.
    @inline(__always)
    static func runEnd(_ m: UInt64, from s: Int) -> Int {
        s >= 64 ? 64 : min(s &+ (~m &>> UInt64(s)).trailingZeroBitCount, 64)
    }

    /// Whether offset `p` (≤ 64; 64 is never set) is set in `m`.
    @inline(__always)
    static func has(_ m: UInt64, _ p: Int) -> Bool { (m >> p) & 1 != 0 }

    /// The whitespace piece at offset `o` (an ASCII whitespace byte): `\s*[\r\n]` (when `newlineRule`),
    /// `\s++$`, `\s+(?!\S)`, `\s`; nil when the run meets a non-ASCII byte or leaves the window.
    @inline(__always)
    func blockWhitespace(at o: Int, newlineRule: Bool) -> Int? {
        let w = window
        let p = Self.runEnd(w.masks.space, after: o)
        if p >= w.cross || Self.has(w.masks.nonascii, p) { return nil }
        if w.base &+ p == end { return end }
        if newlineRule {
            let below: UInt64 = p >= 64 ? .max : (1 &<< UInt64(p)) &- 1
            let newlines = w.masks.newline & below & ~((1 &<< UInt64(o)) &- 1)
            if newlines != 0 { return w.base &+ 64 &- newlines.leadingZeroBitCount }
        }
        return w.base &+ (p &- o >= 2 ? p &- 1 : p)
    }

    /// ` ?[^\s\p{L}\p{N}]+` at offset `o` (in `otherStart`) followed by the run of `trailing`; nil when the
    /// other run meets a non-ASCII byte or a run leaves the window.
    @inline(__always)
    func blockOther(at o: Int, trailing: UInt64) -> Int? {
        let w = window
        let q = Self.runEnd(w.masks.other, after: o)
        if q >= w.cross || Self.has(w.masks.nonascii, q) { return nil }
        let p = Self.runEnd(trailing, from: q)
        if p >= w.cross { return nil }
        return w.base &+ p
    }

    /// `\p{N}{1,3}` at offset `o` (an ASCII digit); nil when it may continue with a non-ASCII number.
    @inline(__always)
    func blockNumber(at o: Int) -> Int? {
        let w = window
        let p = min(Self.runEnd(w.masks.digit, after: o), o &+ 3)
        if p >= w.cross || (p < o &+ 3 && Self.has(w.masks.nonascii, p)) { return nil }
        return w.base &+ p
    }

    // MARK: cl100k_base

    @inline(__always)
    mutating func cl100kRunPieceEnd(from i: Int) -> Int {
        let o = windowOffset(i)
        let bit: UInt64 = 1 &<< UInt64(o)
        let w = window
        if w.slow & bit == 0 {
            if w.wordStart & bit != 0 {                                  // [^\r\n\p{L}\p{N}]?+\p{L}++
                let p = Self.runEnd(w.masks.letter, after: o)
                if p < w.cross && !Self.has(w.masks.nonascii, p) { return w.base &+ p }
            } else if w.masks.digit & bit != 0 {
                if let e = blockNumber(at: o) { return e }
            } else if w.otherStart & bit != 0 {                          //  ?[^\s\p{L}\p{N}]++[\r\n]*+
                if let e = blockOther(at: o, trailing: w.masks.newline) { return e }
            } else if let e = blockWhitespace(at: o, newlineRule: true) {
                return e
            }
        }
        return cl100kSlowPieceEnd(from: i)
    }

    @inline(never)
    mutating func cl100kSlowPieceEnd(from i: Int) -> Int { cl100kScalarPieceEnd(from: i) }

    // MARK: o200k_base

    @inline(__always)
    mutating func o200kRunPieceEnd(from i: Int) -> Int {
        let o = windowOffset(i)
        let bit: UInt64 = 1 &<< UInt64(o)
        let w = window
        if w.slowNoApostrophe & bit == 0 {
            if w.wordStart & bit != 0 {
                // ASCII letters are upper-ish or lower-ish, never both: the word is the upper run from its
                // first letter, the lower run after it, then an optional contraction.
                let s = w.masks.letter & bit != 0 ? o : o &+ 1
                let j = Self.runEnd(w.masks.upper, from: s)
                let k = Self.runEnd(w.masks.lower, from: j)
                if k < w.cross && !Self.has(w.masks.nonascii, k) {
                    let e = w.base &+ k
                    return Self.has(w.masks.apostrophe, k) ? e &+ contractionFolded(at: e) : e
                }
            } else if w.masks.digit & bit != 0 {
                if let e = blockNumber(at: o) { return e }
            } else if w.otherStart & bit != 0 {                          //  ?[^\s\p{L}\p{N}]+[\r\n/]*
                if let e = blockOther(at: o, trailing: w.masks.newline | w.masks.slash) { return e }
            } else if let e = blockWhitespace(at: o, newlineRule: true) {
                return e
            }
        }
        return o200kSlowPieceEnd(from: i)
    }

    @inline(never)
    mutating func o200kSlowPieceEnd(from i: Int) -> Int { o200kScalarPieceEnd(from: i) }

    // MARK: r50k_base / p50k_base

    @inline(__always)
    mutating func r50kRunPieceEnd(from i: Int) -> Int {
        let o = windowOffset(i)
        let bit: UInt64 = 1 &<< UInt64(o)
        let w = window
        if w.slow & bit == 0 {
            // ' ?' then one run of letters, numbers or others (the classes exclude each other).
            let s = w.r50kPrefix & bit != 0 ? o &+ 1 : o
            let m = w.masks
            let run = (m.letter & (0 &- ((m.letter &>> UInt64(s)) & 1)))
                | (m.digit & (0 &- ((m.digit &>> UInt64(s)) & 1)))
                | (m.other & (0 &- ((m.other &>> UInt64(s)) & 1)))
            if run != 0 {
                let p = Self.runEnd(run, after: s)
                if p < w.cross && !Self.has(m.nonascii, p) { return w.base &+ p }
            } else if let e = blockWhitespace(at: o, newlineRule: false) {
                return e
            }
        }
        return r50kSlowPieceEnd(from: i)
    }

    @inline(never)
    mutating func r50kSlowPieceEnd(from i: Int) -> Int { r50kScalarPieceEnd(from: i) }

    /// The piece end at `i` (the scanner's pattern): boundary mask, per-piece block path, scalar path.
    @inline(__always)
    mutating func pieceEnd(from i: Int) -> Int {
        switch pattern {
        case .cl100k: return cl100kPieceEnd(from: i)
        case .o200k: return o200kPieceEnd(from: i)
        case .r50k: return r50kPieceEnd(from: i)
        }
    }

    // The piece end at `i`: from the window's boundary mask when `i` is a trusted piece start in it; from the
    // scalar scanner, inline, when a non-ASCII byte is near (text that is mostly non-ASCII pays no call per
    // piece); otherwise a window is loaded at `i` and asked again (reloadedPieceEnd).

    /// Whether a non-ASCII byte is within 8 bytes of `i`: such a piece would get little or nothing from a
    /// window (its trusted part ends before that byte's run).
    @inline(__always)
    func nearNonASCII(_ i: Int) -> Bool {
        i &+ 8 <= end
            ? UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0
            : bytes[i] >= 0x80 || (i &+ 1 < end && bytes[i &+ 1] >= 0x80)
    }

    @inline(__always)
    mutating func cl100kPieceEnd(from i: Int) -> Int {
        if i == window.next && i != window.trustedEnd { return popBoundary() }
        if nearNonASCII(i) { return cl100kScalarPieceEnd(from: i) }
        return reloadedPieceEnd(from: i)
    }

    @inline(__always)
    mutating func o200kPieceEnd(from i: Int) -> Int {
        if i == window.next && i != window.trustedEnd { return popBoundary() }
        if nearNonASCII(i) { return o200kScalarPieceEnd(from: i) }
        return reloadedPieceEnd(from: i)
    }

    @inline(__always)
    mutating func r50kPieceEnd(from i: Int) -> Int {
        if i == window.next && i != window.trustedEnd { return popBoundary() }
        if nearNonASCII(i) { return r50kScalarPieceEnd(from: i) }
        return reloadedPieceEnd(from: i)
    }
}

/// One pattern's piece end as a type, so a loop generic over it is specialized per pattern with that
/// pattern's scanner inlined (see ``TiktokenEncoding/encodePieces``).
protocol PretokenizerPieceRule {
    static func pieceEnd(_ scanner: inout PretokenizerScanner, from i: Int) -> Int
}

enum CL100kPieceRule: PretokenizerPieceRule {
    @inline(__always)
    static func pieceEnd(_ scanner: inout PretokenizerScanner, from i: Int) -> Int { scanner.cl100kPieceEnd(from: i) }
}

enum O200kPieceRule: PretokenizerPieceRule {
    @inline(__always)
    static func pieceEnd(_ scanner: inout PretokenizerScanner, from i: Int) -> Int { scanner.o200kPieceEnd(from: i) }
}

enum R50kPieceRule: PretokenizerPieceRule {
    @inline(__always)
    static func pieceEnd(_ scanner: inout PretokenizerScanner, from i: Int) -> Int { scanner.r50kPieceEnd(from: i) }
}
