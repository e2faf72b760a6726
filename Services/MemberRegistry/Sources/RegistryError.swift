import XieshangRPC

/// What the registry refuses, and the one place that maps it to a status code.
public enum RegistryError: Error, RPCErrorConvertible {
    /// Invalid values: (field path, what is wrong), every one of them.
    case invalid([(field: String, problem: String)])
    case notFound(field: String, what: String)
    case alreadyExists(field: String, what: String)
    case failedPrecondition(String)

    public var rpcError: RPCError {
        switch self {
        case .invalid(let problems):
            RPCError.invalidArgument(problems)
        case .notFound(let field, let what):
            RPCError(.notFound, "\(field): \(what) not found", violations: [violation(field, "\(what) not found")])
        case .alreadyExists(let field, let what):
            RPCError(.alreadyExists, "\(field): \(what) already exists", violations: [violation(field, "\(what) already exists")])
        case .failedPrecondition(let message):
            RPCError(.failedPrecondition, message)
        }
    }

    private func violation(_ field: String, _ description: String) -> RpcV1.FieldViolation {
        var v = RpcV1.FieldViolation()
        v.field = field
        v.description = description
        return v
    }
}

import XieshangWire
