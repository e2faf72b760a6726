import Foundation
import GRDB
import Logging
import ServiceLifecycle
import XieshangRPC
import XieshangWire

extension ServiceDatabase {
    /// Runs a mutating handler's change at most once per (principal, request id).
    ///
    /// In one write transaction: if a reply is stored for this call, it is returned and
    /// `change` does not run; otherwise `change` runs and its reply is stored with it, so a
    /// retry after a lost reply or a crash gets the same answer instead of acting twice.
    /// A `change` that throws rolls back and stores nothing.
    ///
    /// Concurrent calls share a transaction (group commit), each in its own savepoint; the
    /// reply is returned only after that transaction commits.
    ///
    /// - Returns: the reply, and whether it was replayed from the store.
    public func idempotent<Reply: WireMessage>(
        _ context: RPCCallContext,
        _ change: @escaping @Sendable (Database) throws -> Reply
    ) async throws -> (reply: Reply, replayed: Bool) {
        try await idempotentSession(context) { session in
            guard let sqlite = session as? SQLiteSession else {
                throw RPCError(.internal, "this change is written for SQLite, and the service's database is PostgreSQL")
            }
            return try change(sqlite.db)
        }
    }

    /// `idempotent` for a change written for both engines (`SQLSession`). On PostgreSQL the
    /// stored reply is shared by the service's replicas: a retry that lands on another
    /// replica gets it too, and two replicas given the same call at once apply it once (the
    /// second waits on the first's row of `rpc_replies`, then returns its reply).
    ///
    /// `readStoredFirst: false` is for a small change on the hot path whose retry its own
    /// checks refuse at once (a booking finds its room taken): on SQLite, for a key without a
    /// quota, the change then runs first and the stored reply is read only when it fails.
    /// A large change (an import, a recount) keeps the default, so that a retry is answered
    /// without doing it all again to be rolled back.
    public func idempotentSession<Reply: WireMessage>(
        _ context: RPCCallContext,
        readStoredFirst: Bool = true,
        _ change: @escaping @Sendable (any SQLSession) throws -> Reply
    ) async throws -> (reply: Reply, replayed: Bool) {
        let principal = context.principal.description
        let requestID = context.requestID
        let method = context.method
        let quota = Self.changesPerDay(context.principal.role)
        if let replaced = fileReplaced() {
            // Acknowledging a write into a file nobody will ever open again loses it.
            throw RPCError(.dataLoss, "\(replaced); nothing was written")
        }
        // Asked to (and on SQLite, for a key without a quota), the change runs first and the
        // stored reply is read only when it fails: a retry of an applied call either fails
        // its own checks (the meeting it made holds the room now) or its reply's row (the
        // primary key principal, request id) does; either way its savepoint rolls back and
        // the stored reply answers. The first try of a call, nearly every call, reads nothing
        // for it. A key with a quota reads first, so that a retry is answered even at the quota.
        let writeFirst = !readStoredFirst && engine == .sqlite && quota == nil
        // The group's transactions carry bytes: the reply, then one byte saying if it was stored.
        var output = try await groupCommit.submit { session -> [UInt8] in
            let (bytes, replayed) = try apply(session)
            return bytes + [replayed ? 1 : 0]
        } recover: { session, error in
            guard writeFirst, let bytes = try stored(session) else { throw error }
            return bytes + [1]
        }
        let replayed = output.removeLast() == 1
        return (try Reply(decoding: output), replayed)

        @Sendable func stored(_ session: any SQLSession) throws -> [UInt8]? {
            guard let row = try session.row(
                "SELECT method, reply FROM rpc_replies WHERE principal = ? AND request_id = ?", [principal, requestID]) else { return nil }
            let storedMethod: String = row["method"]
            guard storedMethod == method else {
                throw RPCError(.failedPrecondition, "request id \(requestID) was already used for \(storedMethod)")
            }
            return row["reply"]
        }

        @Sendable func apply(_ session: any SQLSession) throws -> ([UInt8], Bool) {
            if !writeFirst, let bytes = try stored(session) { return (bytes, true) }
            if let quota {
                // What one member's or unit's key can make the service store is bounded: its
                // stored replies of the last day (each one change it made).
                let since = Date.nowMilliseconds - 86_400_000
                let made = try session.value(
                    "SELECT COUNT(*) FROM rpc_replies WHERE principal = ? AND created_at_ms >= ?", [principal, since], as: Int.self) ?? 0
                if made >= quota {
                    throw RPCError(.resourceExhausted, "\(principal) made \(made) changes in the last 24 hours, the most one \(context.principal.role.rawValue)'s key may; nothing was written (ask the office if this is real work)")
                }
            }
            func changeAndStore() throws -> [UInt8] {
                let reply = try change(session)
                let bytes = try reply.encode()
                try session.execute(
                    "INSERT INTO rpc_replies (principal, request_id, method, reply, created_at_ms) VALUES (?, ?, ?, ?, ?)",
                    [principal, requestID, method, bytes, Date.nowMilliseconds])
                return bytes
            }
            guard session.engine == .postgres else { return (try changeAndStore(), false) }
            // Another replica may be applying the same call: its rows (of rpc_replies, or of
            // the change itself) make this one wait until it commits, then fail on a unique
            // key; the change is undone and the stored reply returned.
            do {
                return (try session.savepoint(changeAndStore), false)
            } catch let error as PostgresError where error.sqlState == "23505" {
                // The other replica's rows of the same call (its invitees, its reply) made this
                // one wait, then refused it: when that call committed its reply, it is this one's.
                guard let bytes = try stored(session) else { throw error }
                return (bytes, true)
            }
        }
    }

