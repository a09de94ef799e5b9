import EmbedKitEmbeddings
import Foundation
import Hummingbird

/// An error answered in OpenAI's shape: `{"error":{"message","type","param","code"}}` with its HTTP status.
public struct APIFailure: Error, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var detail: APIErrorDetail

    public init(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error",
                param: String? = nil, code: String? = nil) {
        self.status = status
        self.detail = APIErrorDetail(message: message, type: type, param: param, code: code)
    }

    public var description: String { "HTTP \(status.code) \(detail.type): \(detail.message)" }

    static func invalid(_ message: String, param: String? = "input", code: String? = nil) -> APIFailure {
        APIFailure(.badRequest, message, param: param, code: code)
    }

    static func modelNotFound(_ model: String) -> APIFailure {
        APIFailure(.notFound, "The model `\(model)` does not exist or you do not have access to it.",
                   param: "model", code: "model_not_found")
    }

    /// The JSON response.
    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let body = (try? encoder.encode(APIErrorBody(error: detail))) ?? Data("{}".utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
