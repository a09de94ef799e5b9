import Foundation
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The BLAS library EmbedKit's numeric code runs on: OpenBLAS on Linux, Accelerate on Apple platforms.
public enum BLAS {
    /// A one-line description of the BLAS library in use (OpenBLAS's build configuration on Linux).
    public static var configuration: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return "OpenBLAS " + String(cString: config)
        #endif
    }

    /// The CPU kernel family OpenBLAS picked at load time (e.g. `Haswell`, `SkylakeX`, `Prescott`).
    public static var coreName: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
        #endif
    }

    /// A better `OPENBLAS_CORETYPE` when OpenBLAS fell back to an old kernel family on a CPU that has AVX2 /
    /// AVX-512 (it does so on virtual CPUs whose model number it does not know: SSE3 kernels, 2–3× slower
    /// sgemm; measured here, SkylakeX kernels take 35% less CPU than Haswell ones on MiniLM), else nil.
    /// OpenBLAS reads the variable when it is loaded, so a process must set it and restart to use it.
    public static var suggestedCoreType: String? {
        #if canImport(Accelerate)
        return nil
        #else
        let current = coreName.lowercased()
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let fallbacks: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
                                      "coppermine", "northwood", "banias", "sandybridge"]
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"]) {
            return fallbacks.union(["haswell"]).contains(current) ? "SkylakeX" : nil
        }
        guard fallbacks.contains(current) else { return nil }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        if flags.contains("avx") && current != "sandybridge" { return "Sandybridge" }
        return nil
        #endif
    }

    /// Number of threads BLAS calls may use. Servers set 1 and parallelise across requests instead.
    public static var threads: Int {
        get {
            #if canImport(Accelerate)
            return 1
            #else
            return Int(openblas_get_num_threads())
            #endif
        }
        set {
            #if !canImport(Accelerate)
            openblas_set_num_threads(Int32(max(1, newValue)))
            #endif
        }
    }

    /// C = alpha · op(A) · op(B) + beta · C for row-major single-precision matrices.
    ///
    /// - Parameters:
    ///   - a: `m × k` (or `k × m` when `transposeA`), leading dimension `lda`.
    ///   - b: `k × n` (or `n × k` when `transposeB`), leading dimension `ldb`.
    ///   - c: `m × n`, leading dimension `ldc`.
    @inlinable
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
