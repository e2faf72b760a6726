import Foundation
import Logging
import Synchronization
import XieshangWire
import XieshangZMQ

/// Retries after gRPC's A6 design: only `UNAVAILABLE` (and `DEADLINE_EXCEEDED` of one
/// attempt of a read with a per-attempt timeout), at most `maxAttempts` attempts inside
/// the call's one deadline, with exponential backoff and full jitter.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int = 5
    public var initialBackoff: Duration = .milliseconds(50)
    public var maxBackoff: Duration = .seconds(1)
    public var multiplier: Double = 2

    public init() {}

    /// The pause before attempt `attempt + 1` (attempt counts from 1): uniform in
    /// [0, min(maxBackoff, initialBackoff · multiplier^(attempt-1))].
    func backoff(after attempt: Int) -> Duration {
        let ceiling = min(maxBackoff, initialBackoff * pow(multiplier, Double(attempt - 1)))
        return ceiling * Double.random(in: 0...1)
    }
}

/// How a client connects and what every call gets unless it says otherwise.
public struct RPCClientConfiguration: Sendable {
    /// Endpoints of replicas of one service; the DEALER socket spreads calls over them.
    public var endpoints: [String]
    /// The calling program, sent with every request (informative only).
    public var caller: String
    /// A call's deadline when neither the call nor the handler it runs in sets one.
    public var defaultTimeout: Duration = .seconds(5)
    public var retry = RetryPolicy()
    public var maxMessageBytes: Int = 4 << 20
    /// The client's CURVE keys and the server's public key; nil connects in the clear.
    public var security: ClientSecurity?

    public init(endpoints: [String], caller: String) {
        self.endpoints = endpoints
        self.caller = caller
    }
}

/// What one call may override.
public struct CallOptions: Sendable {
    /// Time allowed for the whole call, retries included.
    public var timeout: Duration?
    /// An absolute deadline; wins over `timeout`.
    public var deadline: ContinuousClock.Instant?
    /// A read may also be retried when one attempt exceeds `perAttemptTimeout`.
    public var isRead: Bool = false
    public var perAttemptTimeout: Duration?
    public var metadata: [String: String] = [:]
    /// The request id of the logical call; set it to make a call after a crash return
    /// the reply stored for the first one. Default: a new id per call, UUID-shaped
    /// (`CallIdentifiers`).
    public var requestID: String?
    /// For the portal's key only: the member or unit the call is made for (`member:13`).
    public var onBehalfOf: String?

    public init(timeout: Duration? = nil, isRead: Bool = false) {
        self.timeout = timeout
        self.isRead = isRead
    }

    public static let read = CallOptions(isRead: true)
}

/// A DEALER-socket RPC client. Safe to call from many tasks at once: one thread owns the
/// socket, calls hand it their request and wait for the reply with the same request id.
///
/// `init` connects and starts that thread; `close()` stops it. A call inside a handler
/// takes the handler's deadline and trace id (`RPCCallContext.current`), so the remaining
/// time propagates.
public final class RPCClient: Sendable {
    public let configuration: RPCClientConfiguration
    private let io: ClientIO
    private let identifiers = CallIdentifiers()

    public init(configuration: RPCClientConfiguration, context: ZMQContext, logger: Logger) throws(ZMQError) {
        precondition(!configuration.endpoints.isEmpty, "an RPC client needs at least one endpoint")
        self.configuration = configuration
        io = try ClientIO(configuration: configuration, context: context, logger: logger)
    }

    /// The client's socket thread as an executor. A task that prefers it
    /// (`withTaskExecutorPreference(client.executor)`) hands its requests to the socket and
    /// resumes with its replies on that one thread, with no other thread woken on the way:
    /// what loadtest's callers do. Any other task may call too, from wherever it runs.
    public var executor: any TaskExecutor { io.executor }

    /// Stops the socket thread; calls still waiting fail with `CANCELLED`.
    public func close() async {
        await io.stop()
    }

