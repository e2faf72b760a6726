import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// A server whose one method does nothing: the RPC stack's floor, for `make bench`.
struct ServeNoopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-noop",
        abstract: "Serve a no-op method (bench.v1.Noop/Call) through the RPC stack, until SIGTERM.",
        discussion: "Example: loadtest serve-noop --endpoint tcp://127.0.0.1:7301")

    @Option(help: "Where to bind.") var endpoint: String = "tcp://127.0.0.1:7301"
    @Option(help: "Requests in flight before RESOURCE_EXHAUSTED.") var maxInFlight: Int = 4096

    func run() async throws {
        var logger = Logger(label: "noop")
        logger.logLevel = .warning
        var handlers = RPCHandlers()
        handlers.register(noopMethod) { request, _ in request }
        var configuration = RPCServerConfiguration(serviceName: "noop", endpoint: endpoint)
        configuration.maxInFlight = maxInFlight
        let server = try RPCServer(configuration: configuration, handlers: handlers, context: try ZMQContext(), logger: logger)
        FileHandle.standardOutput.write(Data("noop ready rpc=\(server.endpoint)\n".utf8))
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
