import EmbedKitEmbeddings
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Turns every error into OpenAI's error shape: ``APIFailure`` as is, an oversized body as 413, unknown routes
/// as 404, bad JSON as 400, anything else as 500 `server_error`.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let failure as APIFailure {
            return failure.response()
        } catch is NIOTooManyBytesError {
            return APIFailure(.contentTooLarge, "Request body too large; send fewer or shorter inputs per request.",
                              param: nil, code: "request_too_large").response()
        } catch let error as HTTPError {
            let message = error.status == .notFound
                ? "Unknown request URL: \(request.method) \(request.uri.path)."
                : (error.body ?? error.status.reasonPhrase)
            let code = error.status == .notFound ? "unknown_url" : nil
            return APIFailure(error.status, message, param: nil, code: code).response()
        } catch is DecodingError {
            return APIFailure(.badRequest, "We could not parse the JSON body of your request: it must be an object with "
                              + "`model` and `input` (a string, an array of strings, or token arrays).", param: nil).response()
        } catch {
            context.logger.error("request failed: \(error)")
            return APIFailure(.internalServerError, "The server had an error while processing your request: \(error)",
                              type: "server_error", param: nil).response()
        }
    }
}

/// Requires `Authorization: Bearer <key>` on `/v1/*` when a key is configured (401 otherwise).
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let apiKey: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let apiKey, request.uri.path.hasPrefix("/v1/") else { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Bearer ") else {
            throw APIFailure(.unauthorized, "You didn't provide an API key. Provide it in an Authorization header (Bearer auth).",
                             param: nil, code: "missing_api_key")
        }
        guard constantTimeEquals(String(header.dropFirst("Bearer ".count)), apiKey) else {
            throw APIFailure(.unauthorized, "Incorrect API key provided.", param: nil, code: "invalid_api_key")
        }
        return try await next(request, context)
    }

    private func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<min(x.count, y.count) { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// One line per request: method, path, status, duration.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", ms))ms")
        return response
    }
}
