import XieshangRPC
import XieshangWire

/// What the scheduler refuses, and the one place that maps it to a status code.
public enum SchedulerError: Error, RPCErrorConvertible {
    case invalid([(field: String, problem: String)])
    case notFound(field: String, what: String)
    /// Not allowed in the meeting's state (publishing twice, changing a closed meeting, …).
    case failedPrecondition(field: String, String)
    /// A room or a required member is taken at that time.
    case conflict(field: String, String, [MeetingV1.Conflict])
    /// The caller may call the method, but not on this meeting (a member on a meeting they do not run).
    case permissionDenied(String)

    public var rpcError: RPCError {
        switch self {
        case .invalid(let problems):
            return RPCError.invalidArgument(problems)
        case .notFound(let field, let what):
            return RPCError(.notFound, "\(field): \(what) not found", violations: [RpcV1.FieldViolation(field: field, description: "\(what) not found")])
        case .failedPrecondition(let field, let message):
            return RPCError(.failedPrecondition, message, violations: [RpcV1.FieldViolation(field: field, description: message)])
        case .conflict(let field, let message, let conflicts):
            let details = conflicts.map { c in
                RpcV1.FieldViolation(field: field, description: "meeting \(c.meetingID) \(c.meetingTitle) \(Times.range(c.startMs, c.endMs))"
                    + (c.memberIDs.isEmpty ? "" : ": members \(c.memberIDs.map(String.init).joined(separator: ", "))"))
            }
            return RPCError(.failedPrecondition, message, violations: details)
        case .permissionDenied(let message):
            return RPCError(.permissionDenied, message)
        }
    }

}
