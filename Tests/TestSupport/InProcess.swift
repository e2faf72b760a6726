import Foundation
import Logging
import XieshangRPC
import XieshangService
import XieshangWire
import XieshangZMQ

/// A service served inside the test process: an in-memory database and `inproc://` sockets
/// on the test's ZeroMQ context, without CURVE (every caller is `Principal.local`, an
/// administrator). The fast tier, as Hummingbird's `.router` tests sit beside `.live`: a
/// service's behaviour through its real RPC surface and typed responses, with no process,
/// port or file; the process tests stay for what needs processes (restarts, signals, keys).
public final class InProcessService: Sendable {
    public let host: ServiceHost
    public let context: ZMQContext
    private let serving: Task<Void, any Error>

    public init<S: RPCService>(
        _ name: String, migrations: ServiceMigrations, context: ZMQContext,
        service: @escaping @Sendable (ServiceDatabase, EventOutbox) throws -> S
    ) throws {
        let id = UUID().uuidString.prefix(8).lowercased()
        let configuration = ServiceConfiguration(
            name: name, rpcEndpoint: "inproc://\(name)-\(id)", eventEndpoint: "inproc://\(name)-events-\(id)")
        var logger = Logger(label: name)
        logger.logLevel = .critical
        host = try ServiceHost(configuration: configuration, migrations: migrations, context: context, logger: logger, service: service)
        self.context = context
        serving = Task { [host] in try await host.run() }
    }

    /// A client of the service on the same context (an `inproc://` endpoint is the context's own).
    /// The deadline is generous: this tier tests behaviour, not speed, and the first seconds of
    /// a full `make test` (dozens of processes starting on two cores) can hold a call for
    /// several seconds.
    public func client(timeout: Duration = .seconds(30)) throws -> RPCClient {
        try inProcessClient(host.server.endpoint, context: context, timeout: timeout)
    }

    /// Drains and stops the service.
    public func stop() async {
        serving.cancel()
        _ = try? await serving.value
    }
}

/// A stand-in for a peer service: the handlers a test writes, served at an `inproc://`
/// endpoint. What a service under test asks its peer, answered as the test decides.
public final class StandIn: Sendable {
    public let server: RPCServer
    public let context: ZMQContext
    private let serving: Task<Void, any Error>

    public init(_ name: String, context: ZMQContext, handlers register: (inout RPCHandlers) -> Void) throws {
        var handlers = RPCHandlers()
        register(&handlers)
        var logger = Logger(label: name)
        logger.logLevel = .critical
        let configuration = RPCServerConfiguration(serviceName: name, endpoint: "inproc://\(name)-\(UUID().uuidString.prefix(8).lowercased())")
        server = try RPCServer(configuration: configuration, handlers: handlers, context: context, logger: logger)
        self.context = context
        serving = Task { [server] in try await server.run() }
    }

    public func client(timeout: Duration = .seconds(30)) throws -> RPCClient {
        try inProcessClient(server.endpoint, context: context, timeout: timeout)
    }

    public func stop() async {
        serving.cancel()
        _ = try? await serving.value
    }
}

private func inProcessClient(_ endpoint: String, context: ZMQContext, timeout: Duration) throws -> RPCClient {
    var configuration = RPCClientConfiguration(endpoints: [endpoint], caller: "test")
    configuration.defaultTimeout = timeout
    var logger = Logger(label: "test-client")
    logger.logLevel = .critical
    return try RPCClient(configuration: configuration, context: context, logger: logger)
}
