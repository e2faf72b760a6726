import CProtobufC
import CXieshangProto
#if canImport(Glibc)
import Glibc
#endif

/// Reads a message's fields out of the C struct protobuf-c unpacked.
///
/// Only generated code calls this, on what protobuf-c unpacked for this descriptor, so every
/// pointer here was set by protobuf-c. A string's bytes are checked again as they become a
/// Swift string: the decode may not have scanned them first (see `init(decoding:limits:)`).
public struct WireReader {
    private let message: UnsafeRawPointer
    private let descriptor: UnsafePointer<ProtobufCMessageDescriptor>

    init(message: UnsafeRawPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.message = message
        self.descriptor = descriptor
    }

    public func scalar<T: WireScalar>(_ number: UInt32) -> T {
        T(cValue: slot(number).load(as: T.CValue.self))
    }

    public func enumValue<E: WireEnum>(_ number: UInt32) -> E {
        E(rawValue: slot(number).load(as: Int32.self))
    }

    public func string(_ number: UInt32) throws(WireError) -> String {
        try string(at: slot(number), number)
    }

    public func bytes(_ number: UInt32) -> [UInt8] {
        bytes(slot(number).load(as: ProtobufCBinaryData.self))
    }

    public func message<M: WireMessage>(_ number: UInt32) throws(WireError) -> M? {
        guard let nested = slot(number).load(as: UnsafeRawPointer?.self) else { return nil }
        var value = M()
        try value.read(from: WireReader(message: nested, descriptor: M.wireDescriptor.pointer))
        return value
    }

    /// The field number of the oneof member that is set, or 0 when none is; `number` is
    /// any member of that oneof.
    public func oneofCase(_ number: UInt32) -> UInt32 {
        (message + Int(field(number).pointee.quantifier_offset)).load(as: UInt32.self)
    }

    /// Whether the oneof member `number` is the one that is set.
    public func has(_ number: UInt32) -> Bool { oneofCase(number) == number }

    public func repeatedScalar<T: WireScalar>(_ number: UInt32) -> [T] {
        repeated(number, stride: MemoryLayout<T.CValue>.stride) { T(cValue: $0.load(as: T.CValue.self)) }
    }

    public func repeatedEnum<E: WireEnum>(_ number: UInt32) -> [E] {
        repeated(number, stride: MemoryLayout<Int32>.stride) { E(rawValue: $0.load(as: Int32.self)) }
    }

    public func repeatedString(_ number: UInt32) throws(WireError) -> [String] {
        let (count, array) = repeatedStorage(number)
        var values: [String] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            values.append(try string(at: array! + index * MemoryLayout<UnsafeRawPointer>.stride, number))
        }
        return values
    }

    public func repeatedBytes(_ number: UInt32) -> [[UInt8]] {
        repeated(number, stride: MemoryLayout<ProtobufCBinaryData>.stride) { bytes($0.load(as: ProtobufCBinaryData.self)) }
    }

    public func repeatedMessage<M: WireMessage>(_ number: UInt32) throws(WireError) -> [M] {
        let (count, array) = repeatedStorage(number)
        var values: [M] = []
        values.reserveCapacity(count)
        let descriptor = M.wireDescriptor.pointer
        for index in 0..<count {
            let nested = (array! + index * MemoryLayout<UnsafeRawPointer>.stride).load(as: UnsafeRawPointer.self)
            // Read in place: a value read and then appended was a copy of every field.
            values.append(M())
            try values[index].read(from: WireReader(message: nested, descriptor: descriptor))
        }
        return values
    }

    // MARK: - Layout

    private func field(_ number: UInt32) -> UnsafePointer<ProtobufCFieldDescriptor> {
        guard let field = descriptor.field(number) else {
            preconditionFailure("\(String(cString: descriptor.pointee.name)) has no field \(number): regenerate the wire layer")
        }
        return field
    }

    private func slot(_ number: UInt32) -> UnsafeRawPointer {
        message + Int(field(number).pointee.offset)
    }

    private func repeatedStorage(_ number: UInt32) -> (count: Int, array: UnsafeRawPointer?) {
        let field = self.field(number)
        let count = (message + Int(field.pointee.quantifier_offset)).load(as: Int.self)
        let array = (message + Int(field.pointee.offset)).load(as: UnsafeRawPointer?.self)
        return (array == nil ? 0 : count, array)
    }

    private func repeated<T>(_ number: UInt32, stride: Int, _ element: (UnsafeRawPointer) -> T) -> [T] {
        let (count, array) = repeatedStorage(number)
        guard let array else { return [] }
        return (0..<count).map { element(array + $0 * stride) }
    }

    private func string(at slot: UnsafeRawPointer, _ number: UInt32) throws(WireError) -> String {
        // Absent text (proto3 sends none for "") is protobuf-c's empty default: no call.
        guard let cString = slot.load(as: UnsafePointer<CChar>?.self), cString.pointee != 0 else { return "" }
        // No NUL inside: the scanner checked, or the buffer had no zero byte at all.
        guard let text = String(validatingCString: cString) else {
            // The decode scans the bytes for this failure's field path and offset.
            throw WireError(.invalidUTF8, "\(String(cString: descriptor.pointee.name)) field \(number): string is not valid UTF-8")
        }
        return text
    }

    private func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard let base = data.data, data.len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }
}
