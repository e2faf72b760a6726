import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Synchronization
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// Applies every event of one source exactly once, in order.
///
/// It subscribes to the source's PUB socket for speed and catches up through the source's
/// `Events/Since` at start, on any gap, and every second when idle (the last event of a
/// burst may be lost on PUB/SUB with nothing after it to reveal the gap). Each event is
/// applied in a write transaction of the consumer's own database that also moves the
/// cursor, so a consumer that crashes, restarts or misses messages applies every event
/// once: never skipped, never twice. Events that arrive while it is applying others wait
/// together and go in one transaction (a burst of a registry's import is a few writes, not a
/// write an event).
public final class EventConsumer: Service, Sendable {
    public typealias Apply = @Sendable (EventV1.Event, Database) throws -> Void
    /// The same for a consumer whose logic is written for both engines.
    public typealias ApplySession = @Sendable (EventV1.Event, any SQLSession) throws -> Void

    public let source: String
    private let eventEndpoint: String
    private let sourceClient: RPCClient
    private let database: ServiceDatabase
    private let context: ZMQContext
    private let logger: Logger
    private let apply: ApplySession
    /// How often it asks Since when nothing arrives on PUB/SUB.
    private let idleCatchUp: Duration
    /// Consecutive failures of the logic, per event sequence.
    private let failures = Mutex<[UInt64: Int]>([:])
    /// CURVE for the SUB socket: this service's keys and the source's public key.
    private let security: ClientSecurity?
    /// The newest sequence number the source is known to have written (from its events
    /// and its Since answers): how far behind the cursor is.
    private let newest = Atomic<UInt64>(0)
    /// Why the consumer cannot follow its source right now (catching up fails, the
    /// source's sequence went backwards), for health; nil when it follows.
    private let trouble = Mutex<String?>(nil)

    /// Why the consumer cannot follow its source, or nil.
    public var problem: String? { trouble.withLock { $0 } }
    /// Set while the source is not the one the cursor belongs to (restored, replaced):
    /// nothing of it is applied until an operator decides.
    private let diverged = Atomic<Bool>(false)
    /// The identity of the source's database whose events the cursor counts, as last read
    /// or written: a live event from another database is not applied (nor skipped as one
    /// already applied) but sends the consumer to catch up, which says what happened.
    private let appliedIdentity = Mutex<String>("")
    /// The operator's `--accept-source`: a source found diverged is taken as it now is.
    private let acceptDivergence: Bool
    /// When the consumer last knew it had applied everything its source had written (a
    /// catch-up that found nothing more, or a live event that was the newest), in ms since
    /// 1970; kept in `event_cursors` at most every 30 s, so a restart knows it too.
    private let inStepAtMs = Atomic<Int64>(0)
    private let persistedInStepAtMs = Atomic<Int64>(0)
    /// Events received over PUB/SUB and not yet taken by the applying task, oldest first.
    private let arrived = Mutex<(events: [EventV1.Event], bytes: Int)>(([], 0))
    /// The most events kept waiting; beyond it the oldest are dropped, and the gap they leave
    /// is filled from Since.
    static let maxWaiting = 10_000
    /// The most payload bytes kept waiting (each event may be up to 4 MiB): past it, the
    /// oldest are dropped too.
    static let maxWaitingBytes = 64 << 20
    /// The most events one transaction applies.
    static let maxTogether = 500

    public convenience init(
        source: String, eventEndpoint: String, sourceClient: RPCClient, database: ServiceDatabase,
        context: ZMQContext, logger: Logger, idleCatchUp: Duration = .seconds(1), security: ClientSecurity? = nil,
        acceptDivergence: Bool = false,
        apply: @escaping Apply
    ) {
        let logic: ApplySession = { event, session in
            guard let sqlite = session as? SQLiteSession else {
                throw RPCError(.internal, "this consumer's logic is written for SQLite, and the database is PostgreSQL")
            }
            try apply(event, sqlite.db)
        }
        self.init(source: source, eventEndpoint: eventEndpoint, sourceClient: sourceClient, database: database, context: context,
                  logger: logger, idleCatchUp: idleCatchUp, security: security, acceptDivergence: acceptDivergence, applySession: logic)
    }