    /// How many changes a key of `role` may make in 24 hours; nil for the office, the
    /// services and operators, whose volume is the committee's own work.
    public static func changesPerDay(_ role: Role) -> Int? {
        switch role {
        case .member, .unit, .portal, .public: 2_000
        case .admin, .staff, .service: nil
        }
    }

    /// The reply stored for this call, if it was already applied. A handler that must do
    /// slow work before its transaction (e.g. ask another service) checks this first, so a
    /// retry of an applied call returns its reply without redoing that work.
    public func storedReply<Reply: WireMessage>(_ context: RPCCallContext, as type: Reply.Type) async throws -> Reply? {
        let principal = context.principal.description
        let requestID = context.requestID
        let data = try await readSession { session in
            try session.value("SELECT reply FROM rpc_replies WHERE principal = ? AND request_id = ?", [principal, requestID], as: [UInt8].self)
        }
        return try data.map { try Reply(decoding: $0) }
    }

    /// For a change whose checks before its transaction refused (another service's answer, the
    /// state it starts from): the reply stored for this request id when the call already
    /// succeeded and this is its retry, else `error` itself. A change that checks first and
    /// asks for the stored reply only on a refusal reads nothing extra on its way to the
    /// transaction, where `idempotent` finds a stored reply anyway.
    public func storedReply<Reply: WireMessage>(_ context: RPCCallContext, as type: Reply.Type, orThrow error: any Error) async throws -> Reply {
        if let stored = try await storedReply(context, as: type) { return stored }
        throw error
    }

    /// Forgets stored replies older than `age`: retries come within seconds, so a day is ample.
    @discardableResult
    public func pruneReplies(olderThan age: Duration = .seconds(86_400)) async throws -> Int {
        let cutoff = Date.nowMilliseconds - age.components.seconds * 1000
        return try await writeSession { session in
            try session.execute("DELETE FROM rpc_replies WHERE created_at_ms < ?", [cutoff])
        }
    }
}

extension Date {
    /// Milliseconds since the Unix epoch, the wire's time unit.
    public static var nowMilliseconds: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// Forgets stored replies older than a day, every hour, for as long as the service runs: a
/// service that runs for months keeps a day of replies, not all of them.
struct ReplyPruner: Service {
    let database: ServiceDatabase
    let logger: Logger
    var every: Duration = .seconds(3600)

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                // Ends at once on graceful shutdown, so the pruner never holds a drain up.
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: every) }
            } catch {
                return
            }
            do {
                let pruned = try await database.pruneReplies()
                if pruned > 0 { logger.debug("pruned stored replies", metadata: ["rpc.pruned": "\(pruned)"]) }
            } catch {
                logger.warning("pruning stored replies failed; will try again", metadata: ["error": "\(error)"])
            }
        }
    }
}
