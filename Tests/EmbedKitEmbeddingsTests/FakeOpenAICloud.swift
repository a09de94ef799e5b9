import EmbedKitEmbeddings
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import Synchronization

/// A stand-in for the OpenAI cloud (which cannot run here) on real HTTP at 127.0.0.1, speaking the real protocol,
/// that can misbehave on purpose: 429 with Retry-After, 5xx, slow answers, dropped connections, garbage JSON.
///
/// Vectors are a deterministic function of the input (``FakeOpenAICloud/vector(for:dimension:)``), so a test
/// can check that every answer landed at the right place.
final class FakeOpenAICloud: Sendable {
    /// What to do with one request.
    enum Fault: Sendable, Equatable {
        case none
        case status(Int, headers: [String: String])
        case slow(milliseconds: Int)
        case dropConnection
        case garbage
        case truncatedBody
        /// 400 `param: encoding_format` when the request asks for base64 (a server without base64 support).
        case refuseBase64
    }

    struct Counters: Sendable {
        var requests = 0
        var faults: [String: Int] = [:]
        var embeddedInputs = 0
        var lastHeaders: [String: String] = [:]
        var lastBody: String = ""
    }

    let dimension: Int
    private let channel: any Channel
    private let state: FakeCloudState

    var port: Int { channel.localAddress?.port ?? 0 }
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var counters: Counters { state.mutex.withLock { $0.counters } }

    /// `plan(n)` decides the fate of the n-th request (0-based).
    init(dimension: Int = 16, rateLimitHeaders: [String: String] = [:],
         plan: @escaping @Sendable (Int) -> Fault = { _ in .none }) async throws {
        self.dimension = dimension
        let state = FakeCloudState(plan: plan)
        self.state = state
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(FakeCloudHandler(dimension: dimension, rateLimitHeaders: rateLimitHeaders, state: state))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
    }

    func setPlan(_ plan: @escaping @Sendable (Int) -> Fault) { state.mutex.withLock { $0.plan = plan } }

    func shutdown() async throws { try await channel.close() }

    /// The fake model's vector for an input (a text, or token ids joined by spaces): unit length, seeded by the text.
    static func vector(for input: String, dimension: Int) -> [Float] {
        var seed: UInt64 = 1469598103934665603
        for byte in input.utf8 { seed = (seed ^ UInt64(byte)) &* 1099511628211 }
        var v = [Float](repeating: 0, count: dimension)
        for k in 0..<dimension {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            v[k] = Float(Int64(bitPattern: seed >> 11) % 2001 - 1000) / 1000
        }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.map { $0 / max(norm, 1e-6) }
    }
}

/// The fake's shared, locked state: counters and the fault plan.
final class FakeCloudState: Sendable {
    let mutex: Mutex<(counters: FakeOpenAICloud.Counters, plan: @Sendable (Int) -> FakeOpenAICloud.Fault)>
    init(plan: @escaping @Sendable (Int) -> FakeOpenAICloud.Fault) { mutex = Mutex((FakeOpenAICloud.Counters(), plan)) }
}