    /// A consumer whose logic is written for both engines. On PostgreSQL, replicas of the
    /// service each run it against the one database: the cursor's row, locked by each
    /// applying transaction, makes every event apply once however many follow the source.
    public init(
        source: String, eventEndpoint: String, sourceClient: RPCClient, database: ServiceDatabase,
        context: ZMQContext, logger: Logger, idleCatchUp: Duration = .seconds(1), security: ClientSecurity? = nil,
        acceptDivergence: Bool = false,
        applySession apply: @escaping ApplySession
    ) {
        self.security = security
        self.acceptDivergence = acceptDivergence
        self.source = source
        self.eventEndpoint = eventEndpoint
        self.sourceClient = sourceClient
        self.database = database
        self.context = context
        self.logger = logger
        self.idleCatchUp = idleCatchUp
        self.apply = apply
    }

    /// Whether everything the source had written was applied within `limit` of now, and the
    /// source is the one the cursor belongs to: what a read model fed by this consumer may be
    /// trusted for. False until the consumer has once caught up (in this process or, as
    /// recorded, before it).
    public func inStep(within limit: Duration) -> Bool {
        guard !diverged.load(ordering: .relaxed) else { return false }
        let at = inStepAtMs.load(ordering: .relaxed)
        return at > 0 && Date.nowMilliseconds - at <= Int64(limit.components.seconds) * 1000 + limit.components.attoseconds / 1_000_000_000_000_000
    }

    /// Whether the source is not the database the cursor belongs to (restored, replaced): its
    /// events are not applied until an operator decides.
    public var isDiverged: Bool { diverged.load(ordering: .relaxed) }

    /// When the consumer was last in step with its source (ms since 1970; 0: never).
    public var lastInStepMs: Int64 { inStepAtMs.load(ordering: .relaxed) }

    private func markInStep() async {
        let now = Date.nowMilliseconds
        inStepAtMs.store(now, ordering: .relaxed)
        guard now - persistedInStepAtMs.load(ordering: .relaxed) >= 30_000 else { return }
        persistedInStepAtMs.store(now, ordering: .relaxed)
        _ = try? await database.writeSession { [source] db in
            try db.execute("UPDATE event_cursors SET in_step_at_ms = ? WHERE source = ?", [now, source])
        }
    }

    /// The sequence number of the last event applied from this source.
    public func cursor() async throws -> UInt64 {
        try await database.readSession { [source] db in try Self.cursor(db, source) }
    }

    /// How far this consumer is behind its source: the last event applied and the newest
    /// the source is known to have (0 until the source has been heard from).
    public func progress() async throws -> (applied: UInt64, newest: UInt64) {
        let applied = try await cursor()
        return (applied, max(applied, newest.load(ordering: .relaxed)))
    }

    /// One line for Health/Check: each source with the events applied and, when behind,
    /// by how many; e.g. `events: meeting-scheduler 340/345 (5 behind), proposal-tracker 12/12`.
    /// Not ok when a consumer cannot follow its source (it is FAILING, with the reason).
    public static func describe(_ consumers: [EventConsumer]) async -> (ok: Bool, detail: String) {
        var parts: [String] = []
        var ok = true
        for consumer in consumers {
            guard let (applied, newest) = try? await consumer.progress() else {
                parts.append("\(consumer.source) cursor unreadable")
                ok = false
                continue
            }
            var part = "\(consumer.source) \(applied)/\(newest)" + (newest > applied ? " (\(newest - applied) behind)" : "")
            if let problem = consumer.problem {
                part += " FAILING: \(problem)"
                ok = false
            }
            parts.append(part)
        }
        return (ok, "events: " + parts.joined(separator: ", "))
    }

