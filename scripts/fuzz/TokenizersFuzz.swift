// libFuzzer target for the tiktoken encodings (built by scripts/fuzz-tokenizers, not by SwiftPM).
// Every input, as text (lossy when not UTF-8), must: round-trip through encode/decode for all four encodings,
// give the same count as the ids, pre-tokenize into pieces that join back to the text (the same pieces from the
// block scanner and the scalar reference scanner), and encode with all
// special tokens allowed without crashing. The raw bytes read as ids must decode or throw, never crash.
import EmbedKitTokenizers
import Foundation

nonisolated(unsafe) let encodings: [TiktokenEncoding] = ["cl100k_base", "o200k_base", "p50k_base", "r50k_base"].map {
    do { return try TiktokenEncoding.load($0) } catch { fatalError("fuzzing needs the cached vocabularies: \(error)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    for encoding in encodings {
        let ids = encoding.encodeOrdinary(text)
        guard (try? encoding.decode(ids)) == text else { fatalError("round trip failed (\(encoding.name)): \(text.debugDescription)") }
        guard encoding.count(text) == ids.count else { fatalError("count differs (\(encoding.name))") }
        let pieces = encoding.pretokenize(text)
        guard pieces.joined() == text else { fatalError("pieces do not join back (\(encoding.name))") }
        guard pieces == encoding.referencePretokenize(text) else {
            fatalError("block and scalar scanners split differently (\(encoding.name)): \(text.debugDescription)")
        }
        _ = try? encoding.encode(text, allowedSpecial: .all)
        var raw: [Int] = []
        var i = 0
        while i + 3 <= size { raw.append(Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])); i += 3 }
        _ = try? encoding.decodeLossy(raw)
    }
    return 0
}
