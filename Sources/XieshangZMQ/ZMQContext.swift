@preconcurrency import CZeroMQ

/// A libzmq context. Thread-safe, as libzmq's contexts are; sockets are not.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: a libzmq context may be used from any thread (libzmq's documented
    // guarantee); `handle` is set once in init and only read afterwards.
    let handle: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
        zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
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
