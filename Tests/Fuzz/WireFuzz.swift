// wire-fuzz: a libFuzzer target for the Request envelope and every message decoder.
//
// `make fuzz` builds it with `-sanitize=fuzzer,address -D FUZZING` and runs it over the
// seed corpus in Tests/Fuzz/corpus. The input's first byte picks the decoder (0: the RPC
// envelope, then each message of the catalogue); the rest is what it decodes. A decoder
// may refuse its input, but must never crash, what it accepts must survive
// encode → decode → encode unchanged, and decoding with the scan first (as under a list
// bound) must accept and refuse the same, with the same words, but for the two encodings
// protobuf-c reads leniently (`WireError.protobufCReadsIt`).
// Built normally (as `swift build` does), it writes the seed corpus: `wire-fuzz --seeds DIR`.
import Foundation
import XieshangWire

/// Decodes `bytes` as `T`; when that works, the message must re-encode, and decoding that
/// must give the same bytes again. Decoding with the scan first must agree.
func check<T: WireMessage>(_ type: T.Type, _ bytes: [UInt8]) {
    let plain = Result { () throws(WireError) in try T(decoding: bytes, limits: WireLimits(maxBytes: 1 << 20)) }
    let scanned = Result { () throws(WireError) in try T(decoding: bytes, limits: WireLimits(maxBytes: 1 << 20, maxRepeated: .max)) }
    switch (plain, scanned) {
    case (.success(let a), .success(let b)):
        // Compared encoded: a double that is NaN is not equal to itself.
        precondition((try? a.encode()) == (try? b.encode()), "\(T.wireName) decodes differently when scanned first")
    case (.failure(let a), .failure(let b)):
        precondition(a.code == b.code && a.message == b.message, "\(T.wireName): \(a.message) / scanned first: \(b.message)")
    case (.success, .failure(let error)) where error.protobufCReadsIt:
        break   // a bool in another wire type, or a varint over 64 bits: protobuf-c reads them
    case (.success, .failure(let error)):
        preconditionFailure("\(T.wireName) decodes, but scanned first it is refused: \(error.message)")
    case (.failure(let error), .success):
        preconditionFailure("\(T.wireName) is refused (\(error.message)), but scanned first it decodes")
    }
    guard case .success(let message) = plain else { return }
    let encoded: [UInt8]
    do {
        encoded = try message.encode()
    } catch {
        preconditionFailure("\(T.wireName) decoded but does not encode again: \(error)")
    }
    do {
        let reencoded = try T(decoding: encoded).encode()
        precondition(reencoded == encoded, "\(T.wireName) changed across encode → decode → encode")
    } catch {
        preconditionFailure("\(T.wireName) does not decode its own encoding: \(error)")
    }
}

/// One input: the selector byte, then the bytes to decode.
func fuzzOne(_ input: [UInt8]) {
    guard let selector = input.first else { return }
    let body = Array(input.dropFirst())
    let index = Int(selector) % (catalogue.count + 1)
    if index == 0 {
        // The envelope, as a server reads a frame: then its body as what the method expects.
        check(RpcV1.Request.self, body)
        if let request = try? RpcV1.Request(decoding: body), let first = request.body.first {
            catalogue[Int(first) % catalogue.count].check(Array(request.body.dropFirst()))
        }
        check(RpcV1.Response.self, body)
    } else {
        catalogue[index - 1].check(body)
    }
}

#if FUZZING
// SwiftPM links an executable's entry point as `<Target>_main`; here it hands control to
// libFuzzer's driver (LLVM ≥ 11), which calls back with each input.
@_extern(c, "LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// What libFuzzer's own objects expect to find.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_cdecl("WireFuzz_main")
func wireFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzerTestOneInput(data, size) }
}
#else
@main
struct WireFuzzSeeds {
    /// Writes one seed per decoder (an empty message, and a filled envelope), so the fuzzer
    /// starts from inputs every decoder accepts.
    static func main() throws {
        let arguments = CommandLine.arguments
        if arguments.count >= 3, arguments[1] == "--run" {
            // Replays inputs (e.g. a crash the fuzzer saved) without the sanitizers.
            for file in arguments.dropFirst(2) {
                fuzzOne(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
                print("ok \(file)")
            }
            return
        }
        guard arguments.count == 3, arguments[1] == "--seeds" else {
            print("usage: wire-fuzz --seeds DIR | --run FILE…   (the fuzzer itself: make fuzz)")
            return
        }
        let directory = arguments[2]
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
        var request = RpcV1.Request()
        request.method = "member.v1.Members/Create"
        request.requestID = "5f0c6a2e-seed"
        request.deadlineMs = 5_000
        request.traceID = "trace"
        var member = MemberV1.Member()
        member.name = "张伟"
        member.sector = "教育界"
        member.committees = ["提案委员会"]
        member.roomIDs = [1, 2]
        var create = MemberV1.CreateMemberRequest()
        create.member = member
        let memberIndex = catalogue.firstIndex { $0.name == "MemberV1.CreateMemberRequest" }!
        request.body = [UInt8(memberIndex)] + (try create.encode())
        try write("envelope", [0] + (try request.encode()))
        for (index, entry) in catalogue.enumerated() where index < 255 {
            try write("empty-\(entry.name)", [UInt8(index + 1)])
        }
        try write("member", [UInt8(memberIndex + 1)] + (try create.encode()))
        print("wrote \(min(catalogue.count, 255) + 2) seeds to \(directory)")
    }
}
#endif
