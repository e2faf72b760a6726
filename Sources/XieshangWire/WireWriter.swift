import CProtobufC
import CXieshangProto

/// Writes a message's fields into protobuf-c's C struct for that message.
///
/// Only generated code calls this. Each call names a field by its number; the descriptor
/// gives the offset in the struct, and for oneof members the `_case` to set. Strings,
/// bytes, arrays and nested structs are copied into the encode's arena.
public struct WireWriter {
    private let message: UnsafeMutableRawPointer
    private let descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    private let arena: WireArena

    init(message: UnsafeMutableRawPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>, arena: WireArena) {
        self.message = message
        self.descriptor = descriptor
        self.arena = arena
    }

    public func scalar<T: WireScalar>(_ value: T, _ number: UInt32) {
        slot(number).storeBytes(of: value.cValue, as: T.CValue.self)
    }

    public func enumValue<E: WireEnum>(_ value: E, _ number: UInt32) {
        slot(number).storeBytes(of: value.rawValue, as: Int32.self)
    }

    public func string(_ value: String, _ number: UInt32) throws(WireError) {
        let field = self.field(number)
        slot(field).storeBytes(of: try cString(value, field), as: UnsafeMutablePointer<CChar>.self)
    }

    public func bytes(_ value: [UInt8], _ number: UInt32) {
        slot(number).storeBytes(of: binaryData(value), as: ProtobufCBinaryData.self)
    }

    public func message<M: WireMessage>(_ value: M, _ number: UInt32) throws(WireError) {
        let nested = try newNested(value)
        slot(number).storeBytes(of: nested, as: UnsafeMutableRawPointer.self)
    }

    public func repeatedScalar<T: WireScalar>(_ values: [T], _ number: UInt32) {
        let array = repeatedSlot(number, count: values.count, stride: MemoryLayout<T.CValue>.stride)
        for (index, value) in values.enumerated() {
            array.storeBytes(of: value.cValue, toByteOffset: index * MemoryLayout<T.CValue>.stride, as: T.CValue.self)
        }
    }

    public func repeatedEnum<E: WireEnum>(_ values: [E], _ number: UInt32) {
        let array = repeatedSlot(number, count: values.count, stride: MemoryLayout<Int32>.stride)
        for (index, value) in values.enumerated() {
            array.storeBytes(of: value.rawValue, toByteOffset: index * MemoryLayout<Int32>.stride, as: Int32.self)
        }
    }

    public func repeatedString(_ values: [String], _ number: UInt32) throws(WireError) {
        let field = self.field(number)
        let stride = MemoryLayout<UnsafeMutablePointer<CChar>>.stride
        let array = repeatedSlot(field, count: values.count, stride: stride)
        for (index, value) in values.enumerated() {
            array.storeBytes(of: try cString(value, field), toByteOffset: index * stride, as: UnsafeMutablePointer<CChar>.self)
        }
    }

    public func repeatedBytes(_ values: [[UInt8]], _ number: UInt32) {
        let stride = MemoryLayout<ProtobufCBinaryData>.stride
        let array = repeatedSlot(field(number), count: values.count, stride: stride)
        for (index, value) in values.enumerated() {
            array.storeBytes(of: binaryData(value), toByteOffset: index * stride, as: ProtobufCBinaryData.self)
        }
    }

    public func repeatedMessage<M: WireMessage>(_ values: [M], _ number: UInt32) throws(WireError) {
        let stride = MemoryLayout<UnsafeMutableRawPointer>.stride
        let array = repeatedSlot(field(number), count: values.count, stride: stride)
        for (index, value) in values.enumerated() {
            array.storeBytes(of: try newNested(value), toByteOffset: index * stride, as: UnsafeMutableRawPointer.self)
        }
    }

    // MARK: - Layout

    private func field(_ number: UInt32) -> UnsafePointer<ProtobufCFieldDescriptor> {
        guard let field = descriptor.field(number) else {
            preconditionFailure("\(String(cString: descriptor.pointee.name)) has no field \(number): regenerate the wire layer")
        }
        return field
    }

    private func slot(_ number: UInt32) -> UnsafeMutableRawPointer { slot(field(number)) }

    /// The field's storage; for a oneof member, also records it as the member that is set.
    private func slot(_ field: UnsafePointer<ProtobufCFieldDescriptor>) -> UnsafeMutableRawPointer {
        if field.pointee.flags & PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue != 0 {
            (message + Int(field.pointee.quantifier_offset)).storeBytes(of: field.pointee.id, as: UInt32.self)
        }
        return message + Int(field.pointee.offset)
    }

    /// Stores the count and a new zeroed array for a repeated field; returns the array.
    private func repeatedSlot(_ number: UInt32, count: Int, stride: Int) -> UnsafeMutableRawPointer {
        repeatedSlot(field(number), count: count, stride: stride)
    }

    private func repeatedSlot(_ field: UnsafePointer<ProtobufCFieldDescriptor>, count: Int, stride: Int) -> UnsafeMutableRawPointer {
        let array = arena.allocate(max(count * stride, 1))
        (message + Int(field.pointee.quantifier_offset)).storeBytes(of: count, as: Int.self)
        (message + Int(field.pointee.offset)).storeBytes(of: array, as: UnsafeMutableRawPointer.self)
        return array
    }

    private func newNested<M: WireMessage>(_ value: M) throws(WireError) -> UnsafeMutableRawPointer {
        let nestedDescriptor = M.wireDescriptor.pointer
        let nested = arena.newMessage(nestedDescriptor)
        try value.write(to: WireWriter(message: nested, descriptor: nestedDescriptor, arena: arena))
        return nested
    }

    private func binaryData(_ value: [UInt8]) -> ProtobufCBinaryData {
        ProtobufCBinaryData(len: value.count, data: arena.bytes(value))
    }

    /// The string copied into the arena as a C string; a NUL inside is refused, since
    /// protobuf-c would silently cut the string there.
    private func cString(_ value: String, _ field: UnsafePointer<ProtobufCFieldDescriptor>) throws(WireError) -> UnsafeMutablePointer<CChar> {
        guard let copy = arena.cString(value) else {
            throw WireError(
                .nulInString,
                "\(String(cString: descriptor.pointee.name)).\(String(cString: field.pointee.name)) holds a NUL byte, which protobuf-c cannot carry"
            )
        }
        return copy
    }
}
