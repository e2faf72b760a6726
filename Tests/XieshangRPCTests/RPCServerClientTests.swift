import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

@Suite("RPC over real ZeroMQ sockets on loopback")
struct RPCServerClientTests {
    @Test("the server binds an ephemeral loopback port and reports it")
    func ephemeralEndpoint() async throws {
        try await withServer(echoHandlers()) { server in
            #expect(server.endpoint.hasPrefix("tcp://127.0.0.1:"))
            #expect(!server.endpoint.hasSuffix(":*"))
        }
    }

    @Test("the socket threads carry their names where the kernel shows them (top -H, perf, /proc)")
    func namedThreads() async throws {
        // What a thread started by name reads as its own name, from the kernel.
        let seen = Mutex<String?>(nil)
        let done = ThreadCompletion()
        Thread.start(named: "xs-named-thread-long") {
            seen.withLock { $0 = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) }
            done.finish()
        }
        await done.wait()
        #expect(seen.withLock { $0 } == "xs-named-thread\n")   // the kernel keeps 15 bytes

        // A server's and a client's socket threads, among this process's threads.
        func threadNames() throws -> Set<String> {
            let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
            return Set(tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .newlines) })
        }
        try await withServer(echoHandlers(), configure: { $0.serviceName = "named" }) { server in
            try await withClient([server.endpoint]) { client in
                _ = try await client.call(echo, inner("名"))
                let names = try threadNames()
                #expect(names.contains("rpc-named"))
                #expect(names.contains("rpc-client"))
            }
        }
    }

    @Test("many tasks call at once and each gets its own reply")
    func concurrentCalls() async throws {
        let calls = Counter()
        try await withServer(echoHandlers(calls: calls)) { server in
            try await withClient([server.endpoint]) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<40 {
                        group.addTask {
                            for call in 0..<10 {
                                let label = "t\(task)-c\(call)-委员"
                                let reply = try await client.call(echo, inner(label, Int32(call)))
                                #expect(reply.label == label.uppercased())
                                #expect(reply.weight == Int32(call) + 1)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(calls.count == 400)
            #expect(server.metrics.snapshot().count(echo.name, .ok) == 400)
        }
    }

    @Test("handlers run concurrently: the socket thread never waits for one")
    func handlersOverlap() async throws {
        let gate = Gate()
        let started = Counter()
        let handlers = gatedHandlers(gate, onStart: { _ in started.increment() }, answer: { $0 })
        try await withServer(handlers) { server in
            try await withClient([server.endpoint]) { client in
                async let first = client.call(slow, inner("a"))
                async let second = client.call(slow, inner("b"))
                // Both handlers must be running at once before either can finish.
                while started.count < 2 { try await Task.sleep(for: .milliseconds(5)) }
                // With both blocked, another call is still answered.
                #expect(try await client.call(echo, inner("c")).label == "C")
                gate.open()
                #expect(try await first.label == "a")
                #expect(try await second.label == "b")
            }
        }
    }

    @Test("a handler's error reaches the caller with its code and every field violation")
    func errorsCarryViolations() async throws {
        var handlers = RPCHandlers()
        handlers.register(echo) { _, _ in
            throw RPCError.invalidArgument([("name", "must not be empty"), ("phone", "must be 11 digits")])
        }
        try await withServer(handlers) { server in
            try await withClient([server.endpoint]) { client in
                let error = await #expect(throws: RPCError.self) { try await client.call(echo, inner("x")) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.violations.map(\.field) == ["name", "phone"])
                #expect(error?.message == "2 fields are invalid")
            }
        }
    }

    @Test("a bug's detail stays in the server's log: the caller gets INTERNAL with an incident number only")
    func internalDetailStaysInTheLog() async throws {
        struct Bug: Error, CustomStringConvertible { var description: String { "SELECT secret FROM /var/lib/xieshang/x.sqlite" } }
        var handlers = RPCHandlers()
        handlers.register(echo) { _, _ in throw Bug() }
        let log = CapturedLog()
        let message = try await withServer(handlers, logger: log.logger()) { server in
            try await withClient([server.endpoint]) { client in
                let error = await #expect(throws: RPCError.self) { try await client.call(echo, inner("x")) }
                #expect(error?.code == .internal)
                #expect(error?.message.contains("incident") == true && error?.message.contains("SELECT") == false, "\(String(describing: error))")
                return error?.message ?? ""
            }
        }
        // The operator finds the detail in the log by the incident number the caller was given.
        let logged = log.all.filter { $0.level == .error && $0.message == "internal error" }
        try #require(logged.count == 1, "\(log.all.map(\.message))")
        let incident = try #require(logged[0].metadata["rpc.incident"])
        #expect(message.contains("(incident \(incident);"), "\(message)")
        #expect(logged[0].metadata["error"]?.contains("SELECT secret FROM /var/lib/xieshang/x.sqlite") == true, "\(logged[0].metadata)")
        #expect(logged[0].metadata["rpc.method"] == echo.name)
    }

    @Test("a call past its deadline fails with DEADLINE_EXCEEDED and is not retried")
    func deadlineExpiry() async throws {
        let calls = Counter()
        var handlers = RPCHandlers()
        handlers.register(slow) { request, _ in
            calls.increment()
            try await Task.sleep(for: .seconds(3))
            return request
        }
        try await withServer(handlers) { server in
            try await withClient([server.endpoint]) { client in
                let error = await #expect(throws: RPCError.self) {
                    try await client.call(slow, inner("x"), options: CallOptions(timeout: .seconds(2)))
                }
                #expect(error?.code == .deadlineExceeded)
            }
        }
        // Not retried: the handler ran once, or (on a machine so loaded that the call waited
        // past its deadline before starting) not at all, which the server does on purpose.
        #expect(calls.count <= 1)
    }

    @Test("the remaining time propagates: a handler's call to another service gets no more than what is left")
    func deadlinePropagation() async throws {
        let seenRemaining = Mutex<Duration?>(nil)
        let gate = Gate()
        let downstream = gatedHandlers(gate, onStart: { context in seenRemaining.withLock { $0 = context.remaining } }, answer: { $0 })
        // Five seconds: on a loaded machine (the whole suite in parallel on two cores) 600 ms,
        // and once even two seconds, were too little for the call to reach the second server.
        try await withServer(downstream) { back in
            try await withClient([back.endpoint]) { backClient in
                var upstream = RPCHandlers()
                upstream.register(relay) { request, context in
                    // No timeout given: the call inherits this handler's deadline.
                    try await backClient.call(slow, request)
                }
                try await withServer(upstream) { front in
                    try await withClient([front.endpoint]) { client in
                        let error = await #expect(throws: RPCError.self) {
                            try await client.call(relay, inner("x"), options: CallOptions(timeout: .seconds(5)))
                        }
                        #expect(error?.code == .deadlineExceeded)
                    }
                }
                gate.open()
            }
        }
        let remaining = try #require(seenRemaining.withLock { $0 })
        #expect(remaining <= .seconds(5))
        #expect(remaining > .zero)
    }

    @Test("a read whose attempt times out is retried inside the call's deadline")
    func readRetriedAfterAttemptTimeout() async throws {
        let calls = Counter()
        var handlers = RPCHandlers()
        handlers.register(slow) { request, _ in
            // The first attempt hangs; the retry is answered at once.
            if calls.increment() == 1 { try await Task.sleep(for: .seconds(20)) }
            return request
        }
        let reply = try await withServer(handlers) { server in
            try await withClient([server.endpoint]) { client in
                // Attempts of 2 s: long enough for a quick answer while the whole suite
                // loads both cores (600 ms was not, four times in a row, in one run), far
                // shorter than the hanging first attempt.
                var options = CallOptions(timeout: .seconds(20), isRead: true)
                options.perAttemptTimeout = .seconds(2)
                return try await client.call(slow, inner("x"), options: options)
            }
        }
        #expect(reply.label == "x")
        // Retried at least once; on a loaded machine the quick second attempt can itself
        // outlast its 2 s and a third one answers.
        #expect(calls.count >= 2)
    }

    @Test("calls made while the service is down succeed once it comes up, within their deadline")
    func retriesUntilServiceComesUp() async throws {
        // A port outside the ephemeral range: a freed `:*` port could be taken at once by
        // another test running in parallel.
        let endpoint = "tcp://127.0.0.1:\(try freeLoopbackPort())"
        let calls = Counter()
        try await withClient([endpoint], configure: { $0.retry.maxAttempts = 20 }) { client in
            let reply = Task { try await client.call(echo, inner("early"), options: CallOptions(timeout: .seconds(10))) }
            try await Task.sleep(for: .milliseconds(400))
            let label = try await withServer(echoHandlers(calls: calls), configure: { $0.endpoint = endpoint }) { _ in
                try await reply.value.label
            }
            #expect(label == "EARLY")
        }
        #expect(calls.count == 1)
    }

    @Test("a field left empty or a message not given is REQUIRED; another rule's violation has no reason")
    func requiredReason() {
        let error = RPCError.invalidArgument([("title", RPCError.FieldProblem.empty), ("meeting", RPCError.FieldProblem.missing), ("end_ms", "must be after start_ms")])
        #expect(error.violations.map(\.reason) == ["REQUIRED", "REQUIRED", ""])
        #expect(error.violations.map(\.description) == ["must not be empty", "is required", "must be after start_ms"])
    }

    @Test("a text the wire rules refuse names its field and, for a program, why: TEXT_TOO_LONG, FORBIDDEN_CHARACTER; the handler never runs")
    func textRefusalReasons() async throws {
        let calls = Counter()
        try await withServer(echoHandlers(calls: calls), configure: { $0.textPolicy = WireTextPolicy(singleLine: .singleLine(12)) }) { server in
            try await withClient([server.endpoint]) { client in
                for (label, reason) in [("十个汉字太长了吧", "TEXT_TOO_LONG"), ("红\u{1B}[31m", "FORBIDDEN_CHARACTER"), ("张\u{200B}伟", "FORBIDDEN_CHARACTER")] {
                    let error = await #expect(throws: RPCError.self) { try await client.call(echo, inner(label)) }
                    #expect(error?.code == .invalidArgument)
                    let violations = error?.violations ?? []
                    #expect(violations.count == 1 && violations.first?.field == "label")
                    let got = violations.first?.reason ?? ""
                    #expect(got == reason, "\(label.debugDescription)")
                }
                let short = try await client.call(echo, inner("短"))
                #expect(short.label == "短")
            }
        }
        #expect(calls.count == 1)
    }

    @Test("a refusal said in Chinese reaches the caller beside its English, and a NUL in it is shown as \\0")
    func localizedRefusal() async throws {
        var handlers = RPCHandlers()
        handlers.register(echo) { request, _ in
            let title = request.label == "nul" ? "座\u{0}谈" : request.label
            throw RPCError(.failedPrecondition, "meeting 7 is already closed", localized: "「\(title)」已结束，不能再请假。")
        }
        try await withServer(handlers) { server in
            try await withClient([server.endpoint]) { client in
                let error = await #expect(throws: RPCError.self) { try await client.call(echo, inner("座谈会")) }
                #expect(error?.code == .failedPrecondition)
                #expect(error?.message == "meeting 7 is already closed")
                #expect(error?.localizedMessage == "「座谈会」已结束，不能再请假。")
                let quoted = await #expect(throws: RPCError.self) { try await client.call(echo, inner("nul")) }
                #expect(quoted?.code == .failedPrecondition)
                #expect(quoted?.localizedMessage == "「座\\0谈」已结束，不能再请假。")
            }
        }
    }

    @Test("an error message that quotes a NUL from the input keeps its code, the NUL shown as \\0")
    func nulInErrorMessage() async throws {
        var handlers = RPCHandlers()
        handlers.register(echo) { _, _ in throw RPCError.invalidArgument([("label", "bad: a\u{0}b")]) }
        try await withServer(handlers) { server in
            try await withClient([server.endpoint]) { client in
                let error = await #expect(throws: RPCError.self) { try await client.call(echo, inner("x")) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message == "label: bad: a\\0b")
                #expect(error?.violations.first?.description == "bad: a\\0b")
            }
        }
    }

    @Test("a call to a service that is down fails with UNAVAILABLE, not a hang")
    func unavailable() async throws {
        // Port 1 (tcpmux) is privileged and unused: nobody listens. (An ephemeral port that
        // was bound and closed can be taken at once by another test running in parallel.)
        let endpoint = "tcp://127.0.0.1:1"
        try await withClient([endpoint]) { client in
            // UNAVAILABLE is retried with backoff while the deadline allows, then returned as
            // itself (not DEADLINE_EXCEEDED): the retry gives up before the deadline. What is
            // checked against the clock is only "not a hang", with room for a loaded machine.
            var options = CallOptions()
            options.timeout = .seconds(2)
            let started = ContinuousClock.now
            let error = await #expect(throws: RPCError.self) { try await client.call(echo, inner("x"), options: options) }
            #expect(error?.code == .unavailable)
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    @Test("a flood past the in-flight bound gets RESOURCE_EXHAUSTED and the server keeps serving")
    func resourceExhausted() async throws {
        let gate = Gate()
        let handlers = gatedHandlers(gate)
        // One client, so its per-connection share is raised to the whole bound here; the
        // share itself is tested with processes (SuiteTests/OverloadTests).
        try await withServer(handlers, configure: { $0.maxInFlight = 4; $0.maxInFlightPerCaller = 4 }) { server in
            try await withClient([server.endpoint]) { client in
                let outcomes = try await withThrowingTaskGroup(of: StatusCode.self) { group in
                    for index in 0..<24 {
                        group.addTask {
                            do {
                                _ = try await client.call(slow, inner("\(index)"))
                                return .ok
                            } catch let error as RPCError {
                                return error.code
                            } catch {
                                return .unknown
                            }
                        }
                    }
                    // Everything past the bound is refused at once; then let the rest finish.
                    while server.metrics.snapshot().count(slow.name, .resourceExhausted) < 20 {
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    gate.open()
                    var outcomes: [StatusCode] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                #expect(outcomes.filter { $0 == .ok }.count == 4)
                #expect(outcomes.filter { $0 == .resourceExhausted }.count == 20)
                #expect(try await client.call(echo, inner("still")).label == "STILL")
            }
        }
    }

    @Test("requests whose bodies together pass the in-flight bytes bound get RESOURCE_EXHAUSTED; one alone is always taken")
    func inFlightBytes() async throws {
        let gate = Gate()
        let handlers = gatedHandlers(gate)
        try await withServer(handlers, configure: { $0.maxInFlightBytes = 64 << 10 }) { server in
            let raw = try RawDealer(server.endpoint)
            defer { raw.close() }
            // A body of 100 KB is over the bound alone, and taken since nothing is in flight;
            // the slow handler holds it until the gate opens.
            var list = inner("list")
            list.children = (0..<100).map { _ in inner(String(repeating: "x", count: 1_000)) }
            let big = try list.encode()
            #expect(big.count > 64 << 10)
            try raw.send([RawDealer.request(slow.name, id: "big", body: big)])
            while server.metrics.snapshot().inFlight < 1 { try await Task.sleep(for: .milliseconds(5)) }
            // Anything more is refused while it is held, small or not.
            try raw.send([RawDealer.request(slow.name, id: "small", body: try inner("y").encode())])
            let refused = try #require(try await raw.reply())
            #expect(refused.requestID == "small" && refused.status?.code == .resourceExhausted)
            #expect(refused.status?.message.contains("bytes of requests in flight") == true, "\(String(describing: refused.status))")
            gate.open()
            let first = try #require(try await raw.reply())
            #expect(first.requestID == "big")
            #expect(try WiretestV1.Inner(decoding: first.body).label == "100")
            // Released: the next is taken.
            try raw.send([RawDealer.request(echo.name, id: "after", body: try inner("after").encode())])
            let after = try #require(try await raw.reply())
            #expect(try WiretestV1.Inner(decoding: after.body).label == "AFTER")
        }
    }

    @Test("one connection holds at most its share of the in-flight bytes; another is still served beside it")
    func inFlightBytesPerCaller() async throws {
        let gate = Gate()
        let handlers = gatedHandlers(gate)
        try await withServer(handlers, configure: { $0.maxInFlightBytes = 256 << 10; $0.maxInFlightBytesPerCaller = 64 << 10 }) { server in
            let flooder = try RawDealer(server.endpoint)
            defer { flooder.close() }
            let other = try RawDealer(server.endpoint)
            defer { other.close() }
            var list = inner("list")
            list.children = (0..<40).map { _ in inner(String(repeating: "x", count: 1_000)) }
            let body = try list.encode()   // about 40 KB: one fits the share, two do not
            try flooder.send([RawDealer.request(slow.name, id: "f1", body: body)])
            while server.metrics.snapshot().inFlight < 1 { try await Task.sleep(for: .milliseconds(5)) }
            try flooder.send([RawDealer.request(slow.name, id: "f2", body: body)])
            let refused = try #require(try await flooder.reply())
            #expect(refused.requestID == "f2" && refused.status?.code == .resourceExhausted)
            #expect(refused.status?.message.contains("near its share") == true, "\(String(describing: refused.status))")
            // Another connection is under the server's bound and its own share: taken.
            try other.send([RawDealer.request(slow.name, id: "o1", body: body)])
            while server.metrics.snapshot().inFlight < 2 { try await Task.sleep(for: .milliseconds(5)) }
            gate.open()
            #expect(try await other.reply()?.requestID == "o1")
            #expect(try await flooder.reply()?.requestID == "f1")
            // The share is given back with the reply.
            try flooder.send([RawDealer.request(slow.name, id: "f3", body: body)])
            #expect(try await flooder.reply()?.requestID == "f3")
        }
    }

    @Test("graceful shutdown drains calls in flight and refuses new ones")
    func gracefulDrain() async throws {
        let gate = Gate()
        let started = Counter()
        let handlers = gatedHandlers(gate, onStart: { _ in started.increment() }, answer: { inner($0.label + " done") })
        let server = try RPCServer(
            configuration: RPCServerConfiguration(serviceName: "drain-test"), handlers: handlers,
            context: testContext, logger: quietLogger())
        let group = ServiceGroup(services: [server], logger: quietLogger())
        let running = Task { try await group.run() }
        try await withClient([server.endpoint]) { client in
            // They wait for the gate while the refusals below are tried: a deadline of their own
            // that a loaded machine cannot reach (the client's 5 s was reached once).
            let inFlight = (0..<5).map { index in
                Task { try await client.call(slow, inner("call \(index)"), options: CallOptions(timeout: .seconds(60))) }
            }
            while started.count < 5 { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            // New work is refused while the five finish.
            var refused: RPCError?
            for _ in 0..<50 where refused == nil {
                do {
                    // Time enough for the refusal to arrive on a loaded machine (300 ms was
                    // not, once: DEADLINE_EXCEEDED instead of the server's UNAVAILABLE).
                    _ = try await client.call(echo, inner("late"), options: CallOptions(timeout: .seconds(3)))
                    try await Task.sleep(for: .milliseconds(10))
                } catch let error as RPCError {
                    refused = error
                } catch {}
            }
            #expect(refused?.code == .unavailable)
            gate.open()
            for (index, call) in inFlight.enumerated() {
                #expect(try await call.value.label == "call \(index) done")
            }
        }
        try await running.value
        #expect(server.metrics.snapshot().count(slow.name, .ok) == 5)
    }

    @Test("every kind of bad frame is answered or dropped, and the server keeps serving")
    func badFrames() async throws {
        try await withServer(echoHandlers()) { server in
            let raw = try RawDealer(server.endpoint)
            defer { raw.close() }

            // Not a request at all: dropped and counted.
            try raw.send([[0xFF, 0xFE, 0x00, 0x01]])
            try raw.send([[]])
            try raw.send([Array("hello".utf8), [0x0A, 0x05]])
            // A request without a request id cannot be answered.
            try raw.send([RawDealer.request(echo.name, id: "")])
            #expect(try await raw.reply(timeoutMs: 300) == nil)

            try raw.send([RawDealer.request("nope.v1.Nothing/Here", id: "r1")])
            let unknown = try #require(try await raw.reply())
            #expect(unknown.requestID == "r1")
            #expect(unknown.status?.code == .unimplemented)

            try raw.send([RawDealer.request(echo.name, id: "r2", body: [0x0A, 0x02, 0xC3, 0x28])])
            let badBody = try #require(try await raw.reply())
            #expect(badBody.status?.code == .invalidArgument)
            #expect(badBody.status?.message.contains("UTF-8") == true)

            try raw.send([RawDealer.request(echo.name, id: "r3", body: [0x12, 0x01])])
            #expect(try await raw.reply()?.status?.code == .invalidArgument)

            try raw.send([RawDealer.request(echo.name, id: "r4", deadlineMs: 0)])
            #expect(try await raw.reply()?.status?.code == .deadlineExceeded)

            // REQ-style framing with an empty delimiter still gets an answer.
            try raw.send([[], RawDealer.request(echo.name, id: "r5", body: inner("ok").encode())])
            let framed = try #require(try await raw.reply())
            #expect(try WiretestV1.Inner(decoding: framed.body).label == "OK")

            #expect(server.metrics.snapshot().droppedFrames == 4)
            let after = try await withClient([server.endpoint]) { client in
                try await client.call(echo, inner("after"))
            }
            #expect(after.label == "AFTER")
        }
    }

    @Test("a body that says one field too often, or nests small fields too deeply in a long list, is refused before it is unpacked; the server keeps serving")
    func occurrenceAndMemoryBounds() async throws {
        // Bounds a hundredth of the defaults, so the bodies stay small (this suite shares its
        // process, and its two cooperative threads, with every other unit test).
        try await withServer(echoHandlers(), configure: { $0.maxRepeated = 100; $0.maxDecodeMemory = 64 << 10 }) { server in
            let raw = try RawDealer(server.endpoint)
            defer { raw.close() }
            // weight (field 2) said 101 times: one over the server's maxRepeated.
            let often = Array(repeating: [0x10, 0x01] as [UInt8], count: 101).flatMap { $0 }
            try raw.send([RawDealer.request(echo.name, id: "often", body: often)])
            let refused = try #require(try await raw.reply())
            #expect(refused.status?.code == .invalidArgument)
            #expect(refused.status?.message.contains("given more than 100 times") == true, "\(String(describing: refused.status))")
            #expect(refused.status?.violations.map(\.field) == ["weight"])
            // 100 children, each saying weight 100 times: within every count, 20 KB, and about
            // 330 KiB for protobuf-c to unpack (a record of every field it meets); the bound
            // of 64 KiB refuses it.
            let child: [UInt8] = [0x1A, 0xC8, 0x01] + Array(repeating: [0x10, 0x01] as [UInt8], count: 100).flatMap { $0 }
            try raw.send([RawDealer.request(echo.name, id: "nested", body: Array(repeating: child, count: 100).flatMap { $0 })])
            let complex = try #require(try await raw.reply())
            #expect(complex.status?.code == .invalidArgument)
            #expect(complex.status?.message.contains("would take more than 65536 bytes") == true, "\(String(describing: complex.status))")
            // 100 ordinary children pass.
            var many = inner("many")
            many.children = (0..<100).map { inner("第\($0)位", Int32($0)) }
            try raw.send([RawDealer.request(echo.name, id: "many", body: try many.encode())])
            let served = try #require(try await raw.reply())
            #expect(try WiretestV1.Inner(decoding: served.body).label == "MANY")
            #expect(server.metrics.snapshot().count(echo.name, .invalidArgument) == 2)
            // The envelope is held to the same: a caller (field 5) said 101 times is not a
            // request (dropped, as a frame without a request id is).
            let envelope = try RawDealer.request(echo.name, id: "envelope", body: inner("x").encode())
                + Array(repeating: [0x2A, 0x01, 0x61] as [UInt8], count: 101).flatMap { $0 }
            try raw.send([envelope])
            #expect(try await raw.reply(timeoutMs: 500) == nil)
            #expect(server.metrics.snapshot().droppedFrames == 1)
        }
    }

    @Test("what a caller sends beside the body is held to single-line text and its bounds, named in the refusal; plain ids pass")
    func envelopeRefusals() async throws {
        let calls = Counter()
        try await withServer(echoHandlers(calls: calls)) { server in
            let raw = try RawDealer(server.endpoint)
            defer { raw.close() }
            func send(_ edit: (inout RpcV1.Request) -> Void) async throws -> RpcV1.Response {
                var request = RpcV1.Request()
                request.method = echo.name
                request.requestID = "r-1"
                request.deadlineMs = 5_000
                request.body = try inner("x").encode()
                edit(&request)
                try raw.send([try request.encode()])
                return try #require(try await raw.reply())
            }
            let refused: [(String, (inout RpcV1.Request) -> Void)] = [
                ("request_id holds the control character U+001B", { $0.requestID = "r\u{1B}[2J" }),
                ("trace_id holds the bidirectional override U+202E", { $0.traceID = "t\u{202E}1" }),
                ("caller holds a line break or tab (U+000A), which single-line text may not hold", { $0.caller = "gateway\nadmin" }),
                ("caller holds the zero-width character U+200B", { $0.caller = "gate\u{200B}way" }),
                ("caller holds the control character U+007F", { $0.caller = "gateway\u{7F}" }),
                ("request_id is 129 bytes, over its limit of 128 bytes", { $0.requestID = String(repeating: "a", count: 129) }),
                ("metadata has 33 entries, over its limit of 32", { request in
                    request.metadata = (0..<33).map { var entry = RpcV1.MetadataEntry(); entry.key = "k\($0)"; entry.value = "v"; return entry }
                }),
            ]
            for (message, edit) in refused {
                let reply = try await send(edit)
                #expect(reply.status?.code == .invalidArgument && reply.status?.message == message, "\(String(describing: reply.status))")
            }
            #expect(calls.count == 0)
            // Printable ASCII and other text pass: an id of every printable character, a caller in Chinese.
            let printable = String(String.UnicodeScalarView((0x20...0x7E).compactMap(Unicode.Scalar.init)))
            for edit: (inout RpcV1.Request) -> Void in [{ $0.requestID = String(printable.prefix(128)) }, { $0.caller = "秘书处的网关" }] {
                let reply = try await send(edit)
                #expect(reply.status?.code == .ok, "\(String(describing: reply.status))")
            }
            #expect(calls.count == 2)
        }
    }

    @Test("Health/Check and Reflection/Describe are on every server")
    func builtIns() async throws {
        try await withServer(echoHandlers()) { server in
            try await withClient([server.endpoint]) { client in
                let health = try await client.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
                #expect(health.status == .serving)
                #expect(health.service == "test-service")
                #expect(health.storageOk)
                let describe = try await client.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest())
                #expect(describe.methods.map(\.name) == [
                    "rpc.v1.Health/Check", "rpc.v1.Reflection/Describe", "test.v1.Echo/Echo",
                ])
                #expect(describe.methods.last?.requestType == "xieshang.wiretest.v1.Inner")
            }
        }
    }

    @Test("a client spreads calls over several replicas of a service")
    func replicas() async throws {
        let first = Counter()
        let second = Counter()
        try await withServer(echoHandlers(calls: first)) { a in
            try await withServer(echoHandlers(calls: second)) { b in
                try await withClient([a.endpoint, b.endpoint]) { client in
                    // Let both connections come up before the burst.
                    _ = try await client.call(echo, inner("warm"))
                    try await Task.sleep(for: .milliseconds(200))
                    for index in 0..<40 { _ = try await client.call(echo, inner("\(index)")) }
                }
            }
        }
        #expect(first.count + second.count == 41)
        #expect(first.count >= 10)
        #expect(second.count >= 10)
    }
}
