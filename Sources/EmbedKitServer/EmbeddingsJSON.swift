import EmbedKitEmbeddings
import Foundation

/// Writes the `/v1/embeddings` response body directly (JSONEncoder is slow on large float arrays).
enum EmbeddingsJSON {
    static func response(vectors: [[Float]], format: EmbeddingEncodingFormat, model: String, promptTokens: Int) -> [UInt8] {
        var out: [UInt8] = []
        let perVector = format == .base64 ? vectors.first.map { $0.count * 4 / 3 + 64 } ?? 64 : (vectors.first?.count ?? 0) * 14 + 64
        out.reserveCapacity(vectors.count * perVector + 256)
        out.append(contentsOf: #"{"object":"list","data":["#.utf8)
        for (index, vector) in vectors.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"object":"embedding","index":\#(index),"embedding":"#.utf8)
            switch format {
            case .base64:
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: Float32Base64.encode(vector).utf8)
                out.append(UInt8(ascii: "\""))
            case .float:
                out.append(UInt8(ascii: "["))
                for (k, value) in vector.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: (value.isFinite ? value.description : "0").utf8)
                }
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"model":"#.utf8)
        out.append(contentsOf: jsonString(model).utf8)
        out.append(contentsOf: #","usage":{"prompt_tokens":\#(promptTokens),"total_tokens":\#(promptTokens)}}"#.utf8)
        return out
    }

    static func jsonString(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
