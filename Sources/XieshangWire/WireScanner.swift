import CProtobufC
import CXieshangProto

/// Checks untrusted bytes against a message's schema: before protobuf-c unpacks them, or
/// after an unpack or a string check failed, to explain it (see `init(decoding:limits:)`).
///
/// protobuf-c reports a failed unpack with a NULL and nothing else, does not check UTF-8,
/// and cuts strings at a NUL. The scanner walks the same bytes and reports the first problem
/// with the field path and byte offset, so a caller can be told precisely what is wrong
/// with what it sent.
struct WireScanner {
    let limits: WireLimits

    /// A failure deep in the buffer; the path is built while unwinding.
    private struct Failure: Error {
        var code: WireError.Code
        var detail: String
        var offset: Int
        var path: [String] = []
        /// See `WireError.protobufCReadsIt`.
        var protobufCReadsIt = false
    }

    private enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5

        var name: String {
            switch self {
            case .varint: "varint"
            case .fixed64: "64-bit"
            case .lengthDelimited: "length-delimited"
            case .fixed32: "32-bit"
            }
        }
    }

    func validate(_ bytes: UnsafeRawBufferPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws(WireError) {
        do {
            try scan(bytes, from: 0, to: bytes.count, descriptor: descriptor, depth: 1)
        } catch {
            let root = String(cString: descriptor.pointee.name)
            let field = error.path.reversed().joined(separator: ".")
            let path = ([root] + error.path.reversed()).joined(separator: ".")
            var refusal = WireError(error.code, "\(path): \(error.detail) at byte \(error.offset)", field: field.isEmpty ? nil : field)
            refusal.protobufCReadsIt = error.protobufCReadsIt
            throw refusal
        }
    }

    private func scan(
        _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int,
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int
    ) throws(Failure) {
        guard let most = limits.maxRepeated else {
            return try scanFields(bytes, from: start, to: end, descriptor: descriptor, depth: depth, counts: nil, most: 0)
        }
        // How often each field occurs (a repeated field: its elements), by field index, and
        // the fields this message does not know, in the last slot: on the stack.
        let slots = Int(descriptor.pointee.n_fields) + 1
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: slots) { counts throws(Failure) in
            counts.initialize(repeating: 0)
            try scanFields(bytes, from: start, to: end, descriptor: descriptor, depth: depth, counts: counts, most: most)
        }
    }

    /// Walks one message's fields. Under `maxRepeated` (`counts` given), no field may occur
    /// more than `most` times, nor unknown fields more than `most` times together: protobuf-c
    /// keeps a 32-byte record of every occurrence while it unpacks, so a body of one small
    /// field said two million times would cost it some 60 MiB, repeated field or not.
    private func scanFields(
        _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int,
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int,
        counts: UnsafeMutableBufferPointer<Int>?, most: Int
    ) throws(Failure) {
        var offset = start
        // The text rules of this message's fields, by field index: one lookup per message.
        let rules = limits.text?.rules(descriptor)
        while offset < end {
            let tagOffset = offset
            let tag = try varint(bytes, &offset, end)
            let number = tag >> 3
            guard number > 0, number <= 536_870_911 else {
                // protobuf-c reads a tag of up to five bytes as an unknown field, whatever its number.
                throw Failure(code: .malformed, detail: "invalid field number \(number)", offset: tagOffset,
                              protobufCReadsIt: number > 536_870_911 && offset - tagOffset <= 5)
            }
            guard let wireType = WireType(rawValue: tag & 7) else {
                throw Failure(
                    code: .malformed,
                    detail: "\(Self.label(descriptor, number)) has unsupported wire type \(tag & 7)",
                    offset: tagOffset)
            }
            let valueStart = offset
            var payloadStart = valueStart
            switch wireType {
            case .varint: try valueVarint(bytes, &offset, end)
            case .fixed64: try skip(8, &offset, end)
            case .fixed32: try skip(4, &offset, end)
            case .lengthDelimited:
                let length = try varint(bytes, &offset, end)
                guard length <= UInt64(end - offset) else {
                    throw Failure(
                        code: .truncated,
                        detail: "\(Self.label(descriptor, number)) claims \(length) bytes but \(end - offset) remain",
                        offset: valueStart)
                }
                payloadStart = offset
                offset += Int(length)
            }
            // Unknown fields are skipped: newer senders may add fields we do not know.
            guard let field = descriptor.field(UInt32(number)) else {
                if let counts {
                    counts[counts.count - 1] += 1
                    if counts[counts.count - 1] > most {
                        throw Failure(code: .tooManyElements, detail: "more than \(most) fields this message does not know", offset: tagOffset)
                    }
                }
                continue
            }
            if let counts {
                let index = field - descriptor.pointee.fields
                let repeated = field.pointee.label == PROTOBUF_C_LABEL_REPEATED
                let elements = repeated && wireType == .lengthDelimited && Self.wireType(of: field.pointee.type) != .lengthDelimited
                    ? Self.packedCount(bytes, payloadStart, offset, Self.wireType(of: field.pointee.type))
                    : 1
                counts[index] += elements
                if counts[index] > most {
                    throw Failure(code: .tooManyElements,
                                  detail: repeated ? "list of more than \(most) elements" : "field given more than \(most) times",
                                  offset: tagOffset, path: [String(cString: field.pointee.name)])
                }
            }
            do throws(Failure) {
                if wireType == .lengthDelimited, field.pointee.type == PROTOBUF_C_TYPE_MESSAGE {
                    // A nested message, scanned here so that `check` does not recurse (and is inlined).
                    guard depth < limits.maxDepth else {
                        throw Failure(code: .tooDeep, detail: "messages nested deeper than \(limits.maxDepth)", offset: payloadStart)
                    }
                    let nested = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    try scan(bytes, from: payloadStart, to: offset, descriptor: nested, depth: depth + 1)
                } else {
                    try check(field, rule: rules?[field - descriptor.pointee.fields], wireType, bytes, payloadStart, offset)
                }
            } catch var failure {
                failure.path.append(String(cString: field.pointee.name))
                // protobuf-c keeps only the last of a field given twice (or of a oneof's
                // members), merging a message into the one after it: text it replaces is
                // never checked by a decode that does not scan first.
                if failure.code == .invalidUTF8, field.pointee.label != PROTOBUF_C_LABEL_REPEATED,
                   Self.givenAgain(field, in: descriptor, bytes, from: offset, to: end) {
                    failure.protobufCReadsIt = true
                }
                throw failure
            }
        }
    }

    /// Whether the field, or another member of its oneof, occurs again in this message after
    /// `start`. Only asked on the way out of a failure; an unreadable rest answers no.
    private static func givenAgain(
        _ field: UnsafePointer<ProtobufCFieldDescriptor>, in descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
        _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int
    ) -> Bool {
        let oneof = field.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0
        let scanner = WireScanner(limits: WireLimits())
        var offset = start
        while offset < end {
            guard let tag = try? scanner.varint(bytes, &offset, end) else { return false }
            let number = tag >> 3
            if number == field.pointee.id { return true }
            if oneof, number <= UInt32.max, let other = descriptor.field(UInt32(number)),
               other.pointee.flags & UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue) != 0,
               other.pointee.quantifier_offset == field.pointee.quantifier_offset {
                return true
            }
            switch tag & 7 {
            case 0:
                // A value varint as protobuf-c skips it: up to ten bytes, over 64 bits or not.
                let last = min(offset + 10, end)
                while offset < last, bytes[offset] & 0x80 != 0 { offset += 1 }
                guard offset < last else { return false }
                offset += 1
            case 1: offset += 8
            case 5: offset += 4
            case 2:
                guard let length = try? scanner.varint(bytes, &offset, end), length <= UInt64(end - offset) else { return false }
                offset += Int(length)
            default: return false
            }
        }
        return false
    }

    /// Checks one field's value (a nested message is scanned by the caller): its wire type,
    /// a string's bytes, a packed run's length.
    @inline(__always)
    private func check(
        _ field: UnsafePointer<ProtobufCFieldDescriptor>, rule: WireTextRule?, _ wireType: WireType,
        _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int
    ) throws(Failure) {
        let type = field.pointee.type
        let expected = Self.wireType(of: type)
        if wireType == expected {
            if type == PROTOBUF_C_TYPE_STRING { try checkString(bytes, start, end, rule: rule) }
            return
        }
        // A repeated scalar may come packed, as one length-delimited run of values.
        if wireType == .lengthDelimited, field.pointee.label == PROTOBUF_C_LABEL_REPEATED, expected != .lengthDelimited {
            switch expected {
            case .varint:
                var offset = start
                while offset < end { try valueVarint(bytes, &offset, end) }
            case .fixed32, .fixed64:
                let size = expected == .fixed32 ? 4 : 8
                guard (end - start) % size == 0 else {
                    throw Failure(code: .malformed, detail: "packed run of \(end - start) bytes is not a multiple of \(size)", offset: start)
                }
            case .lengthDelimited: break
            }
            return
        }
        throw Failure(code: .malformed, detail: "wire type \(wireType.name) where \(expected.name) was expected", offset: start,
                      protobufCReadsIt: type == PROTOBUF_C_TYPE_BOOL)
    }

    /// Checks a string's bytes in one pass without allocating: no NUL, and well-formed
    /// UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF); and, under a text
    /// rule, its length and the characters the rule refuses.
    private func checkString(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, rule: WireTextRule? = nil) throws(Failure) {
        if let rule, end - start > rule.maxBytes {
            throw Failure(code: .textTooLong, detail: "text of \(end - start) bytes is over its limit of \(rule.maxBytes) bytes", offset: start)
        }
        func refuse(_ scalar: UInt32, _ offset: Int) throws(Failure) {
            guard let rule, let why = WireTextPolicy.refusal(scalar, multiline: rule.multiline) else { return }
            throw Failure(code: .forbiddenCharacter, detail: "text holds \(why)", offset: offset)
        }
        var i = start
        while i < end {
            // Eight bytes at a time while they are printable ASCII (0x20–0x7E): nothing to
            // refuse there under any rule. Anything else takes the byte-by-byte path below.
            if end - i >= 8 {
                let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let high: UInt64 = 0x8080_8080_8080_8080
                let belowSpace = (w &- 0x2020_2020_2020_2020) & ~w & high
                let del = w ^ 0x7F7F_7F7F_7F7F_7F7F
                let isDel = (del &- 0x0101_0101_0101_0101) & ~del & high
                if (w & high) | belowSpace | isDel == 0 {
                    i += 8
                    continue
                }
            }
            let b0 = bytes[i]
            // Most Chinese text: U+3000–U+CFFF, three bytes, none of them refused by any rule.
            if b0 >= 0xE3, b0 <= 0xEC, end - i >= 3, bytes[i + 1] & 0xC0 == 0x80, bytes[i + 2] & 0xC0 == 0x80 {
                i += 3
                continue
            }
            if b0 < 0x80 {
                if b0 == 0 { throw Failure(code: .nulInString, detail: "string holds a NUL byte", offset: i) }
                if b0 < 0x20 || b0 == 0x7F { try refuse(UInt32(b0), i) }
                i += 1
                continue
            }
            func continuation(_ index: Int) -> Bool { index < end && bytes[index] & 0xC0 == 0x80 }
            let valid: Bool
            let length: Int
            switch b0 {
            case 0xC2...0xDF:
                length = 2
                valid = continuation(i + 1)
            case 0xE0...0xEF:
                length = 3
                let b1 = i + 1 < end ? bytes[i + 1] : 0
                let lower: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let upper: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                valid = (lower...upper).contains(b1) && continuation(i + 2)
            case 0xF0...0xF4:
                length = 4
                let b1 = i + 1 < end ? bytes[i + 1] : 0
                let lower: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let upper: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                valid = (lower...upper).contains(b1) && continuation(i + 2) && continuation(i + 3)
            default:
                length = 1
                valid = false
            }
            if !valid { throw Failure(code: .invalidUTF8, detail: "string is not valid UTF-8", offset: i) }
            if rule != nil {
                var scalar = UInt32(b0) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for k in 1..<length { scalar = scalar << 6 | UInt32(bytes[i + k] & 0x3F) }
                try refuse(scalar, i)
            }
            i += length
        }
    }

    @inline(__always)
    private func varint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int, _ end: Int) throws(Failure) -> UInt64 {
        // Tags, lengths and most numbers are one byte.
        if offset < end, bytes[offset] < 0x80 {
            offset += 1
            return UInt64(bytes[offset - 1])
        }
        return try longVarint(bytes, &offset, end)
    }

    /// A field's value as a varint: one over 64 bits is refused here, but protobuf-c reads it
    /// (cut to 64 bits), unlike a tag or a length over their bounds.
    @inline(__always)
    private func valueVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int, _ end: Int) throws(Failure) {
        do {
            _ = try varint(bytes, &offset, end)
        } catch var failure {
            failure.protobufCReadsIt = failure.code == .malformed
            throw failure
        }
    }

    private func longVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int, _ end: Int) throws(Failure) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else {
                throw Failure(code: .truncated, detail: "buffer ends inside a varint", offset: start)
            }
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 {
                throw Failure(code: .malformed, detail: "varint longer than 64 bits", offset: start)
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    private func skip(_ count: Int, _ offset: inout Int, _ end: Int) throws(Failure) {
        guard end - offset >= count else {
            throw Failure(code: .truncated, detail: "buffer ends inside a \(count)-byte value", offset: offset)
        }
        offset += count
    }

    /// How many values a packed run holds (varints: the bytes without the continuation bit).
    private static func packedCount(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ type: WireType) -> Int {
        switch type {
        case .fixed32: return (end - start) / 4
        case .fixed64: return (end - start) / 8
        default:
            var count = 0
            for index in start..<end where bytes[index] & 0x80 == 0 { count += 1 }
            return count
        }
    }

    /// `request_id (field 2)` for a known field, `field 9` for an unknown one.
    private static func label(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, _ number: UInt64) -> String {
        guard number <= UInt32.max, let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(number)) else {
            return "field \(number)"
        }
        return "\(String(cString: field.pointee.name)) (field \(number))"
    }

    private static func wireType(of type: ProtobufCType) -> WireType {
        switch type {
        case PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_DOUBLE: .fixed64
        case PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_FLOAT: .fixed32
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_BYTES, PROTOBUF_C_TYPE_MESSAGE: .lengthDelimited
        default: .varint
        }
    }
}
