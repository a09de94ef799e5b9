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
        // tiktoken-exact BPE and BERT WordPiece.
        .target(name: "EmbedKitTokenizers", dependencies: ["EmbedKitCore", "EmbedKitAssets"]),
        // Float distance kernels in C: AVX2/FMA and AVX-512 picked at run time (no compiler flags), plus a
        // prefetch hint. Imported only by EmbedKitNumerics.
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
        .target(name: "EmbedKitIndex", dependencies: ["EmbedKitCore", "EmbedKitNumerics"]),
        // Collections: documents, metadata and keyword index in SQLite (wave 2 grows it).
        .target(name: "EmbedKitStore", dependencies: ["EmbedKitCore", .product(name: "GRDB", package: "GRDB.swift")]),
        // Umbrella: `import EmbedKit` brings every stage.
        .target(
            name: "EmbedKit",
            dependencies: ["EmbedKitCore", "EmbedKitAssets", "EmbedKitTokenizers", "EmbedKitNumerics",
                           "EmbedKitModels", "EmbedKitIndex", "EmbedKitStore"]
        ),
        // The `embedkit` command: a thin shell over the library.
        .executableTarget(
            name: "EmbedKitCLI",
            dependencies: ["EmbedKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "EmbedKitCoreTests", dependencies: ["EmbedKitCore"]),
        .testTarget(name: "EmbedKitNumericsTests", dependencies: ["EmbedKitNumerics"]),
        .testTarget(name: "EmbedKitStoreTests", dependencies: ["EmbedKitStore"]),
        .testTarget(name: "EmbedKitAssetsTests", dependencies: ["EmbedKitAssets"]),
        // Vector index through its public API; the kill-during-save test runs the built `embedkit` binary.
        .testTarget(name: "EmbedKitIndexTests", dependencies: ["EmbedKitIndex", "EmbedKitCore"]),
        // tiktoken BPE: exactness against fixtures recorded from tiktoken 0.14, Unicode tables, API behaviour.
        .testTarget(name: "EmbedKitTiktokenTests", dependencies: ["EmbedKitTokenizers", "EmbedKitAssets"]),
        // Local models and the WordPiece tokenizer vs sentence-transformers / HF tokenizers fixtures (Tests/Fixtures).
        .testTarget(
            name: "EmbedKitModelsTests",
            dependencies: ["EmbedKitModels", "EmbedKitTokenizers", "EmbedKitAssets", "EmbedKitCore", "EmbedKitNumerics"],
            exclude: []
        ),
    ],
    swiftLanguageModes: [.v6]
)
