import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import XieshangWire
import XieshangZMQ

/// How a server binds and bounds its work. Defaults suit a service on one machine.
public struct RPCServerConfiguration: Sendable {
    /// The service's name as Health/Check reports it, e.g. `member-registry`.
    public var serviceName: String
    /// The version Health/Check reports.
    public var version: String = "0.1.0"
    /// Where the ROUTER socket binds; `tcp://127.0.0.1:*` picks a free port.
    public var endpoint: String = "tcp://127.0.0.1:*"
    /// Requests handled at once; more get `RESOURCE_EXHAUSTED`. Default 512.
    public var maxInFlight: Int = 512
    /// The requests one turn of the socket thread takes (receives, and runs their handlers as
    /// far as they go without waiting) before it queues their replies and yields to the I/O
    /// thread that sends them. A burst from many callers then goes back in parts: the callers
    /// work on the first replies while the server handles the rest, instead of the two sides
    /// taking turns at one whole burst; each part still leaves in one write. Default 8: at 16
    /// callers two parts (README, "Speed"); fewer callers' bursts go whole.
    public var requestsPerTurn = 8
    /// Requests one connection may have in flight at once, so that one flooding caller
    /// cannot take every slot from the others. Default: half of `maxInFlight`.
    public var maxInFlightPerCaller: Int?
    /// The largest request accepted (ZMQ_MAXMSGSIZE and the decoder's limit). Default 4 MiB.
    public var maxMessageBytes: Int = 4 << 20
    /// The request bodies held at once, those in flight together: past it a request gets
    /// `RESOURCE_EXHAUSTED` (one is always taken when none is in flight). Without it one
    /// caller's share of the in-flight bound, 256 bodies of 4 MiB, could hold a gigabyte.
    /// Default 64 MiB, sixteen of the largest.
    public var maxInFlightBytes: Int = 64 << 20
    /// The request bodies one connection may have held at once (one request is always taken
    /// when it has none in flight). Default: half of `maxInFlightBytes`.
    public var maxInFlightBytesPerCaller: Int?
    /// What each text field of a request may hold (length, control characters, bidi and
    /// zero-width characters); applied while the body is scanned, before a handler runs.
    /// Default: every field single-line text of at most 1 KiB.
    public var textPolicy = WireTextPolicy()
    /// The most elements one repeated field of a request may hold (ids to mark read, members
    /// to invite): a province's members fit, SQLite's limit of 32,766 variables a statement
    /// is never reached. Default 10,000.
    public var maxRepeated = 10_000
    /// The most memory decoding one request may take (see `WireLimits.maxDecodeMemory`):
    /// 10,000 invitees take about 2.5 MiB; a body of small fields nested in a long list
    /// would take 100 MiB without it. Default 16 MiB.
    public var maxDecodeMemory = 16 << 20
    /// How long the socket stays open after the last reply of a drain. A client that reads a
    /// reply after the connection closed loses it (libzmq drops what a closed connection's
    /// pipe still holds when ZMQ_IMMEDIATE is on), so the socket waits a moment, still
    /// answering new requests with UNAVAILABLE. Default 200 ms.
    public var closeDelay: Duration = .milliseconds(200)
    /// CURVE and the ZAP handler; nil serves without encryption or authentication, every
    /// caller being `Principal.local` (an administrator).
    public var security: ServerSecurity?
    /// Which roles may call which method; nil allows every caller every method.
    public var permissions: MethodPermissions?

    public init(serviceName: String, endpoint: String = "tcp://127.0.0.1:*") {
        self.serviceName = serviceName
        self.endpoint = endpoint
    }
}

/// A ROUTER-socket RPC server: one thread owns the socket and runs the handlers' tasks
/// between its polls (`SocketThreadExecutor`): a handler that waits (on the database, on
/// another service) frees the thread for other requests, and resumes on it.
///
/// Lifecycle: `init` binds (so a taken port fails at once and tests can read the endpoint);
/// `run()` serves until graceful shutdown or cancellation, then stops taking new work
/// (new requests get `UNAVAILABLE`), drains what is in flight (cancelling it first when
/// `run()` itself was cancelled), sends the last replies and closes the socket.
public final class RPCServer: Service, Sendable {
    public let configuration: RPCServerConfiguration
    /// The endpoint actually bound, with the real port.
    public let endpoint: String
    public let metrics = RPCServerMetrics()
    /// Refusals and failures are logged at most once a second per method and code.
    private let failureLog = LogThrottle()
    private let handlers: RPCHandlers
    private let logger: Logger
    private let socket: SocketHandoff
    private let wake = WakeSignal()
    private let executor: SocketThreadExecutor
    /// Replies waiting for the socket thread: the reply's frames, the size of its request's
    /// body, and its handler task's number.
    private let replies = Mutex<[(frames: [[UInt8]], requestBytes: Int, task: UInt64)]>([])
    private let phase = Mutex<Phase>(.idle)
    private let startedAt = Date()

