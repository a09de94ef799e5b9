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

    /// Every command starts here: first make sure OpenBLAS runs its fast kernels on this CPU (see
    /// ``BLASCoreType``), then parse and run as usual.
    static func main() async {
        BLASCoreType.restartWithBetterKernelsIfNeeded()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of a table.")
    var json = false
}
