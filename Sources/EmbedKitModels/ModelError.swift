/// Errors from loading or running a local embedding model; each says what to do next.
public enum ModelError: Error, CustomStringConvertible {
    /// A required file of the model folder is missing.
    case missingFile(folder: String, file: String)
    /// A file exists but cannot be parsed.
    case invalidFile(path: String, reason: String)
    /// The checkpoint's architecture (model_type, activation, …) is not one EmbedKit implements.
    case unsupportedArchitecture(path: String, what: String)
    /// A tensor the architecture needs is absent or has the wrong shape.
    case badTensor(path: String, name: String, reason: String)
    /// `--model` named neither a known model nor a folder.
    case unknownModel(String, known: [String])
    /// An option is out of range (e.g. dimensions larger than the model's).
    case invalidOption(String)
    /// The requested linear-layer engine (e.g. int8) needs hardware this CPU lacks.
    case engineUnavailable(String)
    /// The forward pass produced a non-finite value (never returned to the caller).
    case nonFiniteOutput(textIndex: Int)

    public var description: String {
        switch self {
        case .missingFile(let folder, let file):
            return "model folder \(folder) has no \(file); copy the complete Hugging Face model folder (or run `embedkit models fetch`)."
        case .invalidFile(let path, let reason):
            return "cannot read \(path): \(reason)."
        case .unsupportedArchitecture(let path, let what):
            return "\(path): unsupported architecture — \(what). EmbedKit runs BERT-family encoders (model_type bert or xlm-roberta) with absolute positions and erf GELU."
        case .badTensor(let path, let name, let reason):
            return "\(path): tensor \(name) \(reason); the checkpoint does not match its config.json."
        case .unknownModel(let name, let known):
            return "unknown model '\(name)': pass a path to a Hugging Face model folder or one of: \(known.joined(separator: ", "))."
        case .invalidOption(let message):
            return message
        case .engineUnavailable(let engine):
            return "the \(engine) engine needs Intel AMX (Sapphire Rapids or later, Linux 5.16+), which this CPU/OS lacks; drop --int8 / EMBEDKIT_GEMM to use float32 on OpenBLAS."
        case .nonFiniteOutput(let index):
            return "the model produced a non-finite value for input \(index); the checkpoint's weights may be corrupt (run `embedkit assets verify`)."
        }
    }
}
