import Testing
@testable import XieshangWire

@Suite("Bad input gets a descriptive error, never a crash")
struct BadInputTests {
    private func decodeError<M: WireMessage>(_ type: M.Type, _ bytes: [UInt8], limits: WireLimits = .default) -> WireError? {
        do {
            _ = try M(decoding: bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test("invalid UTF-8 in a string is refused with the field's path")
    func invalidUTF8() throws {
        let error = try #require(decodeError(WiretestV1.Inner.self, Wire.lengthDelimited(1, [0x68, 0xC3, 0x28])))
        #expect(error.code == .invalidUTF8)
        #expect(error.message.contains("xieshang.wiretest.v1.Inner.label"))

        // Deep inside: Kinds.f_inner.children.label, and a repeated string.
        let child = Wire.lengthDelimited(1, [0xFF])
        let inner = Wire.lengthDelimited(3, child)
        let nested = try #require(decodeError(WiretestV1.Kinds.self, Wire.lengthDelimited(17, inner)))
        #expect(nested.code == .invalidUTF8)
        #expect(nested.message.contains("Kinds.f_inner.children.label"))
        let repeated = try #require(decodeError(WiretestV1.Kinds.self, Wire.lengthDelimited(27, [0xED, 0xA0, 0x80])))
        #expect(repeated.code == .invalidUTF8)   // an encoded UTF-16 surrogate is not UTF-8
    }

    @Test("a NUL inside a string is refused on decode and on encode")
    func nulInString() throws {
        let error = try #require(decodeError(WiretestV1.Inner.self, Wire.lengthDelimited(1, [0x61, 0x00, 0x62])))
        #expect(error.code == .nulInString)
        #expect(error.message.contains("Inner.label"))

        var inner = WiretestV1.Inner()
        inner.label = "a\u{0}b"
        #expect(throws: WireError(.nulInString, "")) { try inner.encode() }
        var kinds = WiretestV1.Kinds()
        kinds.rString = ["fine", "not\u{0}fine"]
        #expect(throws: WireError(.nulInString, "")) { try kinds.encode() }
        var deep = WiretestV1.Kinds()
        var child = WiretestV1.Inner()
        child.label = "\u{0}"
        deep.choice = .choiceInner(child)
        #expect(throws: WireError(.nulInString, "")) { try deep.encode() }
        // NUL in bytes is fine: bytes are not strings.
        var bytes = WiretestV1.Kinds()
        bytes.fBytes = [0, 0, 0]
        #expect(try WiretestV1.Kinds(decoding: bytes.encode()).fBytes == [0, 0, 0])
    }

    @Test("a truncated buffer is refused at every cut that splits a field")
    func truncated() throws {
        let full = try fullKinds().encode()
        var failures = 0
        for length in 0..<full.count {
            // Cutting between two fields leaves a valid shorter message; anything else throws.
            if let error = decodeError(WiretestV1.Kinds.self, Array(full[..<length])) {
                #expect(error.code == .truncated || error.code == .malformed || error.code == .invalidUTF8)
                failures += 1
            }
        }
        #expect(failures > full.count / 2)
        let cut = try #require(decodeError(WiretestV1.Inner.self, [0x0A, 0x05, 0x68]))
        #expect(cut.code == .truncated)
        #expect(cut.message.contains("claims 5 bytes but 1 remain"))
        #expect(decodeError(WiretestV1.Inner.self, [0x10, 0x96])?.code == .truncated)
        #expect(decodeError(WiretestV1.Kinds.self, Wire.tag(7, 5) + [1, 2])?.code == .truncated)
        // A length far beyond the buffer.
        #expect(decodeError(WiretestV1.Inner.self, [0x0A] + Wire.varint(0xFFFF_FFFF_FF))?.code == .truncated)
    }

    @Test("a buffer over the limit is refused before it is parsed")
    func tooLarge() throws {
        let bytes = Wire.lengthDelimited(15, [UInt8](repeating: 1, count: 2000))
        let error = try #require(decodeError(WiretestV1.Kinds.self, bytes, limits: WireLimits(maxBytes: 1000)))
        #expect(error.code == .tooLarge)
        #expect(try WiretestV1.Kinds(decoding: bytes).fBytes.count == 2000)
    }

    @Test("nesting deeper than the limit is refused")
    func tooDeep() throws {
        var bytes = Wire.lengthDelimited(1, Array("leaf".utf8))
        for _ in 0..<200 { bytes = Wire.lengthDelimited(3, bytes) }
        let error = try #require(decodeError(WiretestV1.Inner.self, bytes))
        #expect(error.code == .tooDeep)
        var shallow = Wire.lengthDelimited(1, Array("leaf".utf8))
        for _ in 0..<10 { shallow = Wire.lengthDelimited(3, shallow) }
        #expect(try WiretestV1.Inner(decoding: shallow).children.count == 1)
    }

    @Test("malformed tags and wire types are refused")
    func malformed() {
        #expect(decodeError(WiretestV1.Inner.self, [0x00, 0x01])?.code == .malformed)        // field 0
        #expect(decodeError(WiretestV1.Inner.self, Wire.tag(1, 3))?.code == .malformed)      // start group
        #expect(decodeError(WiretestV1.Inner.self, Wire.tag(1, 7))?.code == .malformed)      // wire type 7
        #expect(decodeError(WiretestV1.Inner.self, Wire.tag(2, 2) + [0x00])?.code == .malformed)  // int as bytes
        #expect(decodeError(WiretestV1.Inner.self, Wire.tag(1, 0) + [0x01])?.code == .malformed)  // string as varint
        let overlong = [UInt8](repeating: 0xFF, count: 10) + [0x01]
        #expect(decodeError(WiretestV1.Inner.self, [0x10] + overlong)?.code == .malformed)
        #expect(decodeError(WiretestV1.Kinds.self, Wire.lengthDelimited(25, [1, 2, 3]))?.code == .malformed) // packed doubles
        let wrongType = decodeError(WiretestV1.Kinds.self, Wire.tag(17, 0) + [0x01])
        #expect(wrongType?.message.contains("f_inner") == true)
    }

    @Test("random bytes never crash the decoder")
    func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let seed = try fullKinds().encode()
        var decoded = 0
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                // Flip a few bytes of a valid message: closer to what a fuzzer finds.
                bytes = seed
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            if (try? WiretestV1.Kinds(decoding: bytes)) != nil { decoded += 1 }
            _ = try? RpcV1.Request(decoding: bytes)
        }
        #expect(decoded < 3000)
    }
}
