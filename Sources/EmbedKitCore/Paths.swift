import Foundation

/// Where EmbedKit keeps what it fetches and caches.
public enum EmbedKitPaths {
    /// `$EMBEDKIT_HOME`, else `$XDG_CACHE_HOME/embedkit`, else `~/.cache/embedkit`.
    public static func home(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["EMBEDKIT_HOME"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("embedkit", isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/embedkit", isDirectory: true)
    }
}

/// The library's version, printed by `embedkit --version` and `embedkit doctor`.
public enum EmbedKitVersion {
    public static let string = "0.1.0"
}
