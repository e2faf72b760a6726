import GRDB
import Synchronization

/// Group commit: concurrent writes wait together and commit in one SQLite transaction, each
/// in its own savepoint, so one that fails rolls back alone and the others still commit.
/// SQLite has one writer; when many requests write at once, a transaction each would queue
/// them one behind another, each paying the commit. Every write is still acknowledged only
/// after its transaction commits.
final class GroupCommit: Sendable {
    typealias Work = @Sendable (Database) throws -> [UInt8]

    /// How many writes one transaction takes at most.
    static let maxBatch = 64

    private let writer: any DatabaseWriter
    private let state = Mutex<(jobs: [Job], draining: Bool)>(([], false))

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    private final class Job: Sendable {
        let work: Work
        private let outcome = Mutex<(result: Result<[UInt8], any Error>?, waiter: CheckedContinuation<Result<[UInt8], any Error>, Never>?)>((nil, nil))

        init(work: @escaping Work) { self.work = work }

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
    func submit(_ work: @escaping Work) async throws -> [UInt8] {
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
            let cause = FirstError()
            do {
                let results = try await writer.write { db -> [Result<[UInt8], any Error>] in
                    var results: [Result<[UInt8], any Error>] = []
                    for job in batch {
                        do {
                            var output: [UInt8] = []
                            try db.inSavepoint {
                                output = try job.work(db)
                                return .commit
                            }
                            results.append(.success(output))
                        } catch {
                            cause.note(error)
                            results.append(.failure(error))
                        }
                    }
                    return results
                }
                for (job, result) in zip(batch, results) { job.finish(result) }
            } catch {
                // The transaction itself failed (disk full, read-only): nothing was written.
                // When a job's own write hit a full disk, SQLite rolled the whole transaction
                // back and the commit only says "aborted": report the cause to every job.
                let reported = cause.storageError ?? error
                for job in batch { job.finish(.failure(reported)) }
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
