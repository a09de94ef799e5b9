import EmbedKitCKernels
import Foundation

/// The engine that multiplies activations by weight matrices in linear layers.
///
/// Accuracy (all-MiniLM-L6-v2 vs sentence-transformers and tiny random BERTs vs `transformers`, figures in
/// docs/performance-history.md, "Local embeddings: matrix engines"): ``blas`` and ``amxBF16x6`` compute to float32 accuracy; ``amxBF16x3``
/// keeps ~17 significant bits per product (fine for MiniLM, not for the tightest 1e-5 fixture); ``amxInt8``
/// quantizes weights and activations to 8 bits (cosine ≈ 0.99x vs float32, opt-in only).
public enum MatrixEngine: String, Sendable, CaseIterable {
    /// Intel AMX tiles, each float split into 3 bf16 parts, 6 part products: float32 accuracy.
    case amxBF16x6 = "amx-bf16x6"
    /// Intel AMX tiles, 2 bf16 parts and 3 part products: about 17 significant bits per product, faster.
    case amxBF16x3 = "amx-bf16x3"
    /// Intel AMX int8 tiles: weights quantized per output channel at load, activations per row per call.
    case amxInt8 = "amx-int8"
    /// OpenBLAS `sgemm` (Accelerate on Apple platforms).
    case blas = "openblas"

    /// Whether this CPU/OS can run the engine.
    public var isAvailable: Bool {
        switch self {
        case .amxBF16x6, .amxBF16x3, .amxInt8: return ek_amx_available() != 0
        case .blas: return true
        }
    }

    /// Whether results match float32 arithmetic to float32 rounding (false: reduced-precision engines).
    public var isFloat32Accurate: Bool { self == .blas || self == .amxBF16x6 }

    /// The engine for an `EMBEDKIT_GEMM` value: a raw value (`openblas`, `amx-bf16x6`, `amx-bf16x3`,
    /// `amx-int8`), `blas`, or `amx` (= `amx-bf16x6`). nil for anything else.
    public init?(environmentValue value: String) {
        switch value.lowercased() {
        case "amx": self = .amxBF16x6
        case "blas": self = .blas
        default: self.init(rawValue: value.lowercased())
        }
    }

    /// The engine linear layers use by default: OpenBLAS, unless the environment variable `EMBEDKIT_GEMM`
    /// (see ``init(environmentValue:)``) names another that this CPU can run (an unknown or unavailable value
    /// keeps OpenBLAS). Decided once per process.
    ///
    /// Not AMX by default: float32-accurate AMX (bf16x6) matches OpenBLAS's accuracy, but six bf16 tile
    /// products per float product leave it no steady win end to end on the machines measured: 0.73× to 1.46×
    /// OpenBLAS across runs of the same code (docs/performance-history.md, third and fourth sessions).
    public static let preferred: MatrixEngine = {
        guard let value = ProcessInfo.processInfo.environment["EMBEDKIT_GEMM"],
              let requested = MatrixEngine(environmentValue: value), requested.isAvailable else { return .blas }
        return requested
    }()

    /// bf16 parts per float for the split engines.
    var bf16Parts: Int32 { self == .amxBF16x6 ? 3 : 2 }
}

/// A linear layer's weight matrix (`outputs × inputs`, PyTorch's layout) prepared for y = x·Wᵀ + b on one
/// ``MatrixEngine``: on AMX, split into bf16 parts (or quantized to int8) and packed into tiles once, here; on
/// BLAS, used as is.
public final class LinearWeights: @unchecked Sendable {
    public let outputs: Int
    public let inputs: Int
    /// The engine this layer runs on (BLAS when the requested one is unavailable here).
    public let engine: MatrixEngine
    private let weight: UnsafePointer<Float>?
    private let owner: AnyObject?
    private let packed: UnsafeMutableRawPointer?

    /// Prepares `weight` (row-major `outputs × inputs`). With the BLAS engine the pointer must stay valid while
    /// `owner` lives (it is retained); with AMX the values are copied into the packed form and `owner` is
    /// released. An unavailable engine falls back to BLAS.
    public init(weight: UnsafePointer<Float>, outputs: Int, inputs: Int, owner: AnyObject?,
                engine: MatrixEngine = .preferred) {
        precondition(outputs > 0 && inputs > 0)
        self.outputs = outputs
        self.inputs = inputs
        let engine = engine.isAvailable ? engine : .blas
        self.engine = engine
        switch engine {
        case .amxBF16x6, .amxBF16x3:
            let bytes = ek_bf16s_packed_weight_bytes(outputs, inputs, engine.bf16Parts)
            let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            ek_bf16s_pack_weight(weight, outputs, inputs, inputs, engine.bf16Parts, storage)
            packed = storage
        case .amxInt8:
            let storage = UnsafeMutableRawPointer.allocate(byteCount: ek_int8_packed_weight_bytes(outputs, inputs), alignment: 64)
            ek_int8_pack_weight(weight, outputs, inputs, inputs, storage)
            packed = storage
        case .blas:
            packed = nil
        }
        self.weight = packed == nil ? weight : nil
        self.owner = packed == nil ? owner : nil
    }

    deinit { packed?.deallocate() }

    /// y[rows × outputs] (row stride `ldy`) = x[rows × inputs] (row stride `ldx`) · Wᵀ + bias.
    public func apply(_ x: UnsafePointer<Float>, rows: Int, ldx: Int? = nil, bias: UnsafePointer<Float>?,
                      into y: UnsafeMutablePointer<Float>, ldy: Int? = nil, scratch: LinearScratch) {
        guard rows > 0 else { return }
        let ldx = ldx ?? inputs, ldy = ldy ?? outputs
        if let packed {
            precondition(scratch.inputs >= inputs && scratch.outputs >= outputs,
                         "scratch sized for \(scratch.outputs) × \(scratch.inputs), layer is \(outputs) × \(inputs)")
            if engine == .amxInt8 {
                ek_int8_linear(x, rows, inputs, ldx, packed, outputs, bias, y, ldy, scratch.pointer)
            } else {
                ek_bf16s_linear(x, rows, inputs, ldx, packed, outputs, engine.bf16Parts, bias, y, ldy, scratch.pointer)
            }
            return
        }
        let w = weight!
        if let bias {
            for r in 0..<rows { (y + r * ldy).update(from: bias, count: outputs) }
        }
        BLAS.sgemm(transposeB: true, m: rows, n: outputs, k: inputs, a: x, lda: ldx, b: w, ldb: inputs,
                   beta: bias == nil ? 0 : 1, c: y, ldc: ldy)
    }
}

/// Per-thread scratch for ``LinearWeights/apply(_:rows:ldx:bias:into:ldy:scratch:)`` on layers with up to
/// `outputs` outputs and `inputs` inputs, on any engine (a few hundred KB; reuse one per worker).
public final class LinearScratch {
    public let inputs: Int
    public let outputs: Int
    let pointer: UnsafeMutableRawPointer

    public init(inputs: Int, outputs: Int) {
        self.inputs = inputs
        self.outputs = outputs
        let bytes = max(64, ek_bf16s_scratch_bytes(outputs, inputs, 3), ek_int8_scratch_bytes(outputs, inputs))
        pointer = .allocate(byteCount: bytes, alignment: 64)
    }

    deinit { pointer.deallocate() }
}
