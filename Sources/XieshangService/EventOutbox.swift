import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Synchronization
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// A service's outbox of domain events (docs/ARCHITECTURE.md, "Events").
///
/// `append` writes an event in the caller's transaction, so the event exists if and only
/// if the change does. `Events/Since` serves the outbox to consumers that catch up; an
/// `EventPublisher` publishes new rows on the PUB socket after each commit.
public final class EventOutbox: Sendable {
    /// The service name events carry as their source.
    public let source: String
    let database: ServiceDatabase
    /// Signalled after every commit that appended an event; the publisher waits on it.
    let committed = WakeSignal()
    /// The connections whose open transaction already signals `committed` when it ends.
    private let pendingSignal = Mutex<Set<ObjectIdentifier>>([])

    /// The most events one Since call returns.
    public static let maxBatch = 1000
    /// The most payload bytes one Since call returns (at least one event, whatever its
    /// size): a consumer that is far behind gets its events in replies that always fit.
    public static let maxBatchBytes = 1 << 20

    public init(source: String, database: ServiceDatabase) {
        self.source = source
        self.database = database
    }

    /// Appends `event` with its payload in the current transaction; returns its sequence
    /// number.
    @discardableResult
    public func append<Payload: WireMessage>(
        _ event: WireEvent<Payload>, _ payload: Payload, in db: Database, traceID: String = ""
    ) throws -> UInt64 {
        try append(event, payload, in: SQLiteSession(db), traceID: traceID)
    }

    /// The same in a transaction of either engine.
    @discardableResult
    public func append<Payload: WireMessage>(
        _ event: WireEvent<Payload>, _ payload: Payload, in session: any SQLSession, traceID: String = ""
    ) throws -> UInt64 {
        let sequence = try Self.insert(event, payload, in: session, traceID: traceID)
        // One commit hook per transaction, not one per event: GRDB asks every registered
        // observer about every later statement of the transaction, so a hook per event made
        // a 40,000-member import quadratic.
        let connection = ObjectIdentifier(session)
        if pendingSignal.withLock({ $0.insert(connection).inserted }) {
            if let sqlite = session as? SQLiteSession {
                sqlite.db.afterNextTransaction(
                    onCommit: { [self] _ in
                        pendingSignal.withLock { _ = $0.remove(connection) }
                        committed.signal()
                    },
                    onRollback: { [self] _ in pendingSignal.withLock { _ = $0.remove(connection) } })
            } else {
                // A PostgreSQL session lives for one transaction and says itself whether it
                // already signals.
                pendingSignal.withLock { _ = $0.remove(connection) }
                if let postgres = session as? PostgresSession, !postgres.signalsOutbox {
                    postgres.signalsOutbox = true
                    postgres.afterCommit { [self] in committed.signal() }
                }
            }
        }
        return sequence
    }

    /// Appends `event` from a migration, before any outbox exists: consumers read it through
    /// `Events/Since` like any other (the publisher sends only what is committed after it starts).
    @discardableResult
    public static func insert<Payload: WireMessage>(
        _ event: WireEvent<Payload>, _ payload: Payload, in db: Database, traceID: String = ""
    ) throws -> UInt64 {
        try insert(event, payload, in: SQLiteSession(db), traceID: traceID)
    }

    /// The same in a migration of either engine.
    @discardableResult
    public static func insert<Payload: WireMessage>(
        _ event: WireEvent<Payload>, _ payload: Payload, in session: any SQLSession, traceID: String = ""
    ) throws -> UInt64 {
        let values: [any SQLValueConvertible] = [event.name, Date.nowMilliseconds, Payload.wireName, try payload.encode(), traceID]
        switch session.engine {
        case .sqlite:
            // AUTOINCREMENT: SQLite has one writer, so numbers are taken in commit order.
            let sequence = try session.insert(
                "INSERT INTO outbox (type, occurred_at_ms, payload_type, payload, trace_id) VALUES (?, ?, ?, ?, ?)",
                values, returning: "sequence")
            return UInt64(sequence)
        case .postgres:
            // Replicas write one outbox: the next number is taken from a row each event's
            // transaction locks until it commits, so numbers have no gaps (a rollback returns
            // its number) and become visible in order (a consumer never skips one that commits
            // later). A database sequence would give neither.
            guard let sequence = try session.value(
                "UPDATE outbox_head SET last_sequence = last_sequence + 1 WHERE id = 1 RETURNING last_sequence", as: Int64.self) else {
                throw RPCError(.internal, "the outbox has no head row")
            }
            try session.execute(
                "INSERT INTO outbox (sequence, type, occurred_at_ms, payload_type, payload, trace_id) VALUES (?, ?, ?, ?, ?, ?)",
                [sequence] + values)
            return UInt64(sequence)
        }
    }

