import Synchronization

/// Moves a socket from the thread that made it to the one thread that will own it, once.
public final class SocketHandoff: @unchecked Sendable {
    // @unchecked: the socket is stored by the thread that made it and taken exactly once by
    // the thread that owns it from then on, which that same code starts after storing it;
    // Thread.start is the full memory barrier libzmq requires when a socket moves between
    // threads. No other access exists.
    private var socket: ZMQSocket?
    public init(_ socket: ZMQSocket) { self.socket = socket }
    /// A socket never taken (its owner failed to start, e.g. a later bind failed) is closed
    /// here: no other thread ever had it.
    deinit { socket?.close(linger: 0) }
    public func take() -> ZMQSocket {
        guard let socket else { preconditionFailure("socket already taken") }
        self.socket = nil
        return socket
    }
}

/// Lets async code wait for a thread to finish.
public final class ThreadCompletion: Sendable {
    public init() {}

    private let state = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}