private final class FakeCloudHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let dimension: Int
    private let rateLimitHeaders: [String: String]
    private let state: FakeCloudState
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(dimension: Int, rateLimitHeaders: [String: String], state: FakeCloudState) {
        self.dimension = dimension
        self.rateLimitHeaders = rateLimitHeaders
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            respond(context: context, head: head, body: Data(buffer: body))
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, body: Data) {
        let headers = Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        let fault: FakeOpenAICloud.Fault = state.mutex.withLock { s in
            let fault = s.plan(s.counters.requests)
            s.counters.requests += 1
            s.counters.lastHeaders = headers
            s.counters.lastBody = String(decoding: body, as: UTF8.self)
            if fault != .none { s.counters.faults[Self.name(fault), default: 0] += 1 }
            return fault
        }
        switch fault {
        case .dropConnection:
            context.close(promise: nil)
        case .garbage:
            write(context: context, status: 200, headers: [:], body: Array(#"{"object":"list","data":[{"index":0,"embe"#.utf8) + [0xFF, 0x00])
        case .truncatedBody:
            // Promise a longer body than we send, then close: the client sees the connection end mid-body.
            var responseHead = HTTPResponseHead(version: .http1_1, status: .ok)
            responseHead.headers.add(name: "Content-Type", value: "application/json")
            responseHead.headers.add(name: "Content-Length", value: "10000")
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: #"{"object":"list""#)))), promise: nil)
            context.close(promise: nil)
        case let .status(code, extra):
            let type = code == 429 ? "rate_limit_exceeded" : code >= 500 ? "server_error" : "invalid_request_error"
            let error = APIErrorBody(error: APIErrorDetail(message: "injected \(code)", type: type, param: nil, code: nil))
            write(context: context, status: code, headers: extra, body: Array((try? JSONEncoder().encode(error)) ?? Data()))
        case .slow(let ms):
            let loop = context.eventLoop
            let boundContext = NIOLoopBound(context, eventLoop: loop)
            loop.scheduleTask(in: .milliseconds(Int64(ms))) { [self] in
                self.answer(context: boundContext.value, path: head.uri, body: body)
            }
        case .refuseBase64:
            if String(decoding: body, as: UTF8.self).contains("\"base64\"") {
                let error = APIErrorBody(error: APIErrorDetail(message: "encoding_format base64 unsupported",
                                                               type: "invalid_request_error", param: "encoding_format"))
                write(context: context, status: 400, headers: [:], body: Array((try? JSONEncoder().encode(error)) ?? Data()))
            } else {
                answer(context: context, path: head.uri, body: body)
            }
        case .none:
            answer(context: context, path: head.uri, body: body)
        }
    }

    private func answer(context: ChannelHandlerContext, path: String, body: Data) {
        if path.hasSuffix("/chat/completions") { return answerChat(context: context, body: body) }
        guard let request = try? JSONDecoder().decode(EmbeddingsRequest.self, from: body) else {
            let error = APIErrorBody(error: APIErrorDetail(message: "bad json", type: "invalid_request_error"))
            return write(context: context, status: 400, headers: [:], body: Array((try? JSONEncoder().encode(error)) ?? Data()))
        }
        let inputs: [String]
        switch request.input {
        case .text(let t): inputs = [t]
        case .texts(let t): inputs = t
        case .tokens(let ids): inputs = [ids.map(String.init).joined(separator: " ")]
        case .tokenArrays(let arrays): inputs = arrays.map { $0.map(String.init).joined(separator: " ") }
        }
        let dimension = request.dimensions ?? self.dimension
        // Answer out of order, as nothing in the protocol forbids: clients must use `index`.
        let data = inputs.enumerated().reversed().map { index, input -> EmbeddingObject in
            let vector = FakeOpenAICloud.vector(for: input, dimension: dimension)
            return EmbeddingObject(index: index, embedding: request.encodingFormat == .base64
                                   ? .base64(Float32Base64.encode(vector)) : .floats(vector))
        }
        let tokens = inputs.reduce(0) { $0 + $1.split(separator: " ").count }
        state.mutex.withLock { $0.counters.embeddedInputs += inputs.count }
        let response = EmbeddingsResponse(data: data, model: request.model, usage: EmbeddingsUsage(promptTokens: tokens, totalTokens: tokens))
        write(context: context, status: 200,
              headers: rateLimitHeaders.isEmpty
                ? ["x-ratelimit-limit-requests": "100000", "x-ratelimit-remaining-requests": "99999", "x-ratelimit-reset-requests": "1ms"]
                : rateLimitHeaders,
              body: Array((try? JSONEncoder().encode(response)) ?? Data()))
    }

    private func answerChat(context: ChannelHandlerContext, body: Data) {
        guard let request = try? JSONDecoder().decode(ChatRequest.self, from: body) else {
            return write(context: context, status: 400, headers: [:], body: Array("{}".utf8))
        }
        let words = (request.messages.last?.content ?? "").split(separator: " ").map(String.init)
        if request.stream == true {
            var text = ""
            for (i, word) in words.enumerated() {
                let piece = (i == 0 ? "" : " ") + word
                let chunk = #"{"id":"c1","object":"chat.completion.chunk","model":"fake","choices":[{"index":0,"delta":{"content":\#(Self.json(piece))},"finish_reason":null}]}"#
                text += "data: \(chunk)\n\n"
            }
            text += "data: [DONE]\n\n"
            write(context: context, status: 200, headers: ["Content-Type": "text/event-stream"], body: Array(text.utf8))
        } else {
            let content = words.joined(separator: " ")
            let json = #"{"id":"c1","object":"chat.completion","model":"fake","choices":[{"index":0,"message":{"role":"assistant","content":\#(Self.json(content))},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(words.count),"completion_tokens":\#(words.count),"total_tokens":\#(2 * words.count)}}"#
            write(context: context, status: 200, headers: [:], body: Array(json.utf8))
        }
    }

    private func write(context: ChannelHandlerContext, status: Int, headers: [String: String], body: [UInt8]) {
        var responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
        responseHead.headers.add(name: "Content-Length", value: String(body.count))
        if headers["Content-Type"] == nil { responseHead.headers.add(name: "Content-Type", value: "application/json") }
        for (name, value) in headers { responseHead.headers.add(name: name, value: value) }
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private static func json(_ s: String) -> String { String(decoding: (try? JSONEncoder().encode(s)) ?? Data(), as: UTF8.self) }

    private static func name(_ fault: FakeOpenAICloud.Fault) -> String {
        switch fault {
        case .none: return "none"
        case .status(let code, _): return String(code)
        case .slow: return "slow"
        case .dropConnection: return "drop"
        case .garbage: return "garbage"
        case .truncatedBody: return "truncated"
        case .refuseBase64: return "refuseBase64"
        }
    }
}