    /// Events after `sequence`, oldest first, at most `limit` (capped at `maxBatch`), read
    /// from a thread of the caller's own (the publisher's).
    public func events(after sequence: UInt64, limit: Int = EventOutbox.maxBatch) throws -> EventV1.SinceResponse {
        try database.readSessionBlocking { [source] session in try Self.events(session, source: source, after: sequence, limit: limit) }
    }

    static func events(_ session: any SQLSession, source: String, after sequence: UInt64, limit: Int) throws -> EventV1.SinceResponse {
        let limit = limit <= 0 ? maxBatch : min(limit, maxBatch)
        var response = EventV1.SinceResponse()
        response.sourceIdentity = try session.value("SELECT value FROM runtime_identity WHERE id = 1", as: String.self) ?? ""
        var bytes = 0
        var after = Int64(clamping: sequence)
        // Pages of a few events: a reply stops at maxBatchBytes without reading further payloads.
        let page = 50
        reading: while response.events.count < limit {
            let rows = try session.rows(
                Self.pageAfter,
                [after, min(page, limit - response.events.count)])
            for row in rows {
                let event = Self.event(row, source: source, identity: response.sourceIdentity)
                if !response.events.isEmpty && bytes + event.payload.count > maxBatchBytes { break reading }
                bytes += event.payload.count
                response.events.append(event)
                after = Int64(event.sequence)
            }
            if rows.count < page { break }
        }
        response.lastSequence = UInt64(try session.value("SELECT COALESCE(MAX(sequence), 0) FROM outbox", as: Int64.self) ?? 0)
        return response
    }

    /// A page of the outbox after a sequence number, oldest first: what Since and the publisher read.
    private static let pageAfter = "SELECT sequence, type, occurred_at_ms, payload_type, payload, trace_id FROM outbox WHERE sequence > ? ORDER BY sequence LIMIT ?"

    /// How many events the publisher reads at a time.
    static let publishPage = 50

    /// The next events after `sequence`, at most `limit`, for the publisher, which knows the
    /// database's identity: the outbox's rows and nothing else (a read after every commit
    /// that appended an event), in one statement.
    func publishable(after sequence: UInt64, identity: String, limit: Int = publishPage) throws -> [EventV1.Event] {
        try database.readStatementBlocking { [source] session in
            try session.rows(
                Self.pageAfter,
                [Int64(clamping: sequence), limit]
            ).map { Self.event($0, source: source, identity: identity) }
        }
    }

    private static func event(_ row: SQLRow, source: String, identity: String) -> EventV1.Event {
        var event = EventV1.Event()
        event.source = source
        event.sequence = UInt64(row["sequence"] as Int64)
        event.type = row["type"]
        event.occurredAtMs = row["occurred_at_ms"]
        event.payloadType = row["payload_type"]
        event.payload = row["payload"]
        event.traceID = row["trace_id"]
        event.sourceIdentity = identity
        return event
    }

    /// Adds `event.v1.Events/Since` to a server's handlers.
    public func register(in handlers: inout RPCHandlers) {
        handlers.register(EventV1.Events.since) { [self] request, _ in
            try await database.readSession { [source] session in
                try Self.events(session, source: source, after: request.afterSequence, limit: Int(request.limit))
            }
        }
    }

    /// Whether this process publishes the outbox on its PUB socket now. On SQLite it always
    /// does; replicas on PostgreSQL elect one (the holder of an advisory lock), so each event
    /// goes out once, not once per replica; another takes over within a second or two when it
    /// stops.
    func publishesNow() -> Bool {
        guard case .postgres(let postgres) = database.storage else { return true }
        return postgres.lease(for: source).held()
    }

    /// Gives the lease up (stopping).
    func stopPublishing() {
        guard case .postgres(let postgres) = database.storage else { return }
        postgres.lease(for: source).release()
    }

    /// How often the publisher reads the outbox when no commit of its own woke it: replicas'
    /// commits do not wake it.
    var readEvery: Duration {
        database.engine == .postgres ? .milliseconds(100) : .seconds(1)
    }
}

/// Publishes a service's new outbox events on a PUB socket: one frame with the event type
/// (subscribers may filter on it), then the encoded `Event`.
///
/// PUB/SUB may lose messages (slow joiners, high-water marks); consumers never rely on it
/// alone but catch up through Events/Since.
public final class EventPublisher: Service, Sendable {
    public let endpoint: String
    private let outbox: EventOutbox
    private let logger: Logger
    private let socket: SocketHandoff
    private let context: ZMQContext
    private let security: ServerSecurity?
    private let stopping = Atomic<Bool>(false)
    private let done = ThreadCompletion()
    private let rebinds = Atomic<Int>(0)

    /// Binds the PUB socket (`tcp://127.0.0.1:*` picks a free port). With security, only
    /// the keys the ZAP handler admits to the events domain (the service's event consumers)
    /// complete a handshake.
    public init(outbox: EventOutbox, endpoint: String, context: ZMQContext, logger: Logger, security: ServerSecurity? = nil) throws(ZMQError) {
        self.outbox = outbox
        self.logger = logger
        self.context = context
        self.security = security
        let pub = try Self.bind(endpoint, context: context, security: security)
        do {
            self.endpoint = try pub.lastEndpoint
        } catch {
            pub.close(linger: 0)
            throw error
        }
        socket = SocketHandoff(pub)
    }

