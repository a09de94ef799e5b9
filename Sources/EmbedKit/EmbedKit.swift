// `import EmbedKit` brings every stage of the data's path.
@_exported import EmbedKitAssets
@_exported import EmbedKitCore
@_exported import EmbedKitIndex
@_exported import EmbedKitModels
@_exported import EmbedKitNumerics
@_exported import EmbedKitStore
@_exported import EmbedKitTokenizers
@_exported import EmbedKitEmbeddings
@_exported import EmbedKitServer
@_exported import EmbedKitDatasets
