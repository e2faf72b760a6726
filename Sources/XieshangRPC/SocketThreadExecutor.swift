import Dispatch
import Synchronization
import XieshangZMQ
#if canImport(Glibc)
import Glibc
#endif

/// Runs a server's handler tasks on the thread that owns its socket, as an event loop runs
/// the handlers of its connections: a request that a handler answers without waiting on
/// anything is received, handled and answered by that one thread, with no other thread woken.
/// A handler that waits (on the database's queues, on another service) resumes here when that
/// work is done, so a call costs the hand-offs to what it waits on and no more.
///
/// A client's thread is one too (`RPCClient.executor`): a caller whose task prefers it makes
/// its calls and gets their replies there, as the callers of an event-loop client do.
///
/// Jobs enqueued from the socket thread itself (a task made for a request, a child task) are
/// run by the loop's next `runPending()` without a wake-up; jobs enqueued from elsewhere (a
/// database queue resuming a handler) wake the loop's poll through `wake`. Once the thread
/// has stopped (`close()`), jobs go to the global concurrent pool: a task that still prefers
/// this executor runs on there instead of waiting for a thread that is gone.
final class SocketThreadExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `queued` is behind its mutex; `running` is touched only by the socket
    // thread, `owner` is atomic.
    private let queued = Mutex<(jobs: [UnownedJob], closed: Bool)>(([], false))
    private var running: [UnownedJob] = []
    private let wake: WakeSignal
    private let owner = Atomic<UInt>(0)

    init(wake: WakeSignal) { self.wake = wake }

    /// Called once by the socket thread before it serves.
    func adoptCurrentThread() { owner.store(UInt(pthread_self()), ordering: .releasing) }

    var isOnSocketThread: Bool { owner.load(ordering: .acquiring) == UInt(pthread_self()) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let open = queued.withLock { state -> Bool in
            if !state.closed { state.jobs.append(job) }
            return !state.closed
        }
        if !open {
            forward(job)
        } else if !isOnSocketThread {
            wake.signal()
        }
    }

    /// Whether jobs are waiting (the loop polls without blocking then).
    var hasPending: Bool { queued.withLock { !$0.jobs.isEmpty } }

    /// Runs the jobs queued so far, on the socket thread. Jobs they enqueue wait for the next
    /// call, so the socket is polled between batches however busy the handlers are.
    func runPending() {
        queued.withLock { swap(&$0.jobs, &running) }
        let executor = asUnownedTaskExecutor()
        for job in running { job.runSynchronously(on: executor) }
        running.removeAll(keepingCapacity: true)
    }

    /// Called by the socket thread as it stops: what is queued, and what comes later, runs on
    /// the global pool.
    func close() {
        // The thread's id may be given to a thread started later.
        owner.store(0, ordering: .releasing)
        let left = queued.withLock { state -> [UnownedJob] in
            state.closed = true
            defer { state.jobs = [] }
            return state.jobs
        }
        for job in left { forward(job) }
    }

    private func forward(_ job: UnownedJob) {
        let executor = asUnownedTaskExecutor()
        DispatchQueue.global().async { job.runSynchronously(on: executor) }
    }
}

/// Runs a handler's step that would hold a thread (parsing an uploaded file, hashing or
/// reading a file, any call that blocks) on the global pool, not on the server's socket
/// thread, which would hold up every other caller's request meanwhile. A database closure
/// already runs on the database's own threads and needs no such care.
public func offSocketThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor) { () async throws -> T in try body() }
}
