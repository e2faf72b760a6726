import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

/// Every kind of malformed traffic, at every method of every service, as processes: each
/// gets an answer that says what is wrong (never INTERNAL or UNKNOWN, never a crash), and
/// every service still serves afterwards.
@Suite("the bad-input catalogue, at every method of the five services and the portal", .serialized)
struct BadInputCatalogueTests {
    /// A deterministic generator, so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }

    static func tag(_ field: UInt64, _ wireType: UInt64) -> [UInt8] { varint(field << 3 | wireType) }

    /// The catalogue of bodies: (what it is, the bytes).
    static func catalogue() -> [(String, [UInt8])] {
        var items: [(String, [UInt8])] = []
        var random = SplitMix(state: 20261128)
        for length in [1, 7, 64, 300] + (1..<soakFactor).flatMap({ _ in [3, 30, 150, 1000] }) {
            items.append(("random bytes (\(length))", (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }))
        }
        items.append(("truncated length-delimited field", [0x0A, 0x7F, 0x01, 0x02]))
        items.append(("truncated varint", [0x08, 0xFF, 0xFF]))
        items.append(("huge length", [0x0A] + varint(UInt64(Int32.max)) + [0x01]))
        items.append(("length beyond 64 bits", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))
        items.append(("field number 0", [0x00, 0x01]))
        items.append(("wire type 7", [0x0F, 0x01]))
        items.append(("end group without start", [0x0C]))
        var nested: [UInt8] = [0x08, 0x01]
        for _ in 0..<2_000 { nested = tag(1, 2) + varint(UInt64(nested.count)) + nested }
        items.append(("2000 levels of nesting", nested))
        for field in UInt64(1)...12 {
            items.append(("invalid UTF-8 in field \(field)", tag(field, 2) + [0x02, 0xC3, 0x28]))
            items.append(("NUL in field \(field)", tag(field, 2) + [0x03, 0x61, 0x00, 0x62]))
            items.append(("-1 in field \(field)", tag(field, 0) + varint(UInt64.max)))
            items.append(("2^62 in field \(field)", tag(field, 0) + varint(1 << 62)))
            items.append(("unknown enum 999 in field \(field)", tag(field, 0) + varint(999)))
            items.append(("a far-future time in field \(field)", tag(field, 0) + varint(UInt64(253_402_300_800_000))))
            items.append(("a nested message of garbage in field \(field)", tag(field, 2) + [0x04, 0x0A, 0x09, 0xFF, 0x00]))
            // The text rules: control characters, bidi overrides, zero-width characters,
            // line breaks where one line is expected, and more text than any field takes.
            for (name, text) in [("an escape sequence", "标题\u{1B}]0;x\u{07}"), ("a bidi override", "\u{202E}gpj.exe"),
                                 ("a zero-width space", "张\u{200B}伟"), ("a line break", "第一行\n第二行"), ("a C1 control", "a\u{9B}b")] {
                let bytes = Array(text.utf8)
                items.append(("\(name) in field \(field)", tag(field, 2) + varint(UInt64(bytes.count)) + bytes))
            }
            let oversized = [UInt8](repeating: 0x61, count: 66 << 10)
            items.append(("66 KiB of text in field \(field)", tag(field, 2) + varint(UInt64(oversized.count)) + oversized))
            // Lists longer than any takes: 20,000 ids packed, and 20,000 repeats of a field.
            let packed = [UInt8](repeating: 0x01, count: 20_000)
            items.append(("20,000 packed ids in field \(field)", tag(field, 2) + varint(UInt64(packed.count)) + packed))
            items.append(("20,000 repeats of field \(field)", Array((0..<20_000).map { _ in tag(field, 0) + [0x01] }.joined())))
        }
        // The right shape of the wrong message: a member where something else is expected.
        var member = MemberV1.Member()
        member.name = "张伟"
        member.sector = "教育界"
        member.phone = "13800000001"
        member.term = -5
        items.append(("a Member as the body", (try? member.encode()) ?? []))
        var meeting = MeetingV1.Meeting()
        meeting.title = "x"
        meeting.startMs = -86_400_000
        meeting.endMs = -1
        items.append(("a Meeting with negative times as the body", (try? meeting.encode()) ?? []))
        items.append(("an empty body", []))
        return items
    }

