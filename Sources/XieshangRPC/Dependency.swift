import XieshangWire
import Foundation

/// Another service a handler asks for data (the scheduler asks the registry; the tracker
/// asks both). The one place that says what the caller of the handler sees when the
/// dependency fails:
/// - it does not answer (down, too slow, overloaded): `UNAVAILABLE` naming the dependency;
/// - it finds nothing: `NOT_FOUND` on the field of the caller's request that named it;
/// - it refuses the values: `INVALID_ARGUMENT` on that field, with its reasons (and its
///   words in Chinese, where it gave them);
/// - anything else passes through as it came.
public struct Dependency: Sendable {
    /// The dependency's service name, e.g. `member-registry`.
    public let name: String
    public let client: RPCClient

    public init(name: String, client: RPCClient) {
        self.name = name
        self.client = client
    }

    /// Calls a read of the dependency within the current call's deadline, less a reserve
    /// (a tenth of what is left, 50 ms to 1 s) so that when the dependency does not
    /// answer, the handler's UNAVAILABLE still reaches its caller before the caller's own
    /// deadline, instead of the caller only learning that its time ran out.
    public func read<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, _ request: Request, field: String
    ) async throws(RPCError) -> Response {
        var options = CallOptions.read
        if let inherited = RPCCallContext.current?.deadline {
            options.deadline = Self.deadline(within: inherited)
        }
        do {
            return try await client.call(method, request, options: options)
        } catch {
            switch error.code {
            case .unavailable, .deadlineExceeded, .resourceExhausted, .cancelled:
                throw RPCError(.unavailable, "\(name) is unavailable: \(error.message)")
            case .notFound:
                let what = error.violations.first?.description.replacingOccurrences(of: " not found", with: "") ?? error.message
                throw RPCError(.notFound, "\(field): \(what) not found", violations: [RpcV1.FieldViolation(field: field, description: "\(what) not found")])
            case .invalidArgument:
                let reasons = error.violations.isEmpty ? [RpcV1.FieldViolation(field: field, description: error.message)]
                    : error.violations.map { RpcV1.FieldViolation(field: field, description: $0.description, reason: $0.reason) }
                throw RPCError(.invalidArgument, reasons.count == 1 ? "\(field): \(reasons[0].description)" : "\(reasons.count) fields are invalid",
                               violations: reasons, localized: error.localizedMessage)
            default:
                throw error
            }
        }
    }

    /// The dependency's share of a handler's deadline: all of it but the reserve.
    public static func deadline(within inherited: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant {
        let remaining = inherited - now
        let reserve = min(max(remaining / 10, .milliseconds(50)), .seconds(1))
        return remaining > reserve * 2 ? inherited - reserve : inherited
    }

}
