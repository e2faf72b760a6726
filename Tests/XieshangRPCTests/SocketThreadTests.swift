import Dispatch
import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

/// Where handlers and callers run: on the socket threads, woken only when work comes from
/// another thread, and never left waiting for a wake-up that was lost.
@Suite("handlers and callers on the socket threads")
struct SocketThreadTests {
    /// The kernel's name of the thread this code runs on.
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .newlines)
    }

    @Test("a wake-up signalled from many threads is never lost: every item queued is taken without waiting for a timeout")
    func wakeSignalLosesNothing() async throws {
        let wake = WakeSignal()
        let queue = Mutex<Int>(0)
        let producers = 4, items = 50_000
        let finished = ThreadCompletion()
        let outcome = Mutex<(taken: Int, stalls: Int)>((0, 0))
        Thread.start(named: "xs-wake-consumer") {
            var poller = ZMQPoller([.fd(wake.readFD)])
            var taken = 0, stalls = 0
            while taken < producers * items {
                // A poll that times out with items waiting is a lost wake-up.
                let readable = (try? poller.poll(timeoutMs: 500)) ?? [false]
                if readable[0] { wake.drain() }
                let now = queue.withLock { count -> Int in defer { count = 0 }; return count }
                if !readable[0] && now > 0 { stalls += 1 }
                taken += now
                if stalls > 20 { break }
            }
            outcome.withLock { $0 = (taken, stalls) }
            finished.finish()
        }
        DispatchQueue.concurrentPerform(iterations: producers) { _ in
            for _ in 0..<items {
                queue.withLock { $0 += 1 }
                wake.signal()
            }
        }
        await finished.wait()
        let (taken, stalls) = outcome.withLock { $0 }
        #expect(taken == producers * items)
        #expect(stalls == 0, "polls that timed out with work waiting: \(stalls)")
    }

    @Test("a handler that waits on nothing runs on the server's socket thread; one resumed from another thread comes back to it")
    func handlersRunOnTheSocketThread() async throws {
        let hop = WireMethod<WiretestV1.Inner, WiretestV1.Inner>("test.v1.Echo/Hop")
        let heavy = WireMethod<WiretestV1.Inner, WiretestV1.Inner>("test.v1.Echo/Heavy")
        var handlers = RPCHandlers()
        handlers.register(heavy) { _, _ in
            let during = try await offSocketThread { Self.threadName() }
            return inner(during + " " + Self.threadName())
        }
        handlers.register(echo) { _, _ in inner(Self.threadName()) }
        handlers.register(hop) { _, _ in
            // Resumed by a Dispatch thread, as a database queue resumes a handler.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { continuation.resume() }
            }
            return inner(Self.threadName())
        }
        try await withServer(handlers, configure: { $0.serviceName = "threads" }) { server in
            try await withClient([server.endpoint]) { client in
                #expect(try await client.call(echo, inner("")).label == "rpc-threads")
                #expect(try await client.call(hop, inner("")).label == "rpc-threads")
                // A heavy step runs elsewhere, and the handler comes back to the socket thread.
                let heavyNames = try await client.call(heavy, inner("")).label.split(separator: " ")
                #expect(heavyNames.count == 2 && heavyNames[0] != "rpc-threads" && heavyNames[1] == "rpc-threads", "\(heavyNames)")
                // Many at once, each resumed from elsewhere: none is left behind.
                try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<200 { group.addTask { try await client.call(hop, inner("")).label } }
                    var names: [String: Int] = [:]
                    for try await name in group { names[name, default: 0] += 1 }
                    #expect(names == ["rpc-threads": 200])
                }
            }
        }
    }

    @Test("a burst of calls larger than a turn of the server's loop (requestsPerTurn) is answered whole, each call its own reply")
    func burstsLargerThanATurn() async throws {
        for perTurn in [1, 3] {
            try await withServer(echoHandlers(), configure: { $0.requestsPerTurn = perTurn }) { server in
                try await withClient([server.endpoint]) { client in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for n in 0..<200 {
                            group.addTask {
                                let reply = try await client.call(echo, inner("b\(n)", Int32(n)))
                                #expect(reply.label == "B\(n)" && reply.weight == Int32(n) + 1)
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                #expect(server.metrics.snapshot().count(echo.name, .ok) == 200)
            }
        }
    }

    /// This process's libzmq I/O threads (named `ZMQbg/IO/N` by libzmq), by thread id.
    static func ioThreads() -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { id in
            let name = (try? String(contentsOfFile: "/proc/self/task/\(id)/comm", encoding: .utf8)) ?? ""
            return name.hasPrefix("ZMQbg/IO/") ? pid_t(id) : nil
        }
    }

    @Test("libzmq's I/O threads run batch-scheduled (a thread that queues a message is not preempted by the one it wakes), unless a context asks otherwise")
    func ioThreadsBatchScheduled() async throws {
        let context = try ZMQContext()
        #expect(context.batchScheduledIO)
        let socket = try context.socket(.dealer)  // the first socket starts the context's I/O thread
        defer {
            socket.close(linger: 0)
            context.terminate()
        }
        // Every context in this process is made with the default; each I/O thread sets its
        // policy as it starts.
        var policies: [Int32] = []
        for _ in 0..<200 {
            // -1: the thread ended between the listing and the question (another test's context).
            policies = Self.ioThreads().map { sched_getscheduler($0) }.filter { $0 >= 0 }
            if !policies.isEmpty && policies.allSatisfy({ $0 == 3 }) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(!policies.isEmpty && policies.allSatisfy { $0 == 3 }, "SCHED_BATCH is 3; the I/O threads' policies: \(policies)")
        let normal = try ZMQContext(batchScheduledIO: false)
        #expect(!normal.batchScheduledIO)
        normal.terminate()
    }

    @Test("cancelling the server's run cancels a handler still waiting, and the server stops")
    func cancellingRunCancelsHandlers() async throws {
        let parked = WireMethod<WiretestV1.Inner, WiretestV1.Inner>("test.v1.Echo/Parked")
        let started = Counter()
        let cancelled = Counter()
        var handlers = RPCHandlers()
        handlers.register(parked) { _, _ in
            started.increment()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.increment()
                throw RPCError(.cancelled, "the server stopped")
            }
            return inner("slept")
        }
        let server = try RPCServer(configuration: RPCServerConfiguration(serviceName: "parked"), handlers: handlers,
                                   context: testContext, logger: quietLogger())
        let running = Task { try await server.run() }
        try await withClient([server.endpoint]) { client in
            let call = Task { () -> StatusCode in
                do throws(RPCError) {
                    _ = try await client.call(parked, inner(""), options: CallOptions(timeout: .seconds(30)))
                    return .ok
                } catch {
                    return error.code
                }
            }
            while started.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
            let stopAsked = ContinuousClock.now
            running.cancel()
            try await running.value
            #expect(ContinuousClock.now - stopAsked < .seconds(10), "the server waited for the 60-second handler")
            #expect(cancelled.count == 1)
            #expect(await call.value == .cancelled)
        }
    }

    @Test("callers on the client's thread make their calls and get their replies there, and go on after the client closes")
    func callersOnTheClientThread() async throws {
        try await withServer(echoHandlers()) { server in
            var configuration = RPCClientConfiguration(endpoints: [server.endpoint], caller: "tests")
            configuration.retry.maxAttempts = 1
            let client = try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
            let names = try await withTaskExecutorPreference(client.executor) {
                try await withThrowingTaskGroup(of: String.self) { group in
                    for task in 0..<16 {
                        group.addTask {
                            for call in 0..<20 {
                                let reply = try await client.call(echo, inner("c\(task)-\(call)", Int32(call)))
                                #expect(reply.label == "C\(task)-\(call)")
                            }
                            return Self.threadName()
                        }
                    }
                    var names: Set<String> = []
                    for try await name in group { names.insert(name) }
                    return names
                }
            }
            #expect(names == ["rpc-client"])
            // The thread stops with the client; a task that prefers it runs on elsewhere.
            let after = await withTaskExecutorPreference(client.executor) { () -> StatusCode? in
                await client.close()
                try? await Task.sleep(for: .milliseconds(10))
                do throws(RPCError) {
                    _ = try await client.call(echo, inner("late"))
                    return nil
                } catch {
                    return error.code
                }
            }
            #expect(after == .cancelled)
        }
    }
}
