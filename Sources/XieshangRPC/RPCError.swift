import XieshangWire

/// The canonical status codes (gRPC's 17), as generated from `rpc.proto`.
public typealias StatusCode = RpcV1.StatusCode

/// The one error type of the RPC layer: a status code, a message for people, and every
/// invalid field of the request when validation failed. Equality compares the code and the
/// message (as grpc-swift-2's `RPCError`); tests that care only for the kind check `.code`.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    /// What is wrong, in English: for operators, logs and programs.
    public var message: String
    public var violations: [RpcV1.FieldViolation]
    /// The refusal in Chinese for the person who asked, where the service words it (the
    /// portal shows it; the gateway prints it under the English); empty otherwise.
    public var localizedMessage: String

    public init(_ code: StatusCode, _ message: String, violations: [RpcV1.FieldViolation] = [], localized: String = "") {
        self.code = code
        self.message = message
        self.violations = violations
        self.localizedMessage = localized
    }

    /// What a service says of a field left empty (`FieldProblem.empty`) or a message not
    /// given (`FieldProblem.missing`): a violation saying either carries the reason `REQUIRED`.
    public enum FieldProblem {
        public static let empty = "must not be empty"
        public static let missing = "is required"
    }

    /// `INVALID_ARGUMENT` listing each bad field as (field path, what is wrong).
    public static func invalidArgument(_ violations: [(field: String, problem: String)]) -> RPCError {
        let list = violations.map {
            RpcV1.FieldViolation(field: $0.field, description: $0.problem,
                                 reason: $0.problem == FieldProblem.empty || $0.problem == FieldProblem.missing ? "REQUIRED" : "")
        }
        let message = list.count == 1
            ? "\(list[0].field): \(list[0].description)"
            : "\(list.count) fields are invalid"
        return RPCError(.invalidArgument, message, violations: list)
    }

    init(_ status: RpcV1.Status) {
        self.init(status.code, status.message, violations: status.violations, localized: status.localizedMessage)
    }

    var status: RpcV1.Status {
        var status = RpcV1.Status()
        status.code = code
        status.message = message
        status.violations = violations
        status.localizedMessage = localizedMessage
        return status
    }

    public var description: String {
        var text = "\(code.protoName): \(message)"
        for v in violations where !(violations.count == 1 && message.hasPrefix(v.field)) {
            text += "\n  \(v.field): \(v.description)"
        }
        return text
    }

    public static func == (lhs: RPCError, rhs: RPCError) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}

extension StatusCode {
    /// Whether the A6 retry policy retries this code (docs/PROTOCOL.md, "Retries").
    func isRetryable(read: Bool) -> Bool {
        self == .unavailable || (read && self == .deadlineExceeded)
    }
}

extension RpcV1.FieldViolation {
    /// One bad field: its path (`member.phone`), what is wrong with it, and, where the wire
    /// rules refused it, why for a program (`TEXT_TOO_LONG`).
    public init(field: String, description: String, reason: String = "") {
        self.init()
        self.field = field
        self.description = description
        self.reason = reason
    }
}
