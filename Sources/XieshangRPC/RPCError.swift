import XieshangWire

/// The canonical status codes (gRPC's 17), as generated from `rpc.proto`.
public typealias StatusCode = RpcV1.StatusCode

/// The one error type of the RPC layer: a status code, a message for people, and every
/// invalid field of the request when validation failed. Equality compares the code.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var violations: [RpcV1.FieldViolation]

    public init(_ code: StatusCode, _ message: String, violations: [RpcV1.FieldViolation] = []) {
        self.code = code
        self.message = message
        self.violations = violations
    }

    /// `INVALID_ARGUMENT` listing each bad field as (field path, what is wrong).
    public static func invalidArgument(_ violations: [(field: String, problem: String)]) -> RPCError {
        let list = violations.map { field, problem in
            var v = RpcV1.FieldViolation()
            v.field = field
            v.description = problem
            return v
        }
        let message = list.count == 1
            ? "\(list[0].field): \(list[0].description)"
            : "\(list.count) fields are invalid"
        return RPCError(.invalidArgument, message, violations: list)
    }

    init(_ status: RpcV1.Status) {
        self.init(status.code, status.message, violations: status.violations)
    }

    var status: RpcV1.Status {
        var status = RpcV1.Status()
        status.code = code
        status.message = message
        status.violations = violations
        return status
    }

    public var description: String {
        var text = "\(code.protoName): \(message)"
        for v in violations where !(violations.count == 1 && message.hasPrefix(v.field)) {
            text += "\n  \(v.field): \(v.description)"
        }
        return text
    }

    public static func == (lhs: RPCError, rhs: RPCError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension StatusCode {
    /// Whether the A6 retry policy retries this code (docs/PROTOCOL.md, "Retries").
    func isRetryable(read: Bool) -> Bool {
        self == .unavailable || (read && self == .deadlineExceeded)
    }
}
