import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import XieshangRPC
import XieshangWire
import XieshangZMQ
import UnixSignals

/// A server whose one method does nothing: the RPC stack's floor, for `make bench`.
struct ServeNoopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-noop",
        abstract: "Serve a no-op method (bench.v1.Noop/Call) through the RPC stack, until SIGTERM.",
        discussion: "Example: loadtest serve-noop --endpoint tcp://127.0.0.1:7301")

    @Option(help: "Where to bind.") var endpoint: String = "tcp://127.0.0.1:7301"
    @Option(help: "Requests in flight before RESOURCE_EXHAUSTED.") var maxInFlight: Int = 4096
    @Option(help: "Folder of CURVE keys (gateway keys setup): serve with CURVE, with meeting-scheduler's key pair and allow-list, as `loadtest run --keys` expects; for measuring what CURVE costs.")
    var keys: String?

    func run() async throws {
        var logger = Logger(label: "noop")
        logger.logLevel = .warning
        var handlers = RPCHandlers()
        handlers.register(noopMethod) { request, _ in request }
        var configuration = RPCServerConfiguration(serviceName: "noop", endpoint: endpoint)
        configuration.maxInFlight = maxInFlight
        let context = try ZMQContext()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let keys {
            // The ZAP handler first: it must answer before the server's socket binds.
            let folder = KeyFolder(keys)
            let zap = try ZAPHandler(context: context, authenticator: try Authenticator(file: folder.allowFile("meeting-scheduler"), logger: logger), logger: logger)
            configuration.security = ServerSecurity(keyPair: try folder.keyPair("meeting-scheduler"), zap: zap)
            services.append(.init(service: zap))
        }
        let server = try RPCServer(configuration: configuration, handlers: handlers, context: context, logger: logger)
        services.append(.init(service: server))
        FileHandle.standardOutput.write(Data("noop ready rpc=\(server.endpoint)\n".utf8))
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
