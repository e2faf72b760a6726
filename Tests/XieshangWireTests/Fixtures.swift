import CWireVectors
@testable import XieshangWire

/// The Kinds message that `xs_vector_kinds_full` builds in C, built with the Swift layer.
func fullKinds() -> WiretestV1.Kinds {
    var child = WiretestV1.Inner()
    child.label = "child"
    var inner = WiretestV1.Inner()
    inner.label = "协商议事室"
    inner.weight = 3
    inner.children = [child]
    var one = WiretestV1.Inner()
    one.label = "one"
    var two = WiretestV1.Inner()
    two.weight = -2
    var optionalInner = WiretestV1.Inner()
    optionalInner.label = "o"
    var nested = WiretestV1.Kinds.Nested()
    nested.level = .high
    nested.note = "note"

    var k = WiretestV1.Kinds()
    k.fInt32 = -42
    k.fInt64 = -9_000_000_000
    k.fUint32 = 4_000_000_000
    k.fUint64 = 18_000_000_000_000_000_000
    k.fSint32 = -7
    k.fSint64 = -70_000_000_000
    k.fFixed32 = 0xCAFE_BABE
    k.fFixed64 = 0x0123_4567_89AB_CDEF
    k.fSfixed32 = -123_456
    k.fSfixed64 = -1_234_567_890_123
    k.fBool = true
    k.fFloat = 1.5
    k.fDouble = -2.25
    k.fString = "委员 Zhang Wei, 第五届"
    k.fBytes = [0xDE, 0xAD, 0xBE, 0xEF, 0x00]
    k.fColor = .green
    k.fInner = inner
    k.rInt32 = [1, -1, 300]
    k.rInt64 = [1 << 40, -5]
    k.rUint64 = [0, .max]
    k.rSint32 = [-1, 0, .max]
    k.rDouble = [0.5, -1e300]
    k.rBool = [true, false, true]
    k.rString = ["a", "", "界别"]
    k.rBytes = [[0x00, 0x01, 0xFF], [0x7F]]
    k.rColor = [.red, .unspecified, .unrecognized(7)]
    k.rInner = [one, two]
    k.oInt64 = 77
    k.oString = "optional"
    k.oInner = optionalInner
    k.choice = .choiceText("选择")
    k.fNested = nested
    return k
}

/// Bytes from one of the C vector functions.
func cVector(_ make: (UnsafeMutablePointer<UInt8>, Int) -> Int) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let size = buffer.withUnsafeMutableBufferPointer { make($0.baseAddress!, $0.count) }
    precondition(size > 0, "vector did not fit")
    return Array(buffer[..<size])
}

/// Protobuf wire helpers for hand-built test bytes.
enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    static func tag(_ number: UInt64, _ wireType: UInt64) -> [UInt8] { varint(number << 3 | wireType) }

    static func lengthDelimited(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        tag(number, 2) + varint(UInt64(payload.count)) + payload
    }
}
