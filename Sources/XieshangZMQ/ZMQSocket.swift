@preconcurrency import CZeroMQ

/// One libzmq socket. Not thread-safe: one owner, used from one thread, closed explicitly.
public final class ZMQSocket {
    private var handle: UnsafeMutableRawPointer?
    public let type: ZMQSocketType
    /// One message struct reused for every receive on this socket.
    private let message: UnsafeMutablePointer<zmq_msg_t>

    init(handle: UnsafeMutableRawPointer, type: ZMQSocketType) {
        self.handle = handle
        self.type = type
        self.message = .allocate(capacity: 1)
    }

    deinit {
        assert(handle == nil, "ZMQSocket \(type) was not closed")
        if let handle { zmq_close(handle) }
        message.deallocate()
    }

    private var socket: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("use of a closed ZMQSocket") }
        return handle
    }

    public var isClosed: Bool { handle == nil }

    /// Closes the socket. `linger` (ms) bounds how long pending messages may still be sent;
    /// 0 drops them, which loses a message sent just before.
    public func close(linger: Int32? = nil) {
        guard let handle else { return }
        if let linger { try? set(ZMQ_LINGER, linger) }
        zmq_close(handle)
        self.handle = nil
    }

    // MARK: - Endpoints

    public func bind(_ endpoint: String) throws(ZMQError) {
        if zmq_bind(socket, endpoint) != 0 { throw ZMQError.last("bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        if zmq_connect(socket, endpoint) != 0 { throw ZMQError.last("connect \(endpoint)") }
    }

    public func disconnect(_ endpoint: String) throws(ZMQError) {
        if zmq_disconnect(socket, endpoint) != 0 { throw ZMQError.last("disconnect \(endpoint)") }
    }

    /// The endpoint last bound, with the real port when the bind asked for `*`.
    public var lastEndpoint: String {
        get throws(ZMQError) { try string(ZMQ_LAST_ENDPOINT) }
    }

    // MARK: - Options

    public func set(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var value = value
        if zmq_setsockopt(socket, option, &value, MemoryLayout<Int32>.size) != 0 {
            throw ZMQError.last("setsockopt \(option)")
        }
    }

    public func set(_ option: Int32, _ value: Int64) throws(ZMQError) {
        var value = value
        if zmq_setsockopt(socket, option, &value, MemoryLayout<Int64>.size) != 0 {
            throw ZMQError.last("setsockopt \(option)")
        }
    }

    public func set(_ option: Int32, _ value: [UInt8]) throws(ZMQError) {
        let result = value.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
        if result != 0 { throw ZMQError.last("setsockopt \(option)") }
    }

    public func set(_ option: Int32, _ value: String) throws(ZMQError) {
        try set(option, Array(value.utf8))
    }

    public func int(_ option: Int32) throws(ZMQError) -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(socket, option, &value, &size) != 0 { throw ZMQError.last("getsockopt \(option)") }
        return value
    }

    public func string(_ option: Int32) throws(ZMQError) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        if zmq_getsockopt(socket, option, &buffer, &size) != 0 { throw ZMQError.last("getsockopt \(option)") }
        return String(cCharacters: buffer)
    }

    /// The socket options every suite socket gets (docs/PROTOCOL.md, "Transport").
    public func applyHygiene(maxMessageBytes: Int64, heartbeatMs: Int32 = 2_000, lingerMs: Int32 = 1_000) throws(ZMQError) {
        try set(ZMQ_MAXMSGSIZE, maxMessageBytes)
        try set(ZMQ_HEARTBEAT_IVL, heartbeatMs)
        try set(ZMQ_HEARTBEAT_TIMEOUT, heartbeatMs * 3)
        try set(ZMQ_HEARTBEAT_TTL, heartbeatMs * 3)
        try set(ZMQ_LINGER, lingerMs)
    }

    // MARK: - CURVE

    /// Makes this a CURVE server with its secret key (Z85, 40 characters).
    public func curveServer(secretKey: String) throws(ZMQError) {
        try set(ZMQ_CURVE_SERVER, Int32(1))
        try set(ZMQ_CURVE_SECRETKEY, secretKey)
    }

    /// Makes this a CURVE client of a server whose public key is known (all Z85).
    public func curveClient(publicKey: String, secretKey: String, serverKey: String) throws(ZMQError) {
        try set(ZMQ_CURVE_SERVERKEY, serverKey)
        try set(ZMQ_CURVE_PUBLICKEY, publicKey)
        try set(ZMQ_CURVE_SECRETKEY, secretKey)
    }

    // MARK: - Messages

    /// Sends one multipart message. Returns false, having sent nothing, when the socket
    /// cannot take it without blocking and `wait` is false.
    @discardableResult
    public func send(_ frames: [[UInt8]], wait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = wait ? 0 : ZMQ_DONTWAIT
            if index < frames.count - 1 { flags |= ZMQ_SNDMORE }
            while true {
                let result = frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, flags) }
                if result >= 0 { break }
                // errno first: a would-block is routine under load, and an error's text
                // (strerror's locale lookup) is made only for one that is thrown.
                let code = zmq_errno()
                if code == EINTR { continue }
                // libzmq queues multipart messages atomically: the first frame either fails
                // alone, or every frame is accepted.
                if code == EAGAIN && index == 0 { return false }
                throw ZMQError(code: code, operation: "send on \(type)")
            }
        }
        return true
    }

    /// The ZAP `User-Id` of the peer that sent the last message received, when a ZAP
    /// handler authenticated it (CURVE on); nil otherwise.
    public private(set) var lastUserID: String?

    /// Receives one multipart message; nil when none is waiting and `wait` is false.
    public func receive(wait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        lastUserID = nil
        while true {
            zmq_msg_init(message)
            defer { zmq_msg_close(message) }
            let result = zmq_msg_recv(message, socket, wait ? 0 : ZMQ_DONTWAIT)
            if result < 0 {
                // Every batch of receives ends in a would-block: no error is made for it.
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError(code: code, operation: "receive on \(type)")
            }
            let size = zmq_msg_size(message)
            let data = zmq_msg_data(message)!.assumingMemoryBound(to: UInt8.self)
            frames.append(Array(UnsafeBufferPointer(start: data, count: size)))
            // A ROUTER's routing-id frame carries no metadata; the peer's frames do.
            if lastUserID == nil, let userID = zmq_msg_gets(message, "User-Id") {
                lastUserID = String(cString: userID)
            }
            if zmq_msg_more(message) == 0 { return frames }
        }
    }

    /// Starts libzmq's monitor for `events`, published on an inproc PAIR endpoint.
    public func monitor(_ endpoint: String, events: Int32) throws(ZMQError) {
        if zmq_socket_monitor(socket, endpoint, events) != 0 { throw ZMQError.last("monitor \(endpoint)") }
    }

    /// Stops the monitor. Call it before closing a monitored socket: libzmq sends monitor
    /// events with a blocking send, so an event raised while the socket is torn down, with
    /// the monitor's reader already gone, would stall libzmq's I/O thread for every socket
    /// of the context.
    public func stopMonitor() {
        zmq_socket_monitor(socket, nil, 0)
    }

    /// The raw handle, for `ZMQPoller` only.
    var pollHandle: UnsafeMutableRawPointer { socket }
}
