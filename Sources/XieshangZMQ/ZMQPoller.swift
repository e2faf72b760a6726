@preconcurrency import CZeroMQ
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

/// A pipe that lets any thread wake a socket thread blocked in `zmq_poll`.
public final class WakePipe: @unchecked Sendable {
    // @unchecked: the two descriptors are fixed at init; write(2) and read(2) on a pipe are
    // safe from any thread, and both ends are non-blocking.
    public let readFD: Int32
    private let writeFD: Int32

    public init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe() failed: errno \(errno)")
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Wakes the poller. A full pipe already means a wake-up is pending.
    public func signal() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe after a wake-up.
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }
}
