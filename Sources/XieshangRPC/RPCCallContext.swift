import XieshangWire
/// What a handler knows about the call it serves.
public struct RPCCallContext: Sendable {
    /// `"member.v1.Members/Create"`.
    public var method: String
    /// Unique per logical call, the same across its retries.
    public var requestID: String
    /// When the caller stops waiting, on this process's clock.
    public var deadline: ContinuousClock.Instant
    public var traceID: String
    /// The calling program as it names itself; informative only.
    public var caller: String
    public var metadata: [String: String]
    public var principal: Principal

    public init(
        method: String, requestID: String, deadline: ContinuousClock.Instant, traceID: String = "",
        caller: String = "", metadata: [String: String] = [:], principal: Principal = .local
    ) {
        self.method = method
        self.requestID = requestID
        self.deadline = deadline
        self.traceID = traceID
        self.caller = caller
        self.metadata = metadata
        self.principal = principal
    }

    /// Time left before the deadline (zero once it has passed).
    public var remaining: Duration { max(.zero, deadline - .now) }

    /// Throws `DEADLINE_EXCEEDED` once the caller has stopped waiting.
    public func checkDeadline() throws(RPCError) {
        if ContinuousClock.now >= deadline {
            throw RPCError(.deadlineExceeded, "deadline of \(method) passed")
        }
    }

    /// The context of the call the current task is serving, if any. A client call made
    /// inside a handler takes its deadline and trace id from here, so the remaining time
    /// propagates to the next service.
    @TaskLocal public static var current: RPCCallContext?
}

import Logging

extension Logger {
    /// This logger with the call's request id, method and trace id in its metadata.
    public func with(_ context: RPCCallContext) -> Logger {
        var logger = self
        logger[metadataKey: "rpc.request_id"] = "\(context.requestID)"
        logger[metadataKey: "rpc.method"] = "\(context.method)"
        if !context.traceID.isEmpty { logger[metadataKey: "rpc.trace_id"] = "\(context.traceID)" }
        logger[metadataKey: "rpc.principal"] = "\(context.principal)"
        return logger
    }
}
