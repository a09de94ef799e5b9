import EmbedKitEmbeddings
import EmbedKitTokenizers
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle

/// `embedkit serve`: OpenAI's embeddings API over local models.
///
/// A router value plus middleware (OpenAI-shaped errors, access log, API key) and three short handlers:
/// `POST /v1/embeddings`, `GET /v1/models`, `GET /health`. SIGTERM/SIGINT stop accepting connections and let
/// in-flight requests finish (Hummingbird's graceful shutdown through swift-service-lifecycle).
public struct EmbeddingServer: Sendable {
    public let service: EmbeddingsService
    public let configuration: ServerConfiguration
    public let logger: Logger

    public init(models: [ServedModel], configuration: ServerConfiguration, tokenDecoder: (any Tokenizer)?,
                logger: Logger = Logger(label: "embedkit.serve")) {
        self.service = EmbeddingsService(models: models, configuration: configuration, tokenDecoder: tokenDecoder)
        self.configuration = configuration
        self.logger = logger
    }

    /// The routes and middleware.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(AccessLogMiddleware(logger: logger))
        router.middlewares.add(OpenAIErrorMiddleware())
        router.middlewares.add(APIKeyMiddleware(apiKey: configuration.apiKey))
        let service = self.service
        let maxBody = configuration.maxBodyBytes
        router.post("/v1/embeddings") { request, _ -> Response in
            let body = try await request.body.collect(upTo: maxBody)
            let embeddingsRequest = try JSONDecoder().decode(EmbeddingsRequest.self, from: Data(buffer: body))
            let result = try await service.embeddings(embeddingsRequest)
            let json = EmbeddingsJSON.response(vectors: result.vectors, format: embeddingsRequest.encodingFormat ?? .float,
                                               model: result.model, promptTokens: result.promptTokens)
            return Self.json(json)
        }
        router.get("/v1/models") { _, _ -> Response in
            Self.json(Array(try JSONEncoder().encode(service.modelList())))
        }
        router.get("/v1/models/{id}") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard service.modelIDs.contains(id) else { throw APIFailure.modelNotFound(id) }
            return Self.json(Array(try JSONEncoder().encode(ModelObject(id: id, created: 0, ownedBy: "embedkit"))))
        }
        router.get("/health") { _, _ -> Response in
            let health = Health(status: "ok", models: await service.statistics())
            return Self.json(Array(try JSONEncoder().encode(health)))
        }
        return router
    }

    /// The Hummingbird application; `onReady` gets the bound port (useful with port 0).
    public func application(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: router(),
                    configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "embedkit"),
                    onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then drains in-flight requests and returns.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await application(onReady: onReady).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Starts the server on `configuration.host`/`port` (0 = any free port), runs `body` with the bound port,
    /// then shuts the server down gracefully. For tests and embedding the server in another program.
    public func withRunning<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = application(onReady: { port in portContinuation.yield(port); portContinuation.finish() })
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                await group.triggerGracefulShutdown()
                throw APIFailure(.internalServerError, "server did not start", type: "server_error")
            }
            let result: Result<T, any Error>
            do { result = .success(try await body(port)) } catch { result = .failure(error) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    static func json(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Body of `GET /health`.
struct Health: Codable {
    var status: String
    var models: [String: [String: Int]]
}
