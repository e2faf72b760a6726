import CWireVectors
import Testing
@testable import XieshangWire

@Suite("Codec matches protobuf-c's C API byte for byte")
struct CodecConformanceTests {
    @Test("every field kind round-trips")
    func roundTripEveryKind() throws {
        let original = fullKinds()
        let decoded = try WiretestV1.Kinds(decoding: try original.encode())
        #expect(decoded == original)
        #expect(decoded.rColor.last == .unrecognized(7))
        #expect(decoded.fInner?.children.first?.label == "child")
    }

    @Test("Swift encoding equals protobuf-c's packing of the same message")
    func encodeMatchesC() throws {
        #expect(try fullKinds().encode() == cVector(xs_vector_kinds_full))

        var number = WiretestV1.Kinds()
        number.choice = .choiceNumber(0)
        #expect(try number.encode() == cVector(xs_vector_kinds_oneof_number))

        var zeros = WiretestV1.Kinds()
        zeros.oInt64 = 0
        zeros.oString = ""
        #expect(try zeros.encode() == cVector(xs_vector_kinds_zero_optionals))

        var request = RpcV1.Request()
        request.method = "member.v1.Members/Get"
        request.requestID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        request.deadlineMs = 5000
        request.traceID = "trace-1"
        request.caller = "gateway"
        request.body = [0x08, 0x96, 0x01]
        var entry = RpcV1.MetadataEntry()
        entry.key = "locale"
        entry.value = "zh-CN"
        request.metadata = [entry]
        #expect(try request.encode() == cVector(xs_vector_request))

        var response = RpcV1.Response()
        response.requestID = "abc"
        var status = RpcV1.Status()
        status.code = .invalidArgument
        status.message = "2 fields are invalid"
        var v1 = RpcV1.FieldViolation()
        v1.field = "name"
        v1.description = "must not be empty"
        var v2 = RpcV1.FieldViolation()
        v2.field = "phone"
        v2.description = "must be 11 digits"
        status.violations = [v1, v2]
        response.status = status
        #expect(try response.encode() == cVector(xs_vector_response))
    }

    @Test("a message many times the arena's first block encodes and decodes whole (its C struct spills into further blocks)")
    func largerThanFirstBlock() throws {
        var status = RpcV1.Status()
        status.code = .invalidArgument
        status.message = String(repeating: "字段", count: 300)
        status.violations = (0..<300).map { index in
            var violation = RpcV1.FieldViolation()
            violation.field = "members[\(index)].name"
            violation.description = "第\(index)行：姓名不能为空"
            return violation
        }
        let bytes = try status.encode()
        #expect(bytes.count > 8 * WireArena.firstBlockSize)
        // protobuf-c unpacks it into the decode's arena (our decoder goes through
        // protobuf_c_message_unpack), spilling into blocks from malloc, to the same value.
        #expect(try RpcV1.Status(decoding: bytes) == status)
    }

    @Test("protobuf-c's bytes decode to the same Swift value")
    func decodeCBytes() throws {
        #expect(try WiretestV1.Kinds(decoding: cVector(xs_vector_kinds_full)) == fullKinds())
        let zeros = try WiretestV1.Kinds(decoding: cVector(xs_vector_kinds_zero_optionals))
        #expect(zeros.oInt64 == 0)
        #expect(zeros.oString == "")
        #expect(zeros.oInner == nil)
        #expect(try WiretestV1.Kinds(decoding: cVector(xs_vector_kinds_oneof_number)).choice == .choiceNumber(0))
    }

    @Test("protobuf-c unpacks what Swift encoded")
    func cDecodesSwift() throws {
        let bytes = try fullKinds().encode()
        #expect(bytes.withUnsafeBufferPointer { xs_vector_kinds_full_matches($0.baseAddress, $0.count) } == 1)
    }

