import Foundation
import Logging
import XieshangRPC
import XieshangService
import XieshangWire
import XieshangZMQ

/// The portal's clients of the services: each call is made on behalf of one signed-in
/// member or unit (`Request.on_behalf_of`), never as the portal itself.
public final class SuiteLink: Sendable {
    private let clients: [String: RPCClient]

    /// - Parameter endpoints: each service's RPC endpoint, by its name (`member-registry`, …).
    public init(configuration: ServiceConfiguration, endpoints: [String: String], context: ZMQContext, logger: Logger) throws {
        var clients: [String: RPCClient] = [:]
        for (service, endpoint) in endpoints {
            var client = RPCClientConfiguration(endpoints: endpoint.split(separator: ",").map(String.init), caller: "portal")
            client.security = try configuration.clientSecurity(calling: service)
            // A person waits for the page: a few seconds, then a clear "unavailable".
            client.defaultTimeout = .seconds(4)
            clients[service] = try RPCClient(configuration: client, context: context, logger: logger)
        }
        self.clients = clients
    }

    /// Calls `method` for `principal` (`member:13`, `unit:4`). A service that does not answer
    /// is UNAVAILABLE naming it; within a call to the portal's own socket (the office's), the
    /// call ends a reserve before that call's deadline, so its caller hears which service it was
    /// (as `Dependency` does for the services).
    public func call<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, _ request: Request, for principal: String, read: Bool = false,
        timeout: Duration? = nil
    ) async throws(RPCError) -> Response {
        guard let service = SuiteService.serving(method.name), let client = clients[service.name] else {
            throw RPCError(.unavailable, "the portal has no connection to the service of \(method.name)")
        }
        var options = CallOptions(timeout: timeout, isRead: read)
        options.onBehalfOf = principal
        if let inherited = RPCCallContext.current?.deadline { options.deadline = Dependency.deadline(within: inherited) }
        do {
            return try await client.call(method, request, options: options)
        } catch where error.code == .unavailable || error.code == .deadlineExceeded {
            // Not RESOURCE_EXHAUSTED, which `Dependency` counts as an outage too: here it is
            // mostly the person's own daily quota, whose message the page shows as it is.
            throw RPCError(.unavailable, "\(service.name) is unavailable: \(error.message)")
        }
    }

    /// Calls `method` for `principal` with a request `fill` writes.
    @discardableResult
    public func call<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>, for principal: String, read: Bool = false, _ fill: (inout Request) -> Void
    ) async throws(RPCError) -> Response {
        var request = Request()
        fill(&request)
        return try await call(method, request, for: principal, read: read)
    }

    public func close() async {
        for client in clients.values { await client.close() }
    }
}
