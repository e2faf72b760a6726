@preconcurrency import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// A libzmq context. Thread-safe, as libzmq's contexts are; sockets are not.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: a libzmq context may be used from any thread (libzmq's documented
    // guarantee); `handle` is set once in init and only read afterwards.
    let handle: UnsafeMutableRawPointer

    /// - Parameter batchScheduledIO: run libzmq's I/O threads under Linux's `SCHED_BATCH`
    ///   (on by default). A message queued on a socket wakes the I/O thread that writes it
    ///   out; a normal thread woken so takes the CPU at once when it shares it with the
    ///   sender, writes that one message and sleeps again, so a burst of replies costs a
    ///   wake-up and two thread switches each. A batch thread does not take the CPU on being
    ///   woken: it runs when the sender waits or yields (`yieldToIOThreads()`), and writes
    ///   the whole burst at once. It needs no privilege and has the same share of the CPU.
    public init(ioThreads: Int32 = 1, batchScheduledIO: Bool = true) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
        #if os(Linux)
        // SCHED_BATCH is 3 in <sched.h>, which Swift's Glibc module does not export (_GNU_SOURCE).
        if batchScheduledIO { zmq_ctx_set(handle, ZMQ_THREAD_SCHED_POLICY, 3) }
        #endif
    }

    /// Whether the I/O threads run batch-scheduled (see `init`).
    public var batchScheduledIO: Bool { zmq_ctx_get(handle, ZMQ_THREAD_SCHED_POLICY) == 3 }

    /// Lets the other threads ready on this CPU run now, among them an I/O thread that this
    /// thread's sends woke (see `batchScheduledIO`): called after a turn's messages are
    /// queued, so that they leave together while this thread goes on with the next turn.
    /// Costs one system call when nothing else is ready.
    public static func yieldToIOThreads() {
        #if canImport(Glibc)
        sched_yield()
        #endif
    }

    /// A new socket, owned by the thread that uses it.
    public func socket(_ type: ZMQSocketType) throws(ZMQError) -> ZMQSocket {
        guard let socket = zmq_socket(handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket \(type)")
        }
        return ZMQSocket(handle: socket, type: type)
    }

    /// Makes every blocking call on this context's sockets return `ETERM`; sockets must then
    /// be closed by their owners before `terminate()` returns.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    /// Waits until every socket is closed, then frees the context.
    public func terminate() {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Whether libzmq was built with a capability, e.g. `curve`.
    public static func has(_ capability: String) -> Bool { zmq_has(capability) != 0 }

    /// libzmq's version, e.g. `4.3.4`.
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

/// The socket types the suite uses.
public struct ZMQSocketType: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public let description: String

    public static let router = ZMQSocketType(rawValue: ZMQ_ROUTER, description: "ROUTER")
    public static let dealer = ZMQSocketType(rawValue: ZMQ_DEALER, description: "DEALER")
    public static let pub = ZMQSocketType(rawValue: ZMQ_PUB, description: "PUB")
    public static let sub = ZMQSocketType(rawValue: ZMQ_SUB, description: "SUB")
    public static let pair = ZMQSocketType(rawValue: ZMQ_PAIR, description: "PAIR")
    public static let rep = ZMQSocketType(rawValue: ZMQ_REP, description: "REP")
}
