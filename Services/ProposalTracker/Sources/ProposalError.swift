import XieshangRPC
import XieshangWire

/// What the tracker refuses, and the one place that maps it to a status code.
public enum ProposalError: Error, RPCErrorConvertible {
    case invalid([(field: String, problem: String)])
    case notFound(field: String, what: String)
    case notAllowed(field: String, String)
    case permissionDenied(String)

    public var rpcError: RPCError {
        switch self {
        case .invalid(let problems):
            return RPCError.invalidArgument(problems)
        case .notFound(let field, let what):
            return RPCError(.notFound, "\(field): \(what) not found", violations: [violation(field, "\(what) not found")])
        case .notAllowed(let field, let message):
            return RPCError(.failedPrecondition, message, violations: [violation(field, message)])
        case .permissionDenied(let message):
            return RPCError(.permissionDenied, message, violations: [violation("actor", message)])
        }
    }

    private func violation(_ field: String, _ description: String) -> RpcV1.FieldViolation {
        var v = RpcV1.FieldViolation()
        v.field = field
        v.description = description
        return v
    }
}
