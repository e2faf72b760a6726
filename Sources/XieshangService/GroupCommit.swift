import GRDB
import Synchronization

/// Group commit: concurrent writes wait together and commit in one transaction, each in its
/// own savepoint, so one that fails rolls back alone and the others still commit. SQLite has
/// one writer; when many requests write at once, a transaction each would queue them one
/// behind another, each paying the commit (on PostgreSQL, each paying a round trip and a
/// WAL flush). Every write is still acknowledged only after its transaction commits.
final class GroupCommit: Sendable {
    /// One caller's change: `run` in its own savepoint; when that throws and the savepoint
    /// has rolled back, `recover` in the same transaction, which answers in its place or
    /// throws (the error, or another).
    struct Work: Sendable {
        let run: @Sendable (any SQLSession) throws -> [UInt8]
        let recover: @Sendable (any SQLSession, any Error) throws -> [UInt8]
    }
    /// Runs a batch's works in one transaction, each in a savepoint; throws when the
    /// transaction itself failed (nothing of the batch was written).
    typealias Transact = @Sendable ([Work]) async throws -> [Result<[UInt8], any Error>]

    /// How many writes one transaction takes at most.
    static let maxBatch = 64

    private let transact: Transact
    private let state = Mutex<(jobs: [Job], draining: Bool)>(([], false))
    /// Transactions run and the writes they carried, since the start (for the metrics: how
    /// many writes share a commit under the load of the moment).
    private let counts = Mutex<(transactions: Int, writes: Int)>((0, 0))

    /// Transactions run so far, and the writes they carried.
    var totals: (transactions: Int, writes: Int) { counts.withLock { $0 } }
    /// False: each write is a transaction of its own, run at once (PostgreSQL).
    private let batches: Bool

    init(batches: Bool = true, transact: @escaping Transact) {
        self.batches = batches
        self.transact = transact
    }

    /// Batches on a SQLite writer.
    static func sqlite(_ writer: any DatabaseWriter) -> GroupCommit {
        GroupCommit { works in
            let cause = FirstError()
            do {
                return try await writer.write { db -> [Result<[UInt8], any Error>] in
                    let session = SQLiteSession(db)
                    return works.map { work in
                        do {
                            return .success(try session.savepoint { try work.run(session) })
                        } catch {
                            cause.note(error)
                            do {
                                return .success(try work.recover(session, error))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                }
            } catch {
                // The transaction itself failed (disk full, read-only): nothing was written.
                // When a job's own write hit a full disk, SQLite rolled the whole transaction
                // back and the commit only says "aborted": report the cause to every job.
                throw cause.storageError ?? error
            }
        }
    }

    /// On PostgreSQL each write is a transaction of its own, on any free connection of the
    /// pool, several at once: the server runs them concurrently, and a transaction holds its
    /// locks (the outbox's head row, members being checked, a room's bookings) for one call
    /// only. Batched, a transaction held the first call's locks while later calls of the batch
    /// waited on another replica's, whose batch waited on this one's: deadlocks, each found
    /// only after PostgreSQL's deadlock_timeout (measured: two replicas did 11 operations a
    /// second where one did 135).
    static func postgres(_ pool: PostgresPool) -> GroupCommit {
        GroupCommit(batches: false) { works in
            let output = try await pool.run { connection in
                try PostgresSession.transaction(connection) { session in try works[0].run(session) }
            }
            return [.success(output)]
        }
    }

    private final class Job: Sendable {
        let work: Work
        private let outcome = Mutex<(result: Result<[UInt8], any Error>?, waiter: CheckedContinuation<Result<[UInt8], any Error>, Never>?)>((nil, nil))

        init(work: Work) { self.work = work }

        func finish(_ result: Result<[UInt8], any Error>) {
            let waiter = outcome.withLock { state -> CheckedContinuation<Result<[UInt8], any Error>, Never>? in
                state.result = result
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: result)
        }

        func result() async -> Result<[UInt8], any Error> {
            await withCheckedContinuation { continuation in
                let ready = outcome.withLock { state -> Result<[UInt8], any Error>? in
                    if let result = state.result { return result }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }

    /// Runs `work` in the next group transaction and returns what it returned once that
    /// transaction has committed.
    /// On PostgreSQL (no batches) `recover` is not called: a change there handles its own
    /// refusals in savepoints of its own.
    func submit(_ run: @escaping @Sendable (any SQLSession) throws -> [UInt8],
                recover: @escaping @Sendable (any SQLSession, any Error) throws -> [UInt8] = { _, error in throw error }) async throws -> [UInt8] {
        let work = Work(run: run, recover: recover)
        guard batches else {
            counts.withLock { $0.transactions += 1; $0.writes += 1 }
            return try await transact([work])[0].get()
        }
        let job = Job(work: work)
        let lead = state.withLock { state -> Bool in
            state.jobs.append(job)
            if state.draining { return false }
            state.draining = true
            return true
        }
        // The first writer to find no batch running starts one; it runs until the queue is
        // empty, so writers arriving meanwhile join the next transaction.
        if lead { Task { await self.drain() } }
        return try await job.result().get()
    }

    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Job] in
                let batch = Array(state.jobs.prefix(Self.maxBatch))
                state.jobs.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            counts.withLock { $0.transactions += 1; $0.writes += batch.count }
            do {
                let results = try await transact(batch.map(\.work))
                for (job, result) in zip(batch, results) { job.finish(result) }
            } catch {
                for job in batch { job.finish(.failure(error)) }
            }
        }
    }
}

/// The first storage failure (disk full, I/O, read-only) among a batch's jobs.
private final class FirstError: Sendable {
    private let error = Mutex<DatabaseError?>(nil)

    func note(_ failure: any Error) {
        guard let failure = failure as? DatabaseError else { return }
        switch failure.resultCode.primaryResultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            error.withLock { if $0 == nil { $0 = failure } }
        default:
            break
        }
    }

    var storageError: DatabaseError? { error.withLock { $0 } }
}