    /// What a service may answer to bad input: every code that tells the caller what is
    /// wrong. INTERNAL, UNKNOWN and DATA_LOSS would mean the input broke something.
    static let acceptable: Set<StatusCode> = [
        .ok, .invalidArgument, .notFound, .alreadyExists, .failedPrecondition, .outOfRange, .permissionDenied,
        .aborted, .unimplemented, .deadlineExceeded, .resourceExhausted,
    ]

    @Test("malformed bodies at every method get a precise status; raw garbage frames are dropped; all five keep serving")
    func everyMethod() async throws {
        let directory = try temporaryDirectory("catalogue")
        let suite = try await SuiteProcesses.start(in: directory)
        let (registry, scheduler, tracker, notifier, duty) = (suite.registry, suite.scheduler, suite.tracker, suite.notifier, suite.duty)
        let gateway = suite.gateway()
        // Some data, so that bad input can reach deeper than "not found".
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd], ["member", "import", demoMembersCSV],
                          ["station", "add", "--name", "雄关街道委员工作站"], ["room", "add", "--name", "第一议事室", "--station", "1", "--capacity", "40"]] {
            #expect(try await gateway.run(arguments).status == 0)
        }

        // The portal's own socket (the office's: invitations and accounts) too.
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal", arguments: [
            "--http-address", "127.0.0.1:0",
            "--registry", registry.rpcEndpoint, "--scheduler", scheduler.rpcEndpoint, "--tracker", tracker.rpcEndpoint,
            "--notifier", notifier.rpcEndpoint, "--duty", duty.rpcEndpoint,
        ])

        let catalogue = Self.catalogue()
        var failures: [String] = []
        var calls = 0
        for service in [registry, scheduler, tracker, notifier, duty, portal] {
            let client = try testClient([service.rpcEndpoint], caller: "bad-input", timeout: .seconds(5), attempts: 1)
            let methods = try await client.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest()).methods.map(\.name)
            #expect(methods.count >= 5)
            for method in methods + ["nope.v1.Nothing/Here"] {
                for (what, body) in catalogue {
                    calls += 1
                    do {
                        _ = try await client.call(method: method, body: body)
                    } catch {
                        if !Self.acceptable.contains(error.code) {
                            failures.append("\(method) ← \(what): \(error.code.protoName) \(error.message)")
                        }
                    }
                }
            }
            // Raw frames that are not requests at all are dropped; the socket keeps serving.
            let raw = try testContext.socket(.dealer)
            try raw.connect(service.rpcEndpoint)
            for frames in [[[UInt8]()], [[0xFF, 0x00, 0x13]], [Array("GET / HTTP/1.1\r\n\r\n".utf8)], [[0x0A, 0x7F]], [[1], [2], [3]]] {
                _ = try raw.send(frames, wait: true)
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(try raw.receive() == nil, "a frame that is not a request gets no reply")
            raw.close(linger: 0)
            let health = try await client.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
            #expect(health.status == .serving && health.storageOk, "\(health.service) still serves")
            await client.close()
        }
        #expect(failures.isEmpty, "\(failures.count) of \(calls) answers were not precise:\n\(failures.prefix(40).joined(separator: "\n"))")
        #expect(calls > 10_000)
        // And the suite still does real work.
        let listed = try await gateway.run(["member", "search", "张", "--json"])
        #expect(listed.status == 0)
        for service in [portal, duty, notifier, tracker, scheduler, registry] {
            #expect(await service.stop() == 0, "\(service.executable) exits cleanly after the catalogue")
        }
    }
}
