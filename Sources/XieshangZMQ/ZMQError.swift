@preconcurrency import CZeroMQ

/// A failed libzmq call: the operation, errno right after it, and libzmq's text for it.
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The errno value (`EAGAIN`, `EHOSTUNREACH`, `ETERM`, …).
    public let code: Int32
    /// What was being done, e.g. `bind tcp://127.0.0.1:7101`.
    public let operation: String
    /// libzmq's description of `code`.
    public let text: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        self.text = String(cString: zmq_strerror(code))
    }

    /// Reads errno right after a failed call.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(code: code, operation: operation())
    }

    public var description: String { "\(operation): \(text) (errno \(code))" }

    /// The context was terminated while the call was in progress.
    public var isTerminated: Bool { code == ETERM }
    /// Nothing to receive, or no room to send, without blocking.
    public var isWouldBlock: Bool { code == EAGAIN }
}

extension String {
    /// The text of a C buffer a function wrote a NUL-terminated message into (up to its NUL;
    /// all of it when there is none). For the suite's other C callers too (libpq, libcurl).
    package init(cCharacters buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
