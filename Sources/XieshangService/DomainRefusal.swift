import XieshangRPC
import XieshangWire

/// What a service refuses, and the one place that maps it to a status code: bad fields
/// (INVALID_ARGUMENT, every one named), a thing that is not there (NOT_FOUND), one that is
/// there already (ALREADY_EXISTS), a step its state does not allow (FAILED_PRECONDITION), a
/// caller who may not (PERMISSION_DENIED). Every service throws it as its own error type
/// (`RegistryError`, `SchedulerError`, `ProposalError`, `DutyError`).
public enum DomainRefusal: Error, RPCErrorConvertible {
    case invalid([(field: String, problem: String)])
    case notFound(field: String, what: String)
    /// A thing whose name or number another one has (a member number in the term, a unit's name).
    case alreadyExists(field: String, what: String)
    case notAllowed(field: String, String)
    /// Not allowed because of other things, each named in a violation of `field` (a room or
    /// members taken by these meetings).
    case notAllowedBecause(field: String, String, because: [String])
    case permissionDenied(String)
    /// A limit of what one caller may keep waiting (RESOURCE_EXHAUSTED).
    case exhausted(String)
    /// Another refusal, said in Chinese too (`saying(_:)`).
    indirect case said(DomainRefusal, zh: String)

    /// The same refusal with its words in Chinese for the person who asked: a member or a
    /// unit on the portal reads them instead of the English, staff see them under it.
    /// Say what stands in the way and, where there is one, what to do; name no ids the
    /// person did not see.
    public func saying(_ zh: String) -> DomainRefusal { .said(self, zh: zh) }

    public var rpcError: RPCError {
        switch self {
        case .said(let refusal, let zh):
            var error = refusal.rpcError
            error.localizedMessage = zh
            return error
        case .invalid(let problems):
            return RPCError.invalidArgument(problems)
        case .notFound(let field, let what):
            return RPCError(.notFound, "\(field): \(what) not found", violations: [RpcV1.FieldViolation(field: field, description: "\(what) not found")])
        case .alreadyExists(let field, let what):
            return RPCError(.alreadyExists, "\(field): \(what) already exists", violations: [RpcV1.FieldViolation(field: field, description: "\(what) already exists")])
        case .notAllowed(let field, let message):
            return RPCError(.failedPrecondition, message, violations: [RpcV1.FieldViolation(field: field, description: message)])
        case .notAllowedBecause(let field, let message, let reasons):
            return RPCError(.failedPrecondition, message, violations: reasons.map { RpcV1.FieldViolation(field: field, description: $0) })
        case .permissionDenied(let message):
            return RPCError(.permissionDenied, message, violations: [RpcV1.FieldViolation(field: "actor", description: message)])
        case .exhausted(let message):
            return RPCError(.resourceExhausted, message)
        }
    }
}
