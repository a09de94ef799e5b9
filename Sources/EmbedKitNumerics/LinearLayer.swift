import EmbedKitCKernels
import Foundation

/// The engine that multiplies activations by weight matrices in linear layers.
public enum MatrixEngine: String, Sendable, CaseIterable {
    /// Intel AMX tiles with bf16x3 splitting (about 17 significant bits per product, see EmbedKitGemm.h).
    case amxBF16x3 = "amx-bf16x3"
    /// OpenBLAS `sgemm` (Accelerate on Apple platforms).
    case blas = "openblas"

    /// Whether this CPU/OS can run the engine.
    public var isAvailable: Bool {
        switch self {
        case .amxBF16x3: return ek_amx_available() != 0
        case .blas: return true
        }
    }

    /// The engine linear layers use by default: BLAS, unless the environment variable `EMBEDKIT_GEMM=amx`
    /// asks for AMX and the CPU has it (else BLAS). Decided once per process.
    ///
    /// AMX is opt-in because bf16x3 carries ~17 significant bits per product, not float32's 24: measured, the
    /// all-MiniLM-L6-v2 parity check stays far inside its bounds (max |Δ| 3.3e-6 vs sentence-transformers,
    /// limit 1e-4), but one tiny random BERT fixture (CLS pooling, not normalized) moves 5.1e-5 from
    /// `transformers`, beyond that test's 1e-5. Float32-exact splitting (bf16x6) would cost twice as many tile
    /// products and lose the speed advantage on this hardware (docs/PERFORMANCE.md, "Local embeddings: matrix engines").
    public static let preferred: MatrixEngine = {
        let requested = ProcessInfo.processInfo.environment["EMBEDKIT_GEMM"]?.lowercased()
        if requested == "amx" && MatrixEngine.amxBF16x3.isAvailable { return .amxBF16x3 }
        return .blas
    }()
}

/// A linear layer's weight matrix (`outputs × inputs`, PyTorch's layout) prepared for y = x·Wᵀ + b on one
/// ``MatrixEngine``: on AMX, split into bf16 hi/lo parts and packed into tiles once, here; on BLAS, used as is.
public final class LinearWeights: @unchecked Sendable {
    public let outputs: Int
    public let inputs: Int
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
        if engine == .amxBF16x3 && engine.isAvailable {
            self.engine = .amxBF16x3
            let bytes = ek_bf16x3_packed_weight_bytes(outputs, inputs)
            let storage = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            ek_bf16x3_pack_weight(weight, outputs, inputs, inputs, storage)
            packed = storage
            self.weight = nil
            self.owner = nil
        } else {
            self.engine = .blas
            packed = nil
            self.weight = weight
            self.owner = owner
        }
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
            ek_bf16x3_linear(x, rows, inputs, ldx, packed, outputs, bias, y, ldy, scratch.pointer)
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
/// `outputs` outputs and `inputs` inputs (a few hundred KB; reuse one per worker).
public final class LinearScratch {
    public let inputs: Int
    public let outputs: Int
    let pointer: UnsafeMutableRawPointer

    public init(inputs: Int, outputs: Int) {
        self.inputs = inputs
        self.outputs = outputs
        pointer = .allocate(byteCount: max(64, ek_bf16x3_scratch_bytes(outputs, inputs)), alignment: 64)
    }

    deinit { pointer.deallocate() }
}