    @Test("hand-built wire bytes decode as the protobuf spec says")
    func handBuiltBytes() throws {
        // The spec's example: field 2 (weight) = 150 is 10 96 01; field 1 "hi".
        let inner = try WiretestV1.Inner(decoding: [0x0A, 0x02, 0x68, 0x69, 0x10, 0x96, 0x01])
        #expect(inner.label == "hi")
        #expect(inner.weight == 150)
        // Negative int32 is sign-extended to 10 bytes.
        let negative = try WiretestV1.Inner(decoding: [0x10] + Wire.varint(UInt64(bitPattern: -1)))
        #expect(negative.weight == -1)

        // Repeated scalars both packed and unpacked, in one message.
        let packed = Wire.lengthDelimited(21, Wire.varint(1) + Wire.varint(300))
        let unpacked = Wire.tag(21, 0) + Wire.varint(5)
        let kinds = try WiretestV1.Kinds(decoding: packed + unpacked)
        #expect(kinds.rInt32 == [1, 300, 5])

        // sint32 uses zigzag: -1 is 1.
        #expect(try WiretestV1.Kinds(decoding: Wire.tag(5, 0) + [0x01]).fSint32 == -1)
        // fixed32 is little-endian.
        #expect(try WiretestV1.Kinds(decoding: Wire.tag(7, 5) + [0xBE, 0xBA, 0xFE, 0xCA]).fFixed32 == 0xCAFE_BABE)
        // The last value of a oneof wins.
        let oneof = Wire.lengthDelimited(50, Array("a".utf8)) + Wire.tag(51, 0) + [0x09]
        #expect(try WiretestV1.Kinds(decoding: oneof).choice == .choiceNumber(9))
    }

    @Test("unknown fields are skipped")
    func unknownFieldsSkipped() throws {
        let known: [UInt8] = [0x0A, 0x02, 0x68, 0x69]
        let unknown = Wire.tag(999, 0) + Wire.varint(12345)
            + Wire.lengthDelimited(1000, [1, 2, 3])
            + Wire.tag(1001, 1) + [UInt8](repeating: 9, count: 8)
            + Wire.tag(1002, 5) + [1, 2, 3, 4]
        let decoded = try WiretestV1.Inner(decoding: unknown + known + unknown)
        var expected = WiretestV1.Inner()
        expected.label = "hi"
        #expect(decoded == expected)
    }

    @Test("enum values keep their numbers, names and unknown values")
    func enums() throws {
        #expect(RpcV1.StatusCode.allCases.count == 17)
        #expect(RpcV1.StatusCode.unauthenticated.rawValue == 16)
        #expect(RpcV1.StatusCode(rawValue: 3) == .invalidArgument)
        #expect(RpcV1.StatusCode.invalidArgument.protoName == "INVALID_ARGUMENT")
        #expect(RpcV1.StatusCode(protoName: "NOT_FOUND") == .notFound)
        #expect(RpcV1.ServingStatus.serving.protoName == "SERVING_STATUS_SERVING")
        var k = WiretestV1.Kinds()
        k.fColor = .unrecognized(99)
        #expect(try WiretestV1.Kinds(decoding: k.encode()).fColor == .unrecognized(99))
    }

    @Test("an empty message encodes to no bytes and decodes from none")
    func emptyMessage() throws {
        #expect(try WiretestV1.Kinds().encode().isEmpty)
        #expect(try WiretestV1.Kinds(decoding: []) == WiretestV1.Kinds())
        #expect(try RpcV1.HealthCheckRequest(decoding: []) == RpcV1.HealthCheckRequest())
    }

    @Test("service methods carry their wire names and types")
    func methods() {
        #expect(RpcV1.Health.check.name == "rpc.v1.Health/Check")
        #expect(RpcV1.Reflection.describe.name == "rpc.v1.Reflection/Describe")
        #expect(RpcV1.HealthCheckResponse.wireName == "xieshang.rpc.v1.HealthCheckResponse")
    }
}
