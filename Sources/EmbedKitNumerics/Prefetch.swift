import EmbedKitCKernels

/// Cache prefetch hints (Swift has no spelling for them): start loading memory that is about to be read.
public enum Prefetch {
    /// Hints that the cache line holding `pointer` will be read soon. Never changes results.
    @inlinable
    public static func read(_ pointer: UnsafeRawPointer) { ek_prefetch(pointer) }

    /// The instruction set the distance kernels selected on this CPU.
    public static var kernelInstructionSet: String { String(cString: ek_kernel_isa()) }
}