    private enum Phase {
        case idle
        case serving
        /// No new work; `cancelling` when `run()` was cancelled, so the handlers are too.
        case draining(cancelling: Bool)
    }

    struct Incoming: Sendable {
        let routing: [[UInt8]]
        let request: RpcV1.Request
        let entry: RPCHandlers.Entry
        let context: RPCCallContext
        let receivedAt: ContinuousClock.Instant
    }

    /// Binds the server's socket. Health/Check and Reflection/Describe are added to `handlers`.
    /// - Parameter storageCheck: what Health/Check reports as the storage state.
    public init(
        configuration: RPCServerConfiguration,
        handlers: RPCHandlers,
        context: ZMQContext,
        logger: Logger,
        storageCheck: @escaping @Sendable () async -> (ok: Bool, detail: String) = { (true, "no storage") }
    ) throws(ZMQError) {
        self.configuration = configuration
        self.logger = logger
        let router = try context.socket(.router)
        do {
            try router.applyHygiene(maxMessageBytes: Int64(configuration.maxMessageBytes))
            try router.set(ZMQOption.routerMandatory, Int32(1))
            try configuration.security?.apply(to: router)
            try router.bind(configuration.endpoint)
            endpoint = try router.lastEndpoint
        } catch {
            router.close(linger: 0)
            throw error
        }
        socket = SocketHandoff(router)
        executor = SocketThreadExecutor(wake: wake)

        var all = handlers
        let startedAt = self.startedAt
        let name = configuration.serviceName
        let version = configuration.version
        all.register(RpcV1.Health.check) { _, context in
            var response = RpcV1.HealthCheckResponse()
            let storage = await storageCheck()
            response.status = .serving
            response.service = name
            response.version = version
            response.startedAtMs = Int64(startedAt.timeIntervalSince1970 * 1000)
            response.uptimeMs = Int64(Date().timeIntervalSince(startedAt) * 1000)
            response.storageOk = storage.ok
            // The detail names files and event cursors: the office's, the operators' and the
            // services'; a member or a unit learns only whether the service is well.
            if context.principal.isOffice || context.principal.role == .service { response.storageDetail = storage.detail }
            return response
        }
        let methods = all.methods
        let reflected = methods + [Self.describeInfo]
        all.register(RpcV1.Reflection.describe) { _, _ in
            var response = RpcV1.DescribeResponse()
            response.service = name
            response.methods = reflected.sorted { $0.name < $1.name }
            return response
        }
        self.handlers = all
        if let permissions = configuration.permissions {
            let missing = permissions.missing(in: Array(all.entries.keys))
            precondition(missing.isEmpty, "\(name): no permission entry for \(missing.joined(separator: ", "))")
        }
    }

    private static var describeInfo: RpcV1.MethodInfo {
        var info = RpcV1.MethodInfo()
        info.name = RpcV1.Reflection.describe.name
        info.requestType = RpcV1.DescribeRequest.wireName
        info.responseType = RpcV1.DescribeResponse.wireName
        return info
    }

