/// A contiguous, growable array of plain values on a raw pointer: no ARC or bounds checks in hot loops.
/// It may start as a view into a memory-mapped file (copy-on-write private mapping); growing it copies into
/// owned memory.
final class GrowableBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int
    private var owned: Bool
    private var keepAlive: AnyObject?

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
        owned = true
    }

    /// A view of `count` elements inside a mapping kept alive by `owner`.
    init(mapped pointer: UnsafeMutablePointer<Element>, count: Int, owner: AnyObject) {
        base = pointer
        capacity = count
        owned = false
        keepAlive = owner
    }

    deinit {
        if owned { base.deallocate() }
    }

    /// Makes room for at least `needed` elements, keeping the first `used`.
    func reserve(_ needed: Int, used: Int) {
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 2)
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        if used > 0 { fresh.update(from: base, count: used) }
        if owned { base.deallocate() }
        base = fresh
        capacity = newCapacity
        owned = true
        keepAlive = nil
    }
}