    /// How many times the socket was bound again because keys were withdrawn.
    public var rebindCount: Int { rebinds.load(ordering: .relaxed) }

    private static func bind(_ endpoint: String, context: ZMQContext, security: ServerSecurity?) throws(ZMQError) -> ZMQSocket {
        let pub = try context.socket(.pub)
        do {
            try pub.applyHygiene(maxMessageBytes: 4 << 20)
            try pub.set(ZMQOption.sendHighWaterMark, Int32(100_000))
            try security?.apply(to: pub, domain: ZAPHandler.eventsDomain)
            try pub.bind(endpoint)
            return pub
        } catch {
            pub.close(linger: 0)
            throw error
        }
    }

    public func run() async throws {
        Thread.start(named: "events-\(outbox.source)") { [self] in
            loop(socket.take())
            done.finish()
        }
        logger.info("publishing events", metadata: ["event.endpoint": "\(endpoint)"])
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await done.wait()
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    private func stop() {
        stopping.store(true, ordering: .relaxed)
        outbox.committed.signal()
    }

    /// A subscription is checked once, at its handshake. When the allow-list takes a key
    /// away (or changes its role), every subscriber must handshake again: the socket is
    /// closed, which drops every connection, and bound again at the same address. The
    /// consumers reconnect by themselves through the ZAP check (a revoked key is refused)
    /// and catch up what they missed meanwhile through Events/Since.
    private func rebind(_ pub: ZMQSocket) -> ZMQSocket? {
        pub.close(linger: 0)
        // The port is released by libzmq's I/O thread shortly after close: try for a while.
        for attempt in 0..<100 {
            if stopping.load(ordering: .relaxed) { return nil }
            do {
                let fresh = try Self.bind(endpoint, context: context, security: security)
                rebinds.add(1, ordering: .relaxed)
                logger.notice("event socket bound again: a key was withdrawn, so every subscriber handshakes again",
                              metadata: ["event.endpoint": "\(endpoint)", "attempts": "\(attempt + 1)"])
                return fresh
            } catch {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        logger.critical("the event socket could not be bound again; consumers catch up through Events/Since only",
                        metadata: ["event.endpoint": "\(endpoint)"])
        return nil
    }

    private func loop(_ initial: ZMQSocket) {
        var pub: ZMQSocket? = initial
        var withdrawals = security?.zap.authenticator.withdrawalCount ?? 0
        // Events written before this process started are not republished: a consumer that
        // missed them gets them from Events/Since.
        let start = try? outbox.events(after: UInt64.max, limit: 1)
        var published = start?.lastSequence ?? 0
        // The database's identity, which every event carries, is the same for its life.
        var identity = start?.sourceIdentity
        var poller = ZMQPoller([.fd(outbox.committed.readFD)])
        var lastRead = ContinuousClock.now
        var leading = false
        var leaseChecked = ContinuousClock.now - .seconds(10)
        while !stopping.load(ordering: .relaxed) {
            // Short polls so that a withdrawn key loses its subscription within the
            // allow-list's own reload second; the outbox is read on a commit, or each second.
            guard let readable = try? poller.poll(timeoutMs: 100) else { break }
            outbox.committed.drain()
            if let now = security?.zap.authenticator.withdrawalCount, now != withdrawals, let current = pub {
                withdrawals = now
                pub = rebind(current)
            }
            guard let pub else { continue }
            if !readable[0] && ContinuousClock.now - lastRead < outbox.readEvery { continue }
            lastRead = .now
            if ContinuousClock.now - leaseChecked >= .seconds(1) {
                leaseChecked = .now
                let now = outbox.publishesNow()
                if now != leading {
                    leading = now
                    logger.notice(now ? "publishing this service's events (this replica holds the lease)" : "another replica publishes the events",
                                  metadata: ["event.endpoint": "\(endpoint)"])
                }
            }
            guard leading else {
                // Follow the outbox so that a takeover starts from the newest event.
                if let newest = try? outbox.events(after: UInt64.max, limit: 1).lastSequence { published = newest }
                continue
            }
            do {
                let source = try identity ?? outbox.events(after: UInt64.max, limit: 1).sourceIdentity
                identity = source
                while true {
                    let batch = try outbox.publishable(after: published, identity: source)
                    for event in batch {
                        try pub.send([Array(event.type.utf8), try event.encode()])
                        published = event.sequence
                    }
                    if batch.count < EventOutbox.publishPage { break }
                }
            } catch {
                logger.warning("publishing events failed; consumers will catch up", metadata: ["error": "\(error)"])
            }
        }
        pub?.close(linger: 500)
        outbox.stopPublishing()
    }
}