    public func run() async throws {
        let started = phase.withLock { phase -> Bool in
            guard case .idle = phase else { return false }
            phase = .serving
            return true
        }
        guard started else { preconditionFailure("RPCServer.run() called twice") }
        let threadDone = ThreadCompletion()
        Thread.start(named: "rpc-\(configuration.serviceName)") { [self] in
            executor.adoptCurrentThread()
            socketLoop(socket.take())
            threadDone.finish()
        }
        logger.info("serving", metadata: ["rpc.endpoint": "\(endpoint)", "rpc.methods": "\(handlers.entries.count)"])

        // The socket thread drains what is in flight, sends the last replies and closes.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await threadDone.wait()
            } onGracefulShutdown: {
                self.beginDrain(cancelling: false)
            }
        } onCancel: {
            self.beginDrain(cancelling: true)
        }
        let snapshot = metrics.snapshot()
        logger.info("stopped", metadata: [
            "rpc.requests": "\(snapshot.requests.values.flatMap(\.values).reduce(0, +))",
            "rpc.dropped_frames": "\(snapshot.droppedFrames)",
        ])
    }

    /// Stops taking new work; what is in flight goes on, or is cancelled.
    private func beginDrain(cancelling: Bool) {
        let first = phase.withLock { phase -> Bool in
            switch phase {
            case .idle, .serving:
                phase = .draining(cancelling: cancelling)
                return true
            case .draining(let already):
                phase = .draining(cancelling: already || cancelling)
                return false
            }
        }
        if first {
            logger.info("draining", metadata: ["rpc.in_flight": "\(metrics.inFlight.load(ordering: .relaxed))"])
        }
        wake.signal()
    }

    // MARK: - Handler side

    private func serve(_ incoming: Incoming, task: UInt64) async {
        let result: Result<[UInt8], RPCError>
        if ContinuousClock.now >= incoming.context.deadline {
            // Waited too long to start (overload): the caller has gone, so do not act.
            result = .failure(RPCError(.deadlineExceeded, "the deadline passed before the call started"))
        } else {
            result = await RPCCallContext.$current.withValue(incoming.context) {
                await incoming.entry.invoke(incoming.request.body, incoming.context, WireLimits(maxBytes: configuration.maxMessageBytes, text: configuration.textPolicy, maxRepeated: configuration.maxRepeated, maxDecodeMemory: configuration.maxDecodeMemory))
            }
        }
        var sent = result
        if case .failure(let error) = result, error.code == .internal || error.code == .unknown {
            // A bug's detail (a SQL statement, a type, a path) is for the operator's log, not
            // for the caller: the caller gets a generic message with an incident number that
            // finds the logged line.
            let incident = String(UInt32.random(in: 0..<UInt32.max), radix: 16)
            logger.with(incoming.context).error("internal error", metadata: [
                "rpc.incident": "\(incident)", "rpc.code": "\(error.code.protoName)", "error": "\(error.message)",
            ])
            sent = .failure(RPCError(error.code, "internal error in \(configuration.serviceName) (incident \(incident); its log has the details)"))
        }
        var reply = Self.response(incoming.request.requestID, sent)
        if reply.bytes.count > configuration.maxMessageBytes {
            // A reply the caller's socket would drop (and with it the connection, which the
            // caller would see as an outage): say what happened instead.
            reply = Self.response(incoming.request.requestID, .failure(RPCError(
                .resourceExhausted,
                "the reply would be \(reply.bytes.count) bytes, over the \(configuration.maxMessageBytes) bytes a message may carry; ask for less (a smaller page or period)")))
        }
        let latency = ContinuousClock.now - incoming.receivedAt
        metrics.record(method: incoming.request.method, code: reply.code, latency: latency)
        switch reply.code {
        case .internal, .unknown:
            break  // logged above, each with its incident number
        case .dataLoss, .unavailable, .resourceExhausted:
            // Storage that cannot be written or is full, a dependency that is down, a bug:
            // the operator must hear of it, not only the caller; once a second per method
            // and code, with how many more there were.
            let admitted = failureLog.admit("\(incoming.request.method) \(reply.code.protoName)")
            guard admitted.log else { break }
            var metadata: Logger.Metadata = ["rpc.code": "\(reply.code.protoName)", "error": "\(result.failureMessage)"]
            if admitted.suppressed > 0 { metadata["rpc.similar_not_logged"] = "\(admitted.suppressed)" }
            if reply.code == .unavailable || reply.code == .resourceExhausted {
                logger.with(incoming.context).warning("call refused", metadata: metadata)
            } else {
                logger.with(incoming.context).error("call failed", metadata: metadata)
            }
        default:
            break
        }
        if logger.logLevel <= .debug {
            logger.with(incoming.context).debug("served", metadata: ["rpc.code": "\(reply.code.protoName)", "rpc.latency": "\(latency)"])
        }
        replies.withLock { $0.append((incoming.routing + [reply.bytes], incoming.request.body.count, task)) }
        metrics.inFlight.subtract(1, ordering: .relaxed)
        metrics.inFlightBytes.subtract(incoming.request.body.count, ordering: .relaxed)
        // On the socket thread (where a handler ends unless an actor of its own holds it),
        // the loop sends the reply when this job returns.
        if !executor.isOnSocketThread { wake.signal() }
    }

    static func response(_ requestID: String, _ result: Result<[UInt8], RPCError>) -> (code: StatusCode, bytes: [UInt8]) {
        var response = RpcV1.Response()
        response.requestID = requestID
        var code = StatusCode.ok
        switch result {
        case .success(let body):
            response.body = body
            var status = RpcV1.Status()
            status.code = .ok
            response.status = status
        case .failure(let error):
            code = error.code
            response.status = error.status
        }
        if let bytes = try? response.encode() { return (code, bytes) }
        // Only a NUL can fail here: an error message that quotes the caller's bad input.
        // Keep the code and show the NUL as \0.
        if var status = response.status {
            func visible(_ text: String) -> String { text.replacingOccurrences(of: "\0", with: "\\0") }
            status.message = visible(status.message)
            status.localizedMessage = visible(status.localizedMessage)
            for index in status.violations.indices {
                status.violations[index].field = visible(status.violations[index].field)
                status.violations[index].description = visible(status.violations[index].description)
            }
            response.status = status
            if let bytes = try? response.encode() { return (code, bytes) }
        }
        var fallback = RpcV1.Response()
        fallback.requestID = requestID
        fallback.status = RPCError(.internal, "the error message could not be encoded").status
        return (.internal, (try? fallback.encode()) ?? [])
    }

    // MARK: - Socket thread

    private func socketLoop(_ router: ZMQSocket) {
        var poller = ZMQPoller([.socket(router), .fd(wake.readFD)])
        var closeAt: ContinuousClock.Instant?
        var cancelled = false
        // The last turn stopped at `requestsPerTurn`: more requests may be waiting.
        var more = false
        while true {
            let readable: [Bool]
            do {
                let idle = closeAt == nil && phase.withLock({ if case .serving = $0 { true } else { false } })
                readable = try poller.poll(timeoutMs: executor.hasPending || more ? 0 : idle ? 1000 : 10)
            } catch {
                logger.error("poll failed; stopping", metadata: ["error": "\(error)"])
                break
            }
            if readable[1] { wake.drain() }
            more = readable[0] && receiveBatch(router)
            executor.runPending()
            flushReplies(router)
            if sentThisTurn > 0 {
                // The I/O thread (batch-scheduled, see ZMQContext) sends this turn's replies
                // in one write now, while the callers' next requests are on their way.
                sentThisTurn = 0
                ZMQContext.yieldToIOThreads()
            }
            guard case .draining(let cancelling) = phase.withLock({ $0 }) else { continue }
            if cancelling && !cancelled {
                cancelled = true
                for task in handlerTasks.values { task.cancel() }
            }
            // Every handler has finished and its reply is sent: wait a moment, answering
            // new requests with UNAVAILABLE, then close.
            guard handlerTasks.isEmpty else { continue }
            if closeAt == nil { closeAt = .now + configuration.closeDelay }
            if let closeAt, ContinuousClock.now >= closeAt { break }
        }
        executor.close()
        // Linger lets the last replies leave; a zero linger would drop them.
        router.close(linger: 2_000)
    }

    private func flushReplies(_ router: ZMQSocket) {
        replies.withLock { swap(&$0, &sending) }
        for (frames, requestBytes, task) in sending {
            handlerTasks.removeValue(forKey: task)
            if let caller = frames.first, var held = perCaller[caller] {
                held.requests -= 1
                held.bytes -= requestBytes
                perCaller[caller] = held.requests > 0 ? held : nil
            }
            send(router, frames)
        }
        sending.removeAll(keepingCapacity: true)
    }

    /// The handler tasks running, by number, and the next number: the socket thread's only.
    private nonisolated(unsafe) var handlerTasks: [UInt64: Task<Void, Never>] = [:]
    private nonisolated(unsafe) var nextTask: UInt64 = 0
    /// The replies being sent (the socket thread's; swapped with `replies`).
    private nonisolated(unsafe) var sending: [(frames: [[UInt8]], requestBytes: Int, task: UInt64)] = []

    /// What an envelope may be: the body's bytes (copied once by protobuf-c) and what a
    /// request's body may take to unpack; no field said more often than in a body.
    private var envelopeLimits: WireLimits {
        WireLimits(maxBytes: configuration.maxMessageBytes, maxRepeated: configuration.maxRepeated,
                   maxDecodeMemory: configuration.maxMessageBytes + configuration.maxDecodeMemory)
    }

    /// Requests in flight per connection (its routing id), and their bodies' bytes; only the
    /// socket thread uses it.
    private nonisolated(unsafe) var perCaller: [[UInt8]: (requests: Int, bytes: Int)] = [:]
    /// Replies and refusals handed to libzmq in this turn of the loop (the socket thread's).
    private nonisolated(unsafe) var sentThisTurn = 0

    private func send(_ router: ZMQSocket, _ frames: [[UInt8]]) {
        sentThisTurn += 1
        do {
            if try !router.send(frames) { metrics.undeliveredReply() }
        } catch {
            // EHOSTUNREACH (ROUTER_MANDATORY): the caller disconnected before its reply.
            metrics.undeliveredReply()
            logger.debug("reply not delivered", metadata: ["error": "\(error)"])
        }
    }

    /// Takes up to `requestsPerTurn` requests; true when it stopped there (more may wait).
    private func receiveBatch(_ router: ZMQSocket) -> Bool {
        for _ in 0..<max(1, configuration.requestsPerTurn) {
            let frames: [[UInt8]]?
            do {
                frames = try router.receive()
            } catch {
                logger.warning("receive failed", metadata: ["error": "\(error)"])
                return false
            }
            guard let frames else { return false }
            accept(frames, userID: router.lastUserID, router)
        }
        return true
    }

    /// Checks one request on the socket thread and either answers it at once (unknown
    /// method, expired deadline, overload, shutdown) or starts its handler task, which the
    /// loop runs after this batch.
    private func accept(_ frames: [[UInt8]], userID: String?, _ router: ZMQSocket) {
        let receivedAt = ContinuousClock.now
        guard frames.count >= 2,
              let request = try? RpcV1.Request(decoding: frames[frames.count - 1], limits: envelopeLimits),
              !request.requestID.isEmpty
        else {
            // Without a request id there is nothing a reply could be matched to.
            metrics.droppedFrame()
            logger.debug("dropped a frame that is not a request", metadata: ["rpc.frames": "\(frames.count)"])
            return
        }
        let routing = Array(frames.dropLast())
        func reject(_ code: StatusCode, _ message: String) {
            // Counted under its name only when the server has the method: a caller sending
            // made-up names must not grow the counters (or the metrics' series) without end.
            let counted = handlers.entries[request.method] == nil ? RPCServerMetrics.unregisteredMethod : request.method
            metrics.record(method: counted, code: code, latency: .now - receivedAt)
            send(router, routing + [Self.response(request.requestID, .failure(RPCError(code, message))).bytes])
        }
        if let problem = Self.envelopeProblem(request) {
            return reject(.invalidArgument, problem)
        }
        guard phase.withLock({ if case .serving = $0 { true } else { false } }) else {
            return reject(.unavailable, "\(configuration.serviceName) is shutting down")
        }
        guard let entry = handlers.entries[request.method] else {
            return reject(.unimplemented, "\(configuration.serviceName) has no method \"\(request.method)\"")
        }
        guard request.deadlineMs > 0 else {
            return reject(.deadlineExceeded, "the deadline had passed when the request arrived")
        }
        guard metrics.inFlight.load(ordering: .relaxed) < configuration.maxInFlight else {
            return reject(.resourceExhausted, "\(configuration.serviceName) is at its limit of \(configuration.maxInFlight) requests in flight; retry later")
        }
        let held = metrics.inFlightBytes.load(ordering: .relaxed)
        guard held == 0 || held + request.body.count <= configuration.maxInFlightBytes else {
            return reject(.resourceExhausted, "\(configuration.serviceName) holds \(held) bytes of requests in flight, near its limit of \(configuration.maxInFlightBytes); retry later")
        }
        let callerLimit = configuration.maxInFlightPerCaller ?? max(1, configuration.maxInFlight / 2)
        let caller = routing.first ?? []
        let callerHeld = perCaller[caller] ?? (0, 0)
        guard callerHeld.requests < callerLimit else {
            return reject(.resourceExhausted, "this connection has \(callerLimit) requests in flight at \(configuration.serviceName), its share; retry later")
        }
        let callerBytes = configuration.maxInFlightBytesPerCaller ?? configuration.maxInFlightBytes / 2
        guard callerHeld.requests == 0 || callerHeld.bytes + request.body.count <= callerBytes else {
            return reject(.resourceExhausted, "this connection holds \(callerHeld.bytes) bytes of requests in flight at \(configuration.serviceName), near its share of \(callerBytes); retry later")
        }
        var principal: Principal
        if let security = configuration.security {
            // The ZAP handler set the connection's User-Id to the client's key; asking the
            // allow-list again here makes a revoked key stop working on open connections too.
            guard let key = userID, let known = security.zap.authenticator.principal(for: key) else {
                return reject(.unauthenticated, "this connection's key is not allowed (any more) on \(configuration.serviceName)")
            }
            principal = known
        } else {
            principal = .local
        }
        // The portal is never itself: it is the member or unit it names, with exactly their
        // rules. No other key may name someone (without CURVE, whoever calls is trusted).
        if principal.role == .portal || (principal == .local && !request.onBehalfOf.isEmpty) {
            guard let acting = Principal.onBehalfOf(request.onBehalfOf, via: "portal") else {
                return reject(.permissionDenied, "the portal calls only on behalf of a member, a unit or the public (on_behalf_of \"member:13\", \"unit:4\" or \"public\"), not \"\(request.onBehalfOf)\"")
            }
            principal = acting
        } else if !request.onBehalfOf.isEmpty {
            return reject(.permissionDenied, "\(principal) may not call on behalf of anyone (on_behalf_of is the portal's)")
        }
        if let permissions = configuration.permissions, !permissions.allows(principal, request.method) {
            return reject(.permissionDenied, "\(principal) may not call \(request.method) (allowed: \(permissions.describe(request.method)))")
        }
        var metadata: [String: String] = [:]
        for entry in request.metadata { metadata[entry.key] = entry.value }
        let context = RPCCallContext(
            method: request.method, requestID: request.requestID,
            deadline: receivedAt + .milliseconds(Int64(request.deadlineMs)),
            traceID: request.traceID, caller: request.caller, metadata: metadata,
            principal: principal)
        metrics.inFlight.add(1, ordering: .relaxed)
        metrics.inFlightBytes.add(request.body.count, ordering: .relaxed)
        perCaller[caller] = (callerHeld.requests + 1, callerHeld.bytes + request.body.count)
        let incoming = Incoming(routing: routing, request: request, entry: entry, context: context, receivedAt: receivedAt)
        let number = nextTask
        nextTask &+= 1
        handlerTasks[number] = Task(executorPreference: executor) { await self.serve(incoming, task: number) }
    }
}