    private func heard(of sequence: UInt64) {
        var current = newest.load(ordering: .relaxed)
        while sequence > current {
            let (exchanged, original) = newest.compareExchange(expected: current, desired: sequence, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    private enum Signal: Sendable {
        /// Events wait in `arrived`.
        case events
        case idle
    }

    public func run() async throws {
        let (signals, continuation) = AsyncStream<Signal>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let stop = Atomic<Bool>(false)
        let done = ThreadCompletion()
        let sub = try context.socket(.sub)
        do {
            try sub.applyHygiene(maxMessageBytes: 4 << 20, lingerMs: 0)
            try sub.set(ZMQOption.subscribe, [UInt8]())
            try sub.set(ZMQOption.receiveHighWaterMark, Int32(100_000))
            try security?.apply(to: sub)
            // Replicas of a source (`tcp://a:7102,tcp://b:7102`): whichever publishes is heard.
            for endpoint in eventEndpoint.split(separator: ",") {
                try sub.connect(endpoint.trimmingCharacters(in: .whitespaces))
            }
        } catch {
            sub.close(linger: 0)
            throw error
        }
        let handoff = SocketHandoff(sub)
        let idleMs = Int(idleCatchUp.components.seconds * 1000 + idleCatchUp.components.attoseconds / 1_000_000_000_000_000)
        Thread.start(named: "consumer-\(source)") { [logger, self] in
            let sub = handoff.take()
            var poller = ZMQPoller([.socket(sub)])
            while !stop.load(ordering: .relaxed) {
                guard let readable = try? poller.poll(timeoutMs: idleMs) else { break }
                guard readable[0] else {
                    continuation.yield(.idle)
                    continue
                }
                var received: [EventV1.Event] = []
                while let frames = try? sub.receive() {
                    guard let last = frames.last, let event = try? EventV1.Event(decoding: last) else {
                        logger.debug("dropped a published frame that is not an Event")
                        continue
                    }
                    received.append(event)
                }
                guard !received.isEmpty else { continue }
                self.arrived.withLock { waiting in
                    waiting.events.append(contentsOf: received)
                    waiting.bytes += received.reduce(0) { $0 + $1.payload.count }
                    var drop = 0
                    while waiting.events.count - drop > Self.maxWaiting || (waiting.bytes > Self.maxWaitingBytes && drop < waiting.events.count) {
                        waiting.bytes -= waiting.events[drop].payload.count
                        drop += 1
                    }
                    waiting.events.removeFirst(drop)
                }
                continuation.yield(.events)
            }
            sub.close(linger: 0)
            continuation.finish()
            done.finish()
        }

        let halt: @Sendable () -> Void = {
            stop.store(true, ordering: .relaxed)
        }
        // The cursor's row exists before any event is applied: each applying transaction locks
        // it, so replicas sharing a PostgreSQL database take turns and apply an event once.
        _ = try? await database.writeSession { [source] db in
            try db.execute("INSERT INTO event_cursors (source, last_sequence) VALUES (?, 0) ON CONFLICT (source) DO NOTHING", [source])
        }
        if let recorded = try? await database.readSession({ [source] db in
            try db.value("SELECT in_step_at_ms FROM event_cursors WHERE source = ?", [source], as: Int64.self)
        }) {
            inStepAtMs.store(recorded, ordering: .relaxed)
            persistedInStepAtMs.store(recorded, ordering: .relaxed)
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await catchUp()
                // Only the newest signal waits: whichever it is, what arrived is applied first.
                for await signal in signals {
                    if Task.isCancelled || stop.load(ordering: .relaxed) { break }
                    // Everything that arrived meanwhile, together.
                    let events = arrived.withLock { waiting in
                        defer { waiting = ([], 0) }
                        return waiting.events
                    }
                    var start = 0
                    while start < events.count {
                        let end = min(start + Self.maxTogether, events.count)
                        await receive(Array(events[start..<end]))
                        start = end
                    }
                    if case .idle = signal { await catchUp() }
                }
            } onGracefulShutdown: {
                halt()
            }
        } onCancel: {
            halt()
        }
        halt()
        await done.wait()
        // Stopping: keep when it was last in step, for the next start (a kill loses at most 30 s of it).
        let last = inStepAtMs.load(ordering: .relaxed)
        if last > persistedInStepAtMs.load(ordering: .relaxed) {
            _ = try? await database.writeSession { [source] db in
                try db.execute("UPDATE event_cursors SET in_step_at_ms = ? WHERE source = ?", [last, source])
            }
        }
    }

    /// Applies events received over PUB/SUB, in one transaction when they are the next in
    /// order and the logic takes them all; otherwise one at a time, as catching up does.
    private func receive(_ events: [EventV1.Event]) async {
        guard let newestHere = events.map(\.sequence).max() else { return }
        heard(of: newestHere)
        if diverged.load(ordering: .relaxed) { return }
        let known = appliedIdentity.withLock { $0 }
        if !known.isEmpty, events.contains(where: { !$0.sourceIdentity.isEmpty && $0.sourceIdentity != known }) {
            await catchUp()
            return
        }
        var current: UInt64 = 0
        do {
            if try await applyTogether(events) {
                if newestHere >= newest.load(ordering: .relaxed) { await markInStep() }
                return
            }
            for event in events {
                current = event.sequence
                switch try await applyInOrder(event) {
                case .applied, .alreadyApplied:
                    if event.sequence >= newest.load(ordering: .relaxed) { await markInStep() }
                case .gap:
                    await catchUp()
                    return
                }
            }
        } catch is CancellationError {
            // Stopping: the events stay after the cursor and are applied on the next start.
        } catch {
            logger.error("applying an event failed; will retry", metadata: [
                "event.source": "\(source)", "event.sequence": "\(current == 0 ? events[0].sequence : current)", "error": "\(error)",
            ])
        }
    }

    /// Asks Since for everything after the cursor until nothing is left.
    private func catchUp() async {
        do {
            while true {
                var request = EventV1.SinceRequest()
                request.afterSequence = try await cursor()
                request.limit = 500
                let batch = try await sourceClient.call(EventV1.Events.since, request, options: .read)
                heard(of: batch.lastSequence)
                let known = try await database.readSession { [source] db in try Self.identity(db, source) }
                appliedIdentity.withLock { $0 = known }
                var divergence: String?
                if !known.isEmpty, !batch.sourceIdentity.isEmpty, known != batch.sourceIdentity {
                    divergence = "\(source) is not the database its events were applied from (its identity was \(known), now \(batch.sourceIdentity)): it was replaced, or restored from a backup"
                } else if batch.lastSequence < request.afterSequence {
                    divergence = "\(source)'s newest event is \(batch.lastSequence) but \(request.afterSequence) were applied from it: its outbox went backwards (restored from an older backup, or replaced)"
                }
                if let divergence {
                    // Its next events would reuse sequence numbers already applied and be
                    // skipped in silence: say so, apply nothing, until an operator decides.
                    guard acceptDivergence else {
                        let problem = divergence + "; its events are not applied until an operator restores it or restarts this consumer with --accept-source \(source)"
                        if trouble.withLock({ $0 }) != problem { logger.critical("\(problem)") }
                        trouble.withLock { $0 = problem }
                        diverged.store(true, ordering: .relaxed)
                        return
                    }
                    try await database.writeSession { [source] db in
                        try Self.moveCursor(db, source, to: batch.lastSequence)
                        try Self.setIdentity(db, source, batch.sourceIdentity)
                    }
                    appliedIdentity.withLock { $0 = batch.sourceIdentity }
                    logger.notice("accepted a source as it now is (--accept-source): its events after \(batch.lastSequence) are applied", metadata: ["event.source": "\(source)", "reason": "\(divergence)"])
                    continue
                }
                if known.isEmpty, !batch.sourceIdentity.isEmpty {
                    try await database.writeSession { [source] db in try Self.setIdentity(db, source, batch.sourceIdentity) }
                    appliedIdentity.withLock { $0 = batch.sourceIdentity }
                }
                diverged.store(false, ordering: .relaxed)
                trouble.withLock { $0 = nil }
                if try await !applyTogether(batch.events) {
                    for event in batch.events {
                        if case .gap = try await applyInOrder(event) { return }
                    }
                }
                if batch.events.isEmpty {
                    await markInStep()
                    return
                }
            }
        } catch {
            trouble.withLock { $0 = "cannot catch up with \(source): \(error)" }
            logger.warning("catching up with \(source) failed; will retry", metadata: ["error": "\(error)"])
        }
    }

    private enum Outcome { case applied, alreadyApplied, gap }

    /// An event the consumer's own logic fails on this many times in a row is set aside in
    /// `event_failures`, and the cursor moves past it, so one bad event cannot stop every
    /// later one. Database errors (a full disk, a lock) are never a reason to set aside: they
    /// are retried until they pass.
    public static let attemptsBeforeSettingAside = 3

    private struct ApplyFailure: Error {
        let underlying: any Error
        var sequence: UInt64 = 0
    }

    private struct NotInOrder: Error {}

    /// Applies a batch (one that catching up brought, or live events that arrived together) in
    /// one transaction with the cursor: a consumer far behind (a registry's 32,000-member
    /// import) writes once a batch, not once an event. False, with nothing written, when the batch is not the next events in order or
    /// the consumer's logic refused one of them: then they go one at a time (`applyInOrder`,
    /// which sets aside an event that keeps failing).
    private func applyTogether(_ events: [EventV1.Event]) async throws -> Bool {
        // An event that failed goes alone until it is applied or set aside.
        guard events.count > 1, failures.withLock({ $0.isEmpty }) else { return false }
        do {
            try await database.writeSession { [source, apply] db in
                var cursor = try Self.cursor(db, source, locked: true)
                for event in events where event.sequence > cursor {
                    guard event.sequence == cursor + 1 else { throw NotInOrder() }
                    do {
                        try apply(event, db)
                    } catch let error where Self.isStorageError(error) {
                        throw error
                    } catch {
                        throw ApplyFailure(underlying: error, sequence: event.sequence)
                    }
                    cursor = event.sequence
                }
                try Self.moveCursor(db, source, to: cursor)
            }
            return true
        } catch let failure as ApplyFailure {
            // It counts as one of the event's attempts; it goes on alone from here.
            failures.withLock { $0[failure.sequence, default: 0] += 1 }
            return false
        } catch is NotInOrder {
            return false
        }
    }

    private func applyInOrder(_ event: EventV1.Event) async throws -> Outcome {
        do {
            let outcome: Outcome = try await database.writeSession { [source, apply] db in
                let cursor = try Self.cursor(db, source, locked: true)
                if event.sequence <= cursor { return .alreadyApplied }
                if event.sequence != cursor + 1 { return .gap }
                do {
                    try apply(event, db)
                } catch let error where Self.isStorageError(error) {
                    throw error
                } catch {
                    throw ApplyFailure(underlying: error)
                }
                try Self.moveCursor(db, source, to: event.sequence)
                return .applied
            }
            if outcome != .gap { failures.withLock { _ = $0.removeValue(forKey: event.sequence) } }
            return outcome
        } catch let failure as ApplyFailure {
            let attempts = failures.withLock { counts -> Int in
                counts[event.sequence, default: 0] += 1
                return counts[event.sequence]!
            }
            guard attempts >= Self.attemptsBeforeSettingAside else { throw failure.underlying }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await database.writeSession { [source] db in
                guard try Self.cursor(db, source, locked: true) + 1 == event.sequence else { return }
                try db.execute("""
                    INSERT INTO event_failures (source, sequence, type, error, at_ms) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (source, sequence) DO UPDATE SET type = excluded.type, error = excluded.error, at_ms = excluded.at_ms
                    """, [source, Int64(clamping: event.sequence), event.type, "\(failure.underlying)", now])
                try Self.moveCursor(db, source, to: event.sequence)
            }
            failures.withLock { _ = $0.removeValue(forKey: event.sequence) }
            logger.error("set an event aside after repeated failures", metadata: [
                "event.source": "\(source)", "event.sequence": "\(event.sequence)", "event.type": "\(event.type)",
                "error": "\(failure.underlying)",
            ])
            return .applied
        }
    }

    /// Serves `Consumer/ListSetAside` from this process's `event_failures`: what the
    /// consumers of a service have set aside, newest first, so an operator can see which
    /// events were not applied and why.
    public static func registerSetAside(in handlers: inout RPCHandlers, database: ServiceDatabase) {
        handlers.register(EventV1.Consumer.listSetAside) { request, _ in
            try await database.readSession { db in try setAside(db, source: request.source, limit: Int(request.limit)) }
        }
    }

    /// The events set aside (from `source`, or every source when it is empty), newest
    /// first, at most `limit` (capped at 1,000; 0 means the cap), and how many in all.
    public static func setAside(_ db: Database, source: String, limit: Int) throws -> EventV1.ListSetAsideResponse {
        try setAside(SQLiteSession(db), source: source, limit: limit)
    }

    public static func setAside(_ db: any SQLSession, source: String, limit: Int) throws -> EventV1.ListSetAsideResponse {
        let cap = limit <= 0 ? 1000 : min(limit, 1000)
        let filter = source.isEmpty ? "" : "WHERE source = ?"
        let arguments: [any SQLValueConvertible] = source.isEmpty ? [] : [source]
        var response = EventV1.ListSetAsideResponse()
        response.total = UInt32(clamping: try db.value("SELECT COUNT(*) FROM event_failures \(filter)", arguments, as: Int.self) ?? 0)
        response.events = try db.rows(
            "SELECT source, sequence, type, error, at_ms FROM event_failures \(filter) ORDER BY at_ms DESC, sequence DESC LIMIT \(cap)",
            arguments
        ).map { row in
            var event = EventV1.SetAsideEvent()
            event.source = row["source"]
            event.sequence = UInt64(clamping: row["sequence"] as Int64)
            event.type = row["type"]
            event.error = row["error"]
            event.atMs = row["at_ms"]
            return event
        }
        return response
    }

    private static func moveCursor(_ db: any SQLSession, _ source: String, to sequence: UInt64) throws {
        try db.execute("""
            INSERT INTO event_cursors (source, last_sequence) VALUES (?, ?)
            ON CONFLICT(source) DO UPDATE SET last_sequence = excluded.last_sequence
            """, [source, Int64(clamping: sequence)])
    }

    /// The source's database identity the cursor belongs to ("" until first heard).
    private static func identity(_ db: any SQLSession, _ source: String) throws -> String {
        try db.value("SELECT source_identity FROM event_cursors WHERE source = ?", [source], as: String.self) ?? ""
    }

    private static func setIdentity(_ db: any SQLSession, _ source: String, _ identity: String) throws {
        try db.execute("""
            INSERT INTO event_cursors (source, last_sequence, source_identity) VALUES (?, 0, ?)
            ON CONFLICT(source) DO UPDATE SET source_identity = excluded.source_identity
            """, [source, identity])
    }

    /// A storage failure (retried until it passes), not the consumer's logic refusing.
    static func isStorageError(_ error: any Error) -> Bool {
        error is DatabaseError || error is PostgresError || error is StaleConnection
    }

    /// The last event applied. `locked`: in a transaction that applies events, the row is
    /// held until it commits (PostgreSQL: another replica's consumer waits, then reads the
    /// cursor this one left; SQLite has one writer anyway).
    private static func cursor(_ db: any SQLSession, _ source: String, locked: Bool = false) throws -> UInt64 {
        let lock = locked && db.engine == .postgres ? " FOR UPDATE" : ""
        return UInt64(try db.value("SELECT last_sequence FROM event_cursors WHERE source = ?" + lock, [source], as: Int64.self) ?? 0)
    }
}
