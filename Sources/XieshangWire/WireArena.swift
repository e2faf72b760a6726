#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CProtobufC
import CXieshangProto

/// A bump allocator for one encode: the C struct, its nested structs, arrays and strings
/// all live here and are freed together when the encode is done. The first block is the
/// caller's (on its stack: most messages fit, and then an encode allocates nothing here);
/// larger messages go on in blocks from `malloc`.
final class WireArena {
    /// The first block's size: a member (about 200 bytes encoded) takes about 700 here; at
    /// most 1 KiB is taken on the stack (`withUnsafeTemporaryAllocation` uses the heap above).
    static let firstBlockSize = 1024

    private var blocks: [UnsafeMutableRawPointer] = []
    private var current: UnsafeMutableRawPointer?
    private var used = 0
    private var capacity = 0

    /// An arena that starts in `first`, which must outlive it.
    init(first: UnsafeMutableRawBufferPointer) {
        current = first.baseAddress
        capacity = first.baseAddress == nil ? 0 : first.count
    }

    deinit {
        for block in blocks { free(block) }
    }

    /// Zeroed memory for `size` bytes, aligned for any C type.
    func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let pointer = allocateUninitialized(size)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        return pointer
    }

    /// Memory for `size` bytes that the caller fills entirely.
    func allocateUninitialized(_ size: Int) -> UnsafeMutableRawPointer {
        let alignment = 16
        let rounded = (size + alignment - 1) & ~(alignment - 1)
        if current == nil || used + rounded > capacity {
            let blockSize = max(rounded, capacity == 0 ? Self.firstBlockSize : capacity * 2)
            guard let block = malloc(blockSize) else { fatalError("out of memory allocating \(blockSize) bytes") }
            blocks.append(block)
            current = block
            used = 0
            capacity = blockSize
        }
        let pointer = current! + used
        used += rounded
        return pointer
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