extension RPCServer {
    /// The envelope's limits: what a caller sends beside the body is stored (the request id
    /// with every stored reply, the trace id with every event) or logged, so it is bounded
    /// and single-line before anything else happens.
    public static let maxRequestIDBytes = 128
    static let maxTraceIDBytes = 128
    static let maxCallerBytes = 256
    static let maxMetadataEntries = 32
    static let maxMetadataBytes = 4096

    static func envelopeProblem(_ request: RpcV1.Request) -> String? {
        func problem(_ name: String, _ text: String, max: Int) -> String? {
            if text.utf8.count > max { return "\(name) is \(text.utf8.count) bytes, over its limit of \(max) bytes" }
            return WireTextPolicy.refusal(in: text, multiline: false).map { "\(name) holds \($0)" }
        }
        if let p = problem("request_id", request.requestID, max: maxRequestIDBytes) { return p }
        if let p = problem("trace_id", request.traceID, max: maxTraceIDBytes) { return p }
        if let p = problem("caller", request.caller, max: maxCallerBytes) { return p }
        if let p = problem("on_behalf_of", request.onBehalfOf, max: 32) { return p }
        if request.metadata.count > maxMetadataEntries {
            return "metadata has \(request.metadata.count) entries, over its limit of \(maxMetadataEntries)"
        }
        let metadataBytes = request.metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if metadataBytes > maxMetadataBytes { return "metadata is \(metadataBytes) bytes, over its limit of \(maxMetadataBytes) bytes" }
        return nil
    }
}

private extension Result where Failure == RPCError {
    var failureMessage: String {
        if case .failure(let error) = self { return error.message }
        return ""
    }
}
