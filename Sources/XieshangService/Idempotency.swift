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
        let principal = context.principal.description
        let requestID = context.requestID
        let method = context.method
        let quota = Self.changesPerDay(context.principal.role)
        if let replaced = fileReplaced() {
            // Acknowledging a write into a file nobody will ever open again loses it.
            throw RPCError(.dataLoss, "\(replaced); nothing was written")
        }
        // The group's transactions carry bytes: the reply, then one byte saying if it was stored.
        var output = try await groupCommit.submit { db -> [UInt8] in
            let (bytes, replayed) = try apply(db)
            return bytes + [replayed ? 1 : 0]
        }
        let replayed = output.removeLast() == 1
        return (try Reply(decoding: output), replayed)

        @Sendable func apply(_ db: Database) throws -> ([UInt8], Bool) {
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT method, reply FROM rpc_replies WHERE principal = ? AND request_id = ?"),
                arguments: [principal, requestID]) {
                let storedMethod: String = row["method"]
                guard storedMethod == method else {
                    throw RPCError(.failedPrecondition, "request id \(requestID) was already used for \(storedMethod)")
                }
                let data: Data = row["reply"]
                return ([UInt8](data), true)
            }
            if let quota {
                // What one member's or unit's key can make the service store is bounded: its
                // stored replies of the last day (each one change it made).
                let since = Date.nowMilliseconds - 86_400_000
                let made = try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COUNT(*) FROM rpc_replies WHERE principal = ? AND created_at_ms >= ?"),
                    arguments: [principal, since]) ?? 0
                if made >= quota {
                    throw RPCError(.resourceExhausted, "\(principal) made \(made) changes in the last 24 hours, the most one \(context.principal.role.rawValue)'s key may; nothing was written (ask the office if this is real work)")
                }
            }
            let reply = try change(db)
            let bytes = try reply.encode()
            try db.cachedStatement(sql: "INSERT INTO rpc_replies (principal, request_id, method, reply, created_at_ms) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [principal, requestID, method, Data(bytes), Date.nowMilliseconds])
            return (bytes, false)
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
        let data = try await writer.read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT reply FROM rpc_replies WHERE principal = ? AND request_id = ?"), arguments: [principal, requestID])
        }
        return try data.map { try Reply(decoding: [UInt8]($0)) }
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
        return try await writer.write { db in
            try db.cachedStatement(sql: "DELETE FROM rpc_replies WHERE created_at_ms < ?").execute(arguments: [cutoff])
            return db.changesCount
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