    /// Calls `method`, retrying per the policy, and decodes the reply.
    public func call<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, _ request: Request, options: CallOptions = CallOptions()
    ) async throws(RPCError) -> Response {
        let body: [UInt8]
        do throws(WireError) {
            body = try request.encode()
        } catch {
            throw RPCError(.invalidArgument, "the request could not be encoded: \(error.message)")
        }
        let reply = try await call(method: method.name, body: body, options: options)
        do throws(WireError) {
            return try Response(decoding: reply, limits: WireLimits(maxBytes: configuration.maxMessageBytes))
        } catch {
            throw RPCError(.internal, "the reply of \(method.name) is not a valid \(Response.wireName): \(error.message)")
        }
    }

    /// Calls a method by name with an already encoded body; returns the reply's body.
    public func call(method: String, body: [UInt8], options: CallOptions = CallOptions()) async throws(RPCError) -> [UInt8] {
        // A request the server's socket would drop with the connection (ZMQ_MAXMSGSIZE)
        // would look like an outage: refuse it here, naming the limit. The envelope adds
        // the method, the ids and the metadata; 64 KiB covers them.
        let budget = configuration.maxMessageBytes - (64 << 10)
        if body.count > budget {
            throw RPCError(.resourceExhausted, "the request to \(method) is \(body.count) bytes, over the \(budget) bytes one message may carry; send less at once (the gateway splits imports and pages exports)")
        }
        let current = RPCCallContext.current
        let now = ContinuousClock.now
        var deadline = options.deadline ?? now + (options.timeout ?? configuration.defaultTimeout)
        if let inherited = current?.deadline, inherited < deadline { deadline = inherited }

        var request = RpcV1.Request()
        request.method = method
        request.requestID = options.requestID ?? identifiers.nextRequestID()
        request.traceID = current?.traceID ?? identifiers.nextTraceID()
        request.caller = configuration.caller
        request.body = body
        request.onBehalfOf = options.onBehalfOf ?? ""
        request.metadata = options.metadata.sorted { $0.key < $1.key }.map {
            var entry = RpcV1.MetadataEntry()
            entry.key = $0.key
            entry.value = $0.value
            return entry
        }

        var attempt = 1
        // When time runs out during retries, the caller learns why the attempts failed
        // (e.g. UNAVAILABLE) rather than only that the time is up.
        var lastRetried: RPCError?
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else {
                if let last = lastRetried { throw last.noting(attempts: attempt - 1) }
                throw RPCError(.deadlineExceeded, "\(method): deadline passed after \(attempt - 1) attempt(s)")
            }
            var attemptDeadline = deadline
            if options.isRead, let perAttempt = options.perAttemptTimeout, .now + perAttempt < deadline {
                attemptDeadline = .now + perAttempt
            }
            request.deadlineMs = UInt32(clamping: max(1, (attemptDeadline - .now).milliseconds))
            let result = await io.send(request, deadline: attemptDeadline)
            let error: RPCError
            switch result {
            case .success(let response):
                let status = response.status ?? RpcV1.Status()
                if status.code == .ok { return response.body }
                error = RPCError(status)
            case .failure(let failure):
                error = failure
            }
            if error.code == .deadlineExceeded, attemptDeadline >= deadline, let last = lastRetried {
                throw last.noting(attempts: attempt)
            }
            guard error.code.isRetryable(read: options.isRead), attempt < configuration.retry.maxAttempts else {
                throw error
            }
            lastRetried = error
            let pause = configuration.retry.backoff(after: attempt)
            guard ContinuousClock.now + pause < deadline else { throw error.noting(attempts: attempt) }
            do {
                try await Task.sleep(for: pause)
            } catch {
                throw RPCError(.cancelled, "\(method): cancelled while waiting to retry")
            }
            attempt += 1
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

/// The client's socket thread and the queue of work handed to it.
final class ClientIO: Sendable {
    typealias Reply = Result<RpcV1.Response, RPCError>

    private enum Command {
        case send(id: String, bytes: [UInt8], deadline: ContinuousClock.Instant, reply: CheckedContinuation<Reply, Never>)
        case cancel(id: String)
    }

    private let commands = Mutex<(queue: [Command], stopped: Bool)>(([], false))
    private let wake = WakeSignal()
    let executor: SocketThreadExecutor
    private let done = ThreadCompletion()
    private let logger: Logger
    private let describe: String
    private let hasKeys: Bool

    init(configuration: RPCClientConfiguration, context: ZMQContext, logger: Logger) throws(ZMQError) {
        self.logger = logger
        describe = configuration.endpoints.joined(separator: ", ")
        hasKeys = configuration.security != nil
        executor = SocketThreadExecutor(wake: wake)
        let dealer = try context.socket(.dealer)
        var monitorSocket: ZMQSocket?
        do {
            try dealer.applyHygiene(maxMessageBytes: Int64(configuration.maxMessageBytes), lingerMs: 0)
            // Queue only on connections that are up, so a call to a service that is down
            // fails at once with UNAVAILABLE instead of waiting for its deadline.
            try dealer.set(ZMQOption.immediate, Int32(1))
            try dealer.set(ZMQOption.reconnectInterval, Int32(100))
            try dealer.set(ZMQOption.reconnectIntervalMax, Int32(1_000))
            try configuration.security?.apply(to: dealer)
            let monitorEndpoint = "inproc://xieshang-client-monitor-\(UUID().uuidString)"
            try dealer.monitor(monitorEndpoint, events: ZMQEvent.disconnected | ZMQEvent.connected
                | ZMQEvent.handshakeSucceeded | ZMQEvent.handshakeFailedAuth | ZMQEvent.handshakeFailedProtocol
                | ZMQEvent.handshakeFailedNoDetail)
            let pair = try context.socket(.pair)
            monitorSocket = pair
            try pair.connect(monitorEndpoint)
            for endpoint in configuration.endpoints { try dealer.connect(endpoint) }
        } catch {
            dealer.stopMonitor()
            dealer.close(linger: 0)
            monitorSocket?.close(linger: 0)
            throw error
        }
        let monitor = monitorSocket!
        let sockets = SocketPair(dealer: dealer, monitor: monitor)
        Thread.start(named: "rpc-client") { [self] in
            let (dealer, monitor) = sockets.take()
            executor.adoptCurrentThread()
            loop(dealer, monitor)
            executor.close()
            dealer.stopMonitor()
            dealer.close(linger: 0)
            monitor.close(linger: 0)
            done.finish()
        }
    }

    func send(_ request: RpcV1.Request, deadline: ContinuousClock.Instant) async -> Reply {
        let bytes: [UInt8]
        do throws(WireError) {
            bytes = try request.encode()
        } catch {
            return .failure(RPCError(.invalidArgument, "the request could not be encoded: \(error.message)"))
        }
        let id = request.requestID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reply, Never>) in
                let accepted = commands.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.queue.append(.send(id: id, bytes: bytes, deadline: deadline, reply: continuation))
                    return true
                }
                if accepted {
                    // From the socket thread's own jobs, the loop takes it after this batch.
                    if !executor.isOnSocketThread { wake.signal() }
                } else {
                    continuation.resume(returning: .failure(RPCError(.cancelled, "the client is closed")))
                }
            }
        } onCancel: {
            commands.withLock { $0.queue.append(.cancel(id: id)) }
            wake.signal()
        }
    }

    func stop() async {
        commands.withLock { $0.stopped = true }
        wake.signal()
        await done.wait()
    }

    /// How long a request waits for a connection before it fails with UNAVAILABLE.
    static let connectGrace: Duration = .milliseconds(250)

    private struct Waiting {
        let id: String
        let bytes: [UInt8]
        let deadline: ContinuousClock.Instant
        let giveUpAt: ContinuousClock.Instant
        let reply: CheckedContinuation<Reply, Never>
    }

    /// How long after a disconnect the calls sent on it are failed.
    static let disconnectGrace: Duration = .milliseconds(50)

    private struct Pending {
        let reply: CheckedContinuation<Reply, Never>
        let deadline: ContinuousClock.Instant
        let sentAt: ContinuousClock.Instant
    }

    /// Why a handshake fails when the two sides' security does not match.
    static func mismatch(_ describe: String, hasKeys: Bool) -> String {
        hasKeys
            ? "the security handshake with \(describe) failed: wrong server key, or the service runs without CURVE"
            : "\(describe) requires CURVE keys and this client has none"
    }

    private func loop(_ dealer: ZMQSocket, _ monitor: ZMQSocket) {
        var pending: [String: Pending] = [:]
        // Requests not yet taken by any connection: right after connecting, or while the
        // service restarts. They wait up to `connectGrace`, then fail with UNAVAILABLE.
        var waiting: [Waiting] = []
        var lostAt: ContinuousClock.Instant?
        // Why the last handshake failed, until one succeeds: calls that find no connection
        // then fail with UNAUTHENTICATED (not retried) rather than UNAVAILABLE.
        var refusal: String?
        // Handshakes failed without detail since the last one that succeeded.
        var failedWithoutDetail = 0
        let hasKeys = self.hasKeys
        var poller = ZMQPoller([.socket(dealer), .socket(monitor), .fd(wake.readFD)])
        func finish(_ id: String, _ reply: Reply) {
            pending.removeValue(forKey: id)?.reply.resume(returning: reply)
        }
        // Returns how many calls it handed to libzmq.
        @discardableResult func sendWaiting() -> Int {
            let now = ContinuousClock.now
            var still: [Waiting] = []
            var sent = 0
            for call in waiting {
                do {
                    if try dealer.send([call.bytes]) {
                        sent += 1
                        if let previous = pending.updateValue(Pending(reply: call.reply, deadline: call.deadline, sentAt: .now), forKey: call.id) {
                            previous.reply.resume(returning: .failure(RPCError(.aborted, "superseded by a retry")))
                        }
                    } else if now >= call.giveUpAt {
                        if let refusal {
                            call.reply.resume(returning: .failure(RPCError(.unauthenticated, refusal)))
                        } else {
                            call.reply.resume(returning: .failure(RPCError(.unavailable, "no connection to \(describe)")))
                        }
                    } else {
                        still.append(call)
                    }
                } catch {
                    call.reply.resume(returning: .failure(RPCError(.unavailable, "sending to \(describe) failed: \(error)")))
                }
            }
            waiting = still
            return sent
        }
        while true {
            var nearest: ContinuousClock.Instant?
            for call in pending.values where nearest.map({ call.deadline < $0 }) ?? true { nearest = call.deadline }
            var timeout = nearest.map { max(0, min(1000, Int(($0 - .now).milliseconds) + 1)) } ?? 1000
            if !waiting.isEmpty || lostAt != nil { timeout = min(timeout, 10) }
            if executor.hasPending { timeout = 0 }
            let readable: [Bool]
            do {
                readable = try poller.poll(timeoutMs: timeout)
            } catch {
                logger.error("poll failed", metadata: ["error": "\(error)"])
                break
            }
            if readable[2] { wake.drain() }
            if readable[0] {
                while let frames = try? dealer.receive() {
                    guard let last = frames.last, let response = try? RpcV1.Response(decoding: last) else {
                        logger.debug("dropped a reply that is not a Response")
                        continue
                    }
                    finish(response.requestID, .success(response))
                }
            }
            // The callers these replies resumed on this thread run now and queue their next
            // calls, which go out below in the same turn.
            executor.runPending()
            let (queue, stopped) = commands.withLock { state in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.queue, state.stopped)
            }
            for command in queue {
                switch command {
                case .send(let id, let bytes, let deadline, let reply):
                    let grace = min(deadline, ContinuousClock.now + Self.connectGrace)
                    waiting.append(Waiting(id: id, bytes: bytes, deadline: deadline, giveUpAt: grace, reply: reply))
                case .cancel(let id):
                    finish(id, .failure(RPCError(.cancelled, "the call was cancelled")))
                    if let index = waiting.firstIndex(where: { $0.id == id }) {
                        waiting.remove(at: index).reply.resume(returning: .failure(RPCError(.cancelled, "the call was cancelled")))
                    }
                }
            }
            if sendWaiting() > 0 {
                // The I/O thread (batch-scheduled, see ZMQContext) sends this turn's requests
                // in one write now.
                ZMQContext.yieldToIOThreads()
            }
            if stopped {
                for id in Array(pending.keys) { finish(id, .failure(RPCError(.cancelled, "the client was closed"))) }
                for call in waiting { call.reply.resume(returning: .failure(RPCError(.cancelled, "the client was closed"))) }
                break
            }
            if readable[1] {
                var lost = false
                while let event = try? monitor.receive() {
                    guard let first = event.first, first.count >= 2 else { continue }
                    let kind = Int32(first[0]) | Int32(first[1]) << 8
                    switch kind {
                    case ZMQEvent.disconnected: lost = true
                    case ZMQEvent.handshakeSucceeded:
                        refusal = nil
                        failedWithoutDetail = 0
                    case ZMQEvent.handshakeFailedAuth:
                        refusal = "\(describe) refused this client's key (not on its allow-list, or revoked)"
                    case ZMQEvent.handshakeFailedProtocol:
                        refusal = Self.mismatch(describe, hasKeys: hasKeys)
                    // One NO_DETAIL is no refusal: libzmq reports it for a connection that
                    // merely dropped during the handshake (a service starting or stopping),
                    // which is UNAVAILABLE and worth a retry. But it is also what a mismatch
                    // looks like when the peer's close resets the connection before its
                    // greeting is read (most of the time, for a client without keys calling
                    // a CURVE service): three in a row, with none succeeding, are a refusal.
                    case ZMQEvent.handshakeFailedNoDetail:
                        failedWithoutDetail += 1
                        if failedWithoutDetail >= 3 && refusal == nil {
                            refusal = Self.mismatch(describe, hasKeys: hasKeys) + " (the handshake failed \(failedWithoutDetail) times in a row)"
                        }
                    default: break
                    }
                }
                sendWaiting()
                if lost { lostAt = .now }
            }
            // The requests in flight on a lost connection may or may not have been applied;
            // UNAVAILABLE lets them be retried with the same request id, which the server's
            // stored replies make safe. Replies the peer sent just before it closed can
            // surface after the disconnect event, so they get a moment to arrive first.
            if let lost = lostAt, ContinuousClock.now - lost >= Self.disconnectGrace {
                lostAt = nil
                for (id, call) in pending where call.sentAt <= lost {
                    finish(id, .failure(RPCError(.unavailable, "connection to \(describe) lost")))
                }
            }
            if !waiting.isEmpty { sendWaiting() }
            let now = ContinuousClock.now
            for (id, call) in pending where call.deadline <= now {
                finish(id, .failure(RPCError(.deadlineExceeded, "no reply from \(describe) before the deadline")))
            }
        }
    }
}

/// Moves the client's sockets to its thread, once (see `SocketHandoff`).
final class SocketPair: @unchecked Sendable {
    // @unchecked: written in init, taken once by the thread it was made for; Thread.start
    // is the memory barrier libzmq requires to move a socket between threads.
    private var sockets: (ZMQSocket, ZMQSocket)?
    init(dealer: ZMQSocket, monitor: ZMQSocket) { sockets = (dealer, monitor) }
    func take() -> (dealer: ZMQSocket, monitor: ZMQSocket) {
        guard let sockets else { preconditionFailure("sockets already taken") }
        self.sockets = nil
        return sockets
    }
}

extension RPCError {
    /// The error with how many attempts were made, said once: an error that came back
    /// through another service's retries already says it.
    func noting(attempts: Int) -> RPCError {
        var noted = self
        if !message.hasSuffix(" attempts)") { noted.message += " (\(attempts) attempts)" }
        return noted
    }
}
