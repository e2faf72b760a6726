@preconcurrency import CZeroMQ
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Waits on several sockets and file descriptors at once (zmq_poll).
public struct ZMQPoller {
    public enum Source {
        case socket(ZMQSocket)
        case fd(Int32)
    }

    private var items: [zmq_pollitem_t]

    public init(_ sources: [Source]) {
        items = sources.map { source in
            switch source {
            case .socket(let socket): zmq_pollitem_t(socket: socket.pollHandle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
            case .fd(let fd): zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0)
            }
        }
    }

    /// Waits up to `timeoutMs` (-1: forever) and returns which sources are readable, by index.
    /// An interrupted wait (EINTR) returns with nothing readable.
    public mutating func poll(timeoutMs: Int) throws(ZMQError) -> [Bool] {
        for index in items.indices { items[index].revents = 0 }
        let result = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), timeoutMs) }
        if result < 0 {
            let error = ZMQError.last("zmq_poll")
            if error.code == EINTR { return Array(repeating: false, count: items.count) }
            throw error
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}

/// Lets any thread wake a socket thread blocked in `zmq_poll`: an eventfd, written only by
/// the first signal after the last drain, so a burst of replies or commands costs one
/// write(2) and one wake-up, not one each.
///
/// The contract, as every user keeps it: a signaller queues its work and then signals; the
/// woken thread drains and then takes the queued work. A signal that lands after the drain
/// writes again and wakes the next poll, so no work is left waiting.
public final class WakeSignal: Sendable {
    public let readFD: Int32
    /// True from the first signal after a drain until the next drain: the eventfd holds a
    /// count, or is about to.
    private let signalled = Atomic<Bool>(false)

    public init() {
        readFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        precondition(readFD >= 0, "eventfd() failed: errno \(errno)")
    }

    deinit { close(readFD) }

    /// Wakes the poller, unless a wake-up is already pending.
    public func signal() {
        guard !signalled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = write(readFD, &one, 8)
    }

    /// Clears the pending wake-up; call it before taking the queued work.
    ///
    /// The count is read before the flag is cleared: the other way round, a signal between
    /// the two would write a count this read takes while leaving the flag set, and every
    /// later signal would be skipped with nothing left to wake the poll.
    public func drain() {
        var count: UInt64 = 0
        _ = read(readFD, &count, 8)
        signalled.store(false, ordering: .sequentiallyConsistent)
    }
}
