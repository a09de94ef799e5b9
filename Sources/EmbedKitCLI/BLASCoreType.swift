import EmbedKit
import Foundation

/// Restarting once with `OPENBLAS_CORETYPE` set when OpenBLAS picked slow kernels for this CPU.
enum BLASCoreType {
    /// If OpenBLAS fell back to old kernels on a CPU with AVX2 (see `BLAS.suggestedCoreType`) and the user did
    /// not choose a core type, re-executes this command with `OPENBLAS_CORETYPE` set. Otherwise returns.
    static func restartWithBetterKernelsIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, let better = BLAS.suggestedCoreType else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        let arguments = CommandLine.arguments
        var cArguments = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cArguments)
        // execv only returns on failure: carry on with the slow kernels.
        for pointer in cArguments { free(pointer) }
    }
}
