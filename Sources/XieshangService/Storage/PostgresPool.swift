import Foundation
import Synchronization
import XieshangRPC
import XieshangWire

/// A transaction on a PostgreSQL connection, as an `SQLSession`.
final class PostgresSession: SQLSession {
    let connection: PostgresConnection
    private var commitActions: [@Sendable () -> Void] = []
    private var savepoints = 0
    /// Whether the outbox's commit signal is already registered.
    var signalsOutbox = false

    init(_ connection: PostgresConnection) { self.connection = connection }

    var engine: SQLEngine { .postgres }

    @discardableResult
    func execute(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> Int {
        SQLStatementTally.shared.add()
        return try connection.run(sql, arguments.map(\.sqlValue)).changed
    }

    func rows(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> [SQLRow] {
        SQLStatementTally.shared.add()
        return try connection.run(sql, arguments.map(\.sqlValue)).rows
    }

    func insert(_ sql: String, _ arguments: [any SQLValueConvertible], returning key: String) throws -> Int64 {
        guard let id = try value(sql + " RETURNING " + key, arguments, as: Int64.self) else {
            throw RPCError(.internal, "an insert that returns its key wrote no row")
        }
        return id
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepoints += 1
        let name = "s\(savepoints)"
        try connection.run("SAVEPOINT \(name)")
        do {
            let result = try body()
            try connection.run("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            // A transaction whose connection broke is gone anyway.
            if connection.isUsable { try connection.run("ROLLBACK TO SAVEPOINT \(name)") }
            throw error
        }
    }

    func afterCommit(_ action: @escaping @Sendable () -> Void) { commitActions.append(action) }

    /// Runs `body` in a transaction on `connection`: committed when it returns, rolled back
    /// when it throws.
    static func transaction<T>(_ connection: PostgresConnection, readOnly: Bool = false, _ body: (PostgresSession) throws -> T) throws -> T {
        // Reads see one snapshot for all their statements; writes see each statement's latest
        // committed state (READ COMMITTED), and wait for rows another replica holds.
        do {
            try connection.run(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
        } catch {
            // A connection that broke while idle (the server restarted): nothing of the
            // transaction ran, so the pool may run it again on a new connection.
            if !connection.isUsable { throw StaleConnection(underlying: error) }
            throw error
        }
        let session = PostgresSession(connection)
        let result: T
        do {
            result = try body(session)
            try connection.run("COMMIT")
        } catch {
            if connection.isUsable { _ = try? connection.run("ROLLBACK") }
            throw error
        }
        for action in session.commitActions { action() }
        return result
    }
}

/// A few threads, each owning a connection to one PostgreSQL database, taking work from one
/// queue. libpq blocks while the server works: the work runs on these threads, never on
/// the Swift concurrency pool's. A broken connection is replaced on the next piece of work;
/// while the server is away, work fails with a transient `PostgresError` (UNAVAILABLE).
final class PostgresPool: Sendable {
    let url: String
    private let queue = Mutex<(jobs: [Job], stopped: Bool)>(([], false))
    private let signal = DispatchSemaphore(value: 0)
    private let lanes: Int

    /// A piece of work, given a connection (or why there is none) and whether this is its last
    /// try; true: run it again on a new connection (its own had broken while idle).
    typealias Job = @Sendable (Result<PostgresConnection, PostgresError>, _ last: Bool) -> Bool

    init(url: String, lanes: Int) {
        self.url = Self.withConnectTimeout(url)
        self.lanes = lanes
        for lane in 0..<lanes {
            Thread.start(named: "postgres-\(lane)") { [self] in work() }
        }
    }

    /// A server that does not answer fails a connection in 5 s (libpq's default is to wait
    /// as long as the operating system does), unless the URL sets its own `connect_timeout`.
    static func withConnectTimeout(_ url: String) -> String {
        if url.contains("connect_timeout=") { return url }
        return url + (url.contains("?") ? "&" : "?") + "connect_timeout=5"
    }

    /// Runs `body` with a connection of the pool and returns what it returns. A transaction
    /// that could not begin on a connection broken while idle (every one of them, after the
    /// server restarts) runs again on a new one, up to once per lane: the caller sees
    /// UNAVAILABLE only while the server is really away.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { connection, last in
                do {
                    continuation.resume(returning: try body(connection.get()))
                } catch let stale as StaleConnection {
                    if !last { return true }
                    continuation.resume(throwing: stale.underlying)
                } catch {
                    continuation.resume(throwing: error)
                }
                return false
            }
        }
    }

    /// The same, waiting on the calling thread (a thread of its own, never a task).
    func runBlocking<T>(_ body: @escaping (PostgresConnection) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<T, any Error>?
        nonisolated(unsafe) let body = body
        submit { connection, last in
            do {
                outcome = .success(try body(connection.get()))
            } catch let stale as StaleConnection {
                if !last { return true }
                outcome = .failure(stale.underlying)
            } catch {
                outcome = .failure(error)
            }
            done.signal()
            return false
        }
        done.wait()
        return try outcome!.get()
    }

    private func submit(_ job: @escaping Job) {
        let accepted = queue.withLock { state -> Bool in
            if state.stopped { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { signal.signal() } else { _ = job(.failure(PostgresError(connection: "the service is stopping")), true) }
    }

    /// Ends the threads once the queued work is done.
    func close() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<lanes { signal.signal() }
    }

    private func work() {
        var connection: PostgresConnection?
        while true {
            signal.wait()
            let next = queue.withLock { state -> Job? in state.jobs.isEmpty ? nil : state.jobs.removeFirst() }
            guard let job = next else {
                if queue.withLock({ $0.stopped }) { return }
                continue
            }
            var tries = 0
            while true {
                if connection.map({ !$0.isUsable }) ?? true {
                    connection = nil
                    do {
                        connection = try PostgresConnection(url: url)
                    } catch {
                        _ = job(.failure(error), true)
                        break
                    }
                }
                guard job(.success(connection!), tries >= lanes) else { break }
                tries += 1
            }
        }
    }
}

/// A transaction's BEGIN failed on a connection that had broken while idle: nothing ran.
struct StaleConnection: Error, CustomStringConvertible, RPCErrorConvertible {
    let underlying: PostgresError
    var description: String { underlying.description }
    var rpcError: RPCError { underlying.rpcError }
}
