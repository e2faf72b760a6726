import Logging
import Synchronization
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

// testContext, quietLogger and freeLoopbackPort come from XieshangTestSupport.

/// The echo method the tests serve: label upper-cased, weight plus one.
let echo = WireMethod<WiretestV1.Inner, WiretestV1.Inner>("test.v1.Echo/Echo")
let slow = WireMethod<WiretestV1.Inner, WiretestV1.Inner>("test.v1.Echo/Slow")
let relay = WireMethod<WiretestV1.Inner, WiretestV1.Inner>("test.v1.Echo/Relay")

func inner(_ label: String, _ weight: Int32 = 0) -> WiretestV1.Inner {
    var value = WiretestV1.Inner()
    value.label = label
    value.weight = weight
    return value
}

/// Runs a server for the duration of `body`, then cancels it (which drains it) and waits.
func withServer<T>(
    _ handlers: RPCHandlers,
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    logger: Logger = quietLogger(),
    _ body: (RPCServer) async throws -> T
) async throws -> T {
    var configuration = RPCServerConfiguration(serviceName: "test-service")
    configure(&configuration)
    let server = try RPCServer(configuration: configuration, handlers: handlers, context: testContext, logger: logger)
    let task = Task { try await server.run() }
    do {
        let result = try await body(server)
        task.cancel()
        try await task.value
        return result
    } catch {
        task.cancel()
        try? await task.value
        throw error
    }
}

func withClient<T>(
    _ endpoints: [String],
    configure: (inout RPCClientConfiguration) -> Void = { _ in },
    _ body: (RPCClient) async throws -> T
) async throws -> T {
    var configuration = RPCClientConfiguration(endpoints: endpoints, caller: "tests")
    configure(&configuration)
    let client = try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}

/// A gate tasks wait on until the test opens it.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A counter shared between handlers and the test.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    @discardableResult func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
    var count: Int { value.load(ordering: .relaxed) }
}

func echoHandlers(calls: Counter = Counter()) -> RPCHandlers {
    var handlers = RPCHandlers()
    handlers.register(echo) { request, _ in
        calls.increment()
        return inner(request.label.uppercased(), request.weight + 1)
    }
    return handlers
}

/// `echoHandlers()` and `slow`, which waits until `gate` opens: requests held in flight for
/// as long as a test wants. `onStart` sees each call of `slow` as it starts; the reply is
/// `answer` of the request (by default, how many children it had).
func gatedHandlers(
    _ gate: Gate,
    onStart: @escaping @Sendable (RPCCallContext) -> Void = { _ in },
    answer: @escaping @Sendable (WiretestV1.Inner) -> WiretestV1.Inner = { inner("\($0.children.count)") }
) -> RPCHandlers {
    var handlers = echoHandlers()
    handlers.register(slow) { request, context in
        onStart(context)
        await gate.wait()
        return answer(request)
    }
    return handlers
}

/// A raw DEALER socket that sends whatever a test wants, and reads replies.
final class RawDealer {
    let socket: ZMQSocket

    init(_ endpoint: String) throws {
        socket = try testContext.socket(.dealer)
        try socket.connect(endpoint)
    }

    func send(_ frames: [[UInt8]]) throws {
        _ = try socket.send(frames, wait: true)
    }

    /// The next reply, or nil if none comes within `timeoutMs`. Waits without blocking a
    /// thread of the cooperative pool, which the server's handlers need.
    func reply(timeoutMs: Int = 5_000) async throws -> RpcV1.Response? {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while ContinuousClock.now < deadline {
            if let frames = try socket.receive(), let last = frames.last {
                return try RpcV1.Response(decoding: last)
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }

    func close() { socket.close(linger: 0) }

    static func request(_ method: String, id: String, deadlineMs: UInt32 = 5_000, body: [UInt8] = []) throws -> [UInt8] {
        var request = RpcV1.Request()
        request.method = method
        request.requestID = id
        request.deadlineMs = deadlineMs
        request.body = body
        return try request.encode()
    }
}
