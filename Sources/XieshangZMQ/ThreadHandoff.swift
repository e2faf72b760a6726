import Synchronization

/// Moves a socket from the thread that made it to the one thread that will own it, once.
public final class SocketHandoff: @unchecked Sendable {
    // @unchecked: the socket is stored by the thread that made it and taken exactly once by
    // the thread that owns it from then on, which that same code starts after storing it;
    // Thread.start is the full memory barrier libzmq requires when a socket moves between
    // threads. No other access exists.
    private var socket: ZMQSocket?
    public init(_ socket: ZMQSocket) { self.socket = socket }
    public func take() -> ZMQSocket {
        guard let socket else { preconditionFailure("socket already taken") }
        self.socket = nil
        return socket
    }
}

/// Lets async code wait for a thread to finish.
public final class ThreadCompletion: Sendable {
    public init() {}

    private let state = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.done = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}
