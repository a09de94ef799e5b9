import ArgumentParser
import EmbedKit

/// `embedkit`: the command-line shell over the EmbedKit library.
@main
struct EmbedKitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedkit",
        abstract: "Tokenize, embed, index and search text — the OpenAI Cookbook's embeddings workflow, in Swift.",
        discussion: "Assets (vocabularies, models) are cached under $EMBEDKIT_HOME (default ~/.cache/embedkit).",
        version: EmbedKitVersion.string,
        subcommands: [DoctorCommand.self, AssetsCommand.self, DemoCommand.self, TokensCommand.self,
                      EmbedCommand.self, ModelsCommand.self, IndexCommand.self,
                      DatasetCommand.self, ServeCommand.self, ServeBenchCommand.self]
    )
}

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false
}
