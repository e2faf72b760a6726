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
            RPCError(.notFound, "\(field): \(what) not found", violations: [RpcV1.FieldViolation(field: field, description: "\(what) not found")])
        case .alreadyExists(let field, let what):
            RPCError(.alreadyExists, "\(field): \(what) already exists", violations: [RpcV1.FieldViolation(field: field, description: "\(what) already exists")])
        case .failedPrecondition(let message):
            RPCError(.failedPrecondition, message)
        }
    }

}

import XieshangWire
