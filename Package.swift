// swift-tools-version: 6.1
// EmbedKit — the OpenAI Cookbook's embeddings workflow as one Linux-first Swift toolkit, CLI and server.
//
// One target per stage of the data's path (see docs/ARCHITECTURE.md). A stage depends only on stages to its
// left: Core ← Assets ← Tokenizers ← Models ← … ; CBLAS is imported only by numeric code.
import PackageDescription

let package = Package(
    name: "EmbedKit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "EmbedKit", targets: ["EmbedKit"]),
        .executable(name: "embedkit", targets: ["EmbedKitCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // OpenBLAS on Linux (libopenblas-dev); on Apple platforms the numeric code uses Accelerate instead.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Shared basics every stage uses: the embedding protocol, paths, hashing, atomic files, errors.
        .target(name: "EmbedKitCore"),
        // Fetching, caching and sha256-verifying vocabularies and model folders.
        .target(name: "EmbedKitAssets", dependencies: ["EmbedKitCore"]),
        // tiktoken-exact BPE, BERT WordPiece and Unigram (from EmbedKitCKernels: prefetch hints, the pre-tokenizer's
        // window classifier and the per-thread cache slot).
        .target(name: "EmbedKitTokenizers", dependencies: ["EmbedKitCore", "EmbedKitAssets", "EmbedKitCKernels"]),
        // Float distance kernels in C: AVX2/FMA and AVX-512 picked at run time (no compiler flags), plus
        // prefetch hints, the HNSW layer-0 search loop, the tokenizers' pre-tokenizer window classifier and
        // per-thread cache slot. Imported by EmbedKitNumerics, EmbedKitIndex and EmbedKitTokenizers.
        .target(name: "EmbedKitCKernels"),
        // The numeric kernels every numeric stage shares: BLAS wrappers, dot products, top-k, activations.
        // The only target that imports CBLAS.
        .target(
            name: "EmbedKitNumerics",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux])), "EmbedKitCKernels"]
        ),
        // Local sentence-embedding models on BLAS.
        .target(
            name: "EmbedKitModels",
            dependencies: ["EmbedKitCore", "EmbedKitAssets", "EmbedKitTokenizers", "EmbedKitNumerics"]
        ),
        // Vector storage and exact / HNSW / quantized search.
        .target(name: "EmbedKitIndex", dependencies: ["EmbedKitCore", "EmbedKitNumerics", "EmbedKitCKernels"]),
        // Collections: documents, metadata and keyword index in SQLite (wave 2 grows it).
        .target(name: "EmbedKitStore", dependencies: ["EmbedKitCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // Dataset jobs: streaming CSV, the Cookbook's select/combine/sort/count/filter pipeline, resumable
        // batch embedding and pandas-ready output (`embedkit dataset embed`).
        .target(
            name: "EmbedKitDatasets",
            dependencies: ["EmbedKitCore", "EmbedKitAssets", "EmbedKitTokenizers", "EmbedKitModels", "EmbedKitEmbeddings"]
        ),
        // Embedding providers: the OpenAI-compatible HTTP client (batching, retries, rate limits, usage),
        // the chat-completions client, and the persistent SQLite embedding cache (GRDB directly).
        .target(
            name: "EmbedKitEmbeddings",
            dependencies: ["EmbedKitCore", "EmbedKitTokenizers",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio"),
                           .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // `embedkit serve`: an OpenAI-compatible HTTP server (Hummingbird) over any EmbeddingModel — a router
        // value plus middleware (errors, auth, access log), with a batching queue in front of the model.
        .target(
            name: "EmbedKitServer",
            dependencies: ["EmbedKitCore", "EmbedKitTokenizers", "EmbedKitModels", "EmbedKitEmbeddings",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // Umbrella: `import EmbedKit` brings every stage.
        .target(
            name: "EmbedKit",
            dependencies: ["EmbedKitCore", "EmbedKitAssets", "EmbedKitTokenizers", "EmbedKitNumerics",
                           "EmbedKitModels", "EmbedKitIndex", "EmbedKitStore", "EmbedKitDatasets",
                           "EmbedKitEmbeddings", "EmbedKitServer"]
        ),
        // The `embedkit` command: a thin shell over the library.
        .executableTarget(
            name: "EmbedKitCLI",
            dependencies: ["EmbedKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "EmbedKitCoreTests", dependencies: ["EmbedKitCore"]),
        .testTarget(name: "EmbedKitNumericsTests", dependencies: ["EmbedKitNumerics", "EmbedKitCore"]),
        .testTarget(name: "EmbedKitStoreTests", dependencies: ["EmbedKitStore"]),
        .testTarget(name: "EmbedKitAssetsTests", dependencies: ["EmbedKitAssets"]),
        // Client and server against real HTTP on 127.0.0.1: our server, a fault-injecting fake of the OpenAI
        // cloud (plain SwiftNIO, so it can drop connections and send garbage), and the official Python SDK.
        .testTarget(
            name: "EmbedKitEmbeddingsTests",
            dependencies: ["EmbedKitEmbeddings", "EmbedKitServer", "EmbedKitTokenizers", "EmbedKitModels", "EmbedKitAssets", "EmbedKitCore",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOFoundationCompat", package: "swift-nio")]
        ),
        // Vector index through its public API; the kill-during-save test runs the built `embedkit` binary.
        .testTarget(name: "EmbedKitIndexTests", dependencies: ["EmbedKitIndex", "EmbedKitCore"]),
        // tiktoken BPE: exactness against fixtures recorded from tiktoken 0.14, Unicode tables, API behaviour.
        .testTarget(name: "EmbedKitTiktokenTests", dependencies: ["EmbedKitTokenizers", "EmbedKitAssets", "EmbedKitCore"]),
        // Local models and the WordPiece tokenizer vs sentence-transformers / HF tokenizers fixtures (Tests/Fixtures).
        .testTarget(
            name: "EmbedKitModelsTests",
            dependencies: ["EmbedKitModels", "EmbedKitTokenizers", "EmbedKitAssets", "EmbedKitCore", "EmbedKitNumerics"],
            exclude: []
        ),
        // Dataset jobs: CSV, selection vs pandas/tiktoken fixtures, checkpoint/resume with the local model.
        .testTarget(name: "EmbedKitDatasetsTests", dependencies: ["EmbedKitDatasets", "EmbedKit"]),
    ],
    swiftLanguageModes: [.v6]
)
