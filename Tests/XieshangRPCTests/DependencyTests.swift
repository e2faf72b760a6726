import Synchronization
import Testing
@testable import XieshangRPC
import XieshangWire

@Suite("What a handler's caller sees when a dependency fails")
struct DependencyTests {
    @Test("NOT_FOUND and INVALID_ARGUMENT name the caller's field; other refusals pass through; silence is UNAVAILABLE")
    func mapping() async throws {
        var handlers = RPCHandlers()
        handlers.register(echo) { request, _ in
            switch request.label {
            case "missing": throw RPCError(.notFound, "id: room 99 not found", violations: [violation("id", "room 99 not found")])
            case "bad":
                var error = RPCError.invalidArgument([("name", "unknown sector \"火星界\"")])
                error.localizedMessage = "没有“火星界”这个界别。"
                throw error
            default: throw RPCError(.failedPrecondition, "no current term", localized: "还没有设定当前届次。")
            }
        }
        try await withServer(handlers) { server in
            try await withClient([server.endpoint]) { client in
                let registry = Dependency(name: "member-registry", client: client)
                let missing = await #expect(throws: RPCError.self) { try await registry.read(echo, inner("missing"), field: "meeting.room_id") }
                #expect(missing?.code == .notFound)
                #expect(missing?.violations.map(\.field) == ["meeting.room_id"])
                #expect(missing?.message == "meeting.room_id: room 99 not found")
                let bad = await #expect(throws: RPCError.self) { try await registry.read(echo, inner("bad"), field: "groups[0]") }
                #expect(bad?.code == .invalidArgument)
                #expect(bad?.violations.first?.field == "groups[0]")
                #expect(bad?.violations.first?.description.contains("火星界") == true)
                #expect(bad?.localizedMessage == "没有“火星界”这个界别。")
                let other = await #expect(throws: RPCError.self) { try await registry.read(echo, inner("x"), field: "f") }
                #expect(other?.code == .failedPrecondition)
                #expect(other?.localizedMessage == "还没有设定当前届次。")
            }
        }
        // Nobody listening (port 1 is privileged and unused; a freed ephemeral port could be
        // taken by a test running in parallel): UNAVAILABLE, naming the dependency.
        let endpoint = "tcp://127.0.0.1:1"
        try await withClient([endpoint], configure: { $0.retry.maxAttempts = 2 }) { client in
            let down = await #expect(throws: RPCError.self) {
                try await Dependency(name: "member-registry", client: client).read(echo, inner("x"), field: "f")
            }
            #expect(down?.code == .unavailable)
            #expect(down?.message.hasPrefix("member-registry is unavailable") == true)
        }
    }

    @Test("a silent dependency: the handler's call to it ends a reserve before the handler's deadline, as UNAVAILABLE naming it")
    func silentDependency() async throws {
        let gate = Gate()
        let upstreamRemaining = Mutex<Duration?>(nil)
        let downstreamRemaining = Mutex<Duration?>(nil)
        let failure = Mutex<RPCError?>(nil)
        let downstream = gatedHandlers(gate, onStart: { context in downstreamRemaining.withLock { $0 = context.remaining } }, answer: { $0 })
        try await withServer(downstream) { back in
            try await withClient([back.endpoint]) { backClient in
                var upstream = RPCHandlers()
                upstream.register(relay) { request, context in
                    upstreamRemaining.withLock { $0 = context.remaining }
                    do {
                        return try await Dependency(name: "member-registry", client: backClient).read(slow, request, field: "f")
                    } catch {
                        failure.withLock { $0 = error as? RPCError }
                        throw error
                    }
                }
                try await withServer(upstream) { front in
                    try await withClient([front.endpoint], configure: { $0.retry.maxAttempts = 1 }) { client in
                        _ = try? await client.call(relay, inner("x"), options: CallOptions(timeout: .seconds(5)))
                    }
                }
                gate.open()
            }
        }
        // Time only passes, so these hold however loaded the machine is: the dependency was
        // given at most nine tenths of what the handler had when it called. Without the
        // reserve it would get all of it, and the handler would have no time left to answer
        // before its caller gave up. (That the caller then hears UNAVAILABLE is checked with
        // real processes in SuiteTests' DependencyOutageTests.)
        let up = try #require(upstreamRemaining.withLock { $0 })
        let down = try #require(downstreamRemaining.withLock { $0 })
        #expect(down <= up * 0.9 + .milliseconds(1), "the dependency got \(down) of the handler's \(up)")
        let error = try #require(failure.withLock { $0 })
        #expect(error.code == .unavailable && error.message.hasPrefix("member-registry is unavailable"), "\(error)")
    }

    @Test("a dependency gets the handler's deadline less a reserve of a tenth, 50 ms to 1 s")
    func reserve() {
        let now = ContinuousClock.now
        #expect(Dependency.deadline(within: now + .seconds(2), now: now) == now + .milliseconds(1800))
        #expect(Dependency.deadline(within: now + .seconds(30), now: now) == now + .seconds(29))
        #expect(Dependency.deadline(within: now + .milliseconds(300), now: now) == now + .milliseconds(250))
        // Too little left to share: the dependency may use all of it.
        #expect(Dependency.deadline(within: now + .milliseconds(80), now: now) == now + .milliseconds(80))
    }

    private func violation(_ field: String, _ description: String) -> RpcV1.FieldViolation {
        var v = RpcV1.FieldViolation()
        v.field = field
        v.description = description
        return v
    }
}
