@preconcurrency import CZeroMQ

/// The socket options and monitor events the suite sets, so that users of this module need
/// not import the C module.
public enum ZMQOption {
    public static let routerMandatory = ZMQ_ROUTER_MANDATORY
    public static let immediate = ZMQ_IMMEDIATE
    public static let linger = ZMQ_LINGER
    public static let sendHighWaterMark = ZMQ_SNDHWM
    public static let receiveHighWaterMark = ZMQ_RCVHWM
    public static let reconnectInterval = ZMQ_RECONNECT_IVL
    public static let reconnectIntervalMax = ZMQ_RECONNECT_IVL_MAX
    public static let subscribe = ZMQ_SUBSCRIBE
    public static let routingID = ZMQ_ROUTING_ID
    public static let zapDomain = ZMQ_ZAP_DOMAIN
    public static let handshakeInterval = ZMQ_HANDSHAKE_IVL
    /// Fail every CURVE handshake when no ZAP handler answers, instead of accepting the
    /// peer (libzmq's default, "fail open"). A draft option; Debian's libzmq 4.3.4 has it.
    public static let zapEnforceDomain: Int32 = 93
}

public enum ZMQEvent {
    public static let connected = Int32(ZMQ_EVENT_CONNECTED)
    public static let disconnected = Int32(ZMQ_EVENT_DISCONNECTED)
    public static let monitorStopped = Int32(ZMQ_EVENT_MONITOR_STOPPED)
    public static let handshakeSucceeded = Int32(ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    /// The peer refused our credentials (ZAP said no).
    public static let handshakeFailedAuth = Int32(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
    /// The peers disagree on the security mechanism, or a CURVE message failed to decrypt.
    public static let handshakeFailedProtocol = Int32(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    public static let handshakeFailedNoDetail = Int32(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
}
