#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CProtobufC
import CXieshangProto

/// A bump allocator for one encode or decode: the C struct, its nested structs, arrays and
/// strings all live here and are freed together when the encode or decode is done.
///
/// The first block is on the stack of `WireArena.with`, and the arena's own state sits at
/// its start: most messages fit, and then an encode or decode allocates nothing here. Larger
/// messages go on in blocks from `malloc`, freed when `with` returns. The arena is a pointer
/// to that state, so copying it is free and allocating is a compare and an add (no
/// reference counting, no exclusivity checks). It must not outlive `with`'s body.
struct WireArena {
    /// The stack block's size: a member (about 200 bytes encoded) takes about 700 here; at
    /// most 1 KiB is taken on the stack (`withUnsafeTemporaryAllocation` uses the heap above).
    static let firstBlockSize = 1024

    private struct State {
        var next: UnsafeMutableRawPointer
        var end: UnsafeMutableRawPointer
        /// The blocks from `malloc`, newest first; each begins with the address of the one
        /// before it.
        var spilled: UnsafeMutableRawPointer?
        var lastBlockSize: Int
        /// What may still be taken from `malloc`; a block that would exceed it is refused.
        var budget: Int
        /// Whether a block was refused for the budget.
        var exhausted = false
    }

    private let state: UnsafeMutablePointer<State>

    /// Runs `body` with a new arena whose memory is released when `body` returns.
    ///
    /// `budget` bounds what the arena takes from `malloc` beyond its first block: an
    /// allocation past it fails (`allocate(orNil:)` gives nil, and protobuf-c's unpack gives
    /// up), and `exhausted` says so afterwards.
    ///
    /// Not generic, so that callers in generic code (every message's encode and decode)
    /// do not look up a `Result` type's metadata on each call as the standard library's
    /// generic `withUnsafeTemporaryAllocation` does for theirs.
    static func with(budget: Int = .max, _ body: (WireArena) throws(WireError) -> Void) throws(WireError) {
        try withUnsafeTemporaryAllocation(byteCount: firstBlockSize, alignment: 16) { block throws(WireError) in
            let base = block.baseAddress!
            let header = (MemoryLayout<State>.stride + 15) & ~15
            let state = base.bindMemory(to: State.self, capacity: 1)
            state.initialize(to: State(next: base + header, end: base + block.count, spilled: nil, lastBlockSize: block.count, budget: budget))
            defer {
                var spilled = state.pointee.spilled
                while let block = spilled {
                    spilled = block.load(as: UnsafeMutableRawPointer?.self)
                    free(block)
                }
                state.deinitialize(count: 1)
            }
            try body(WireArena(state: state))
        }
    }

    private init(state: UnsafeMutablePointer<State>) {
        self.state = state
    }

    /// Whether an allocation was refused because the budget was spent.
    var exhausted: Bool { state.pointee.exhausted }

    /// Zeroed memory for `size` bytes, aligned for any C type.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let pointer = allocateUninitialized(size)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        return pointer
    }

    /// Memory for `size` bytes that the caller fills entirely, aligned to 8 bytes (what
    /// protobuf-c's structs, arrays and strings need: no field is wider than 8).
    @inline(__always)
    func allocateUninitialized(_ size: Int) -> UnsafeMutableRawPointer {
        guard let pointer = allocate(orNil: size) else {
            fatalError("a wire arena's budget of \(state.pointee.budget) bytes is spent")
        }
        return pointer
    }

    /// Like `allocateUninitialized`, but nil when the arena's budget would be exceeded.
    @inline(__always)
    func allocate(orNil size: Int) -> UnsafeMutableRawPointer? {
        let rounded = (size + 7) & ~7
        let pointer = state.pointee.next
        if rounded <= state.pointee.end - pointer {
            state.pointee.next = pointer + rounded
            return pointer
        }
        return spill(rounded)
    }

    /// A new block from `malloc` (twice the last, or the request if larger, as the budget
    /// allows) for what did not fit; nil when even the request would exceed the budget.
    private func spill(_ rounded: Int) -> UnsafeMutableRawPointer? {
        let header = 16
        let needed = rounded + header
        guard needed <= state.pointee.budget else {
            state.pointee.exhausted = true
            return nil
        }
        let size = min(max(needed, state.pointee.lastBlockSize * 2), state.pointee.budget)
        state.pointee.budget -= size
        guard let block = malloc(size) else { fatalError("out of memory allocating \(size) bytes") }
        block.storeBytes(of: state.pointee.spilled, as: UnsafeMutableRawPointer?.self)
        state.pointee.spilled = block
        state.pointee.lastBlockSize = size
        state.pointee.next = block + header + rounded
        state.pointee.end = block + size
        return block + header
    }

    /// Runs `body` with a protobuf-c allocator that takes its memory from this arena, for
    /// `protobuf_c_message_unpack`. Its `free` does nothing: what protobuf-c unpacks (and
    /// its scratch space, and a half-built message it gives up on) goes with the arena.
    /// Past the budget its `alloc` gives NULL, and protobuf-c gives the unpack up.
    func withUnpackAllocator(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) throws(WireError) -> Void) throws(WireError) {
        var allocator = ProtobufCAllocator(
            alloc: { data, size in
                WireArena(state: data!.assumingMemoryBound(to: State.self)).allocate(orNil: size)
            },
            free: { _, _ in },
            allocator_data: UnsafeMutableRawPointer(state))
        try body(&allocator)
    }

    /// A C message struct of this descriptor's type, initialised to its defaults.
    func newMessage(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> UnsafeMutableRawPointer {
        // message_init sets every field, so the memory need not be zeroed first.
        let message = allocateUninitialized(descriptor.pointee.sizeof_message)
        protobuf_c_message_init(descriptor, message)
        return message
    }

    /// A NUL-terminated copy of a string's UTF-8 bytes; nil when the string holds a NUL
    /// itself (a C string would end there). One `memchr` and one copy: no Swift loop over
    /// the bytes.
    func cString(_ string: String) -> UnsafeMutablePointer<CChar>? {
        var string = string
        return string.withUTF8 { utf8 in
            if let base = utf8.baseAddress, memchr(base, 0, utf8.count) != nil { return nil }
            let target = allocateUninitialized(utf8.count + 1)
            if let base = utf8.baseAddress { target.copyMemory(from: base, byteCount: utf8.count) }
            target.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return target.bindMemory(to: CChar.self, capacity: utf8.count + 1)
        }
    }

    /// A copy of some bytes; nil for none (protobuf-c accepts a NULL with length 0).
    func bytes(_ bytes: [UInt8]) -> UnsafeMutablePointer<UInt8>? {
        guard !bytes.isEmpty else { return nil }
        let target = allocateUninitialized(bytes.count)
        bytes.withUnsafeBytes { target.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return target.bindMemory(to: UInt8.self, capacity: bytes.count)
    }
}
