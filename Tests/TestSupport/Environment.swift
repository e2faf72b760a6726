// What every test shares: the ZeroMQ context, a logger, folders, ports, the built
// executables, how long the reliability tests run.
import Foundation
import XieshangService
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// One libzmq context for every test in the process.
public let testContext: ZMQContext = try! ZMQContext()

public func quietLogger(_ label: String = "test") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .error
    return logger
}

/// A fresh folder under the system's temporary directory.
public func temporaryDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "xieshang-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

public struct ProcessFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// The path of an executable of this package, built next to the test bundle.
public func builtExecutable(_ name: String) -> String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
}

/// A loopback port that is free now and outside the kernel's ephemeral range (32768 and
/// up on Linux), so that no `tcp://127.0.0.1:*` bind by a test running in parallel can
/// take it before the caller binds it (or relies on nobody listening there).
public func freeLoopbackPort() throws -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: 20_000...29_999)
        let probe = try testContext.socket(.router)
        defer { probe.close(linger: 0) }
        if (try? probe.bind("tcp://127.0.0.1:\(port)")) != nil { return port }
    }
    throw ProcessFailure(description: "no free loopback port in 20000–29999")
}

/// How much longer the reliability tests run: 1 normally, more under `make soak`
/// (`XIESHANG_SOAK=N`, default 6 there).
public let soakFactor: Int = max(1, Int(ProcessInfo.processInfo.environment["XIESHANG_SOAK"] ?? "") ?? 1)

/// A client of the service at `endpoints`, with the tests' caller and no key (an insecure
/// service, or one whose allow-list lets the tests in): calls time out after `timeout`, and
/// `attempts` 1 lets the test see each failure itself.
public func testClient(_ endpoints: [String], caller: String = "tests", timeout: Duration = .seconds(10), attempts: Int? = nil) throws -> RPCClient {
    var configuration = RPCClientConfiguration(endpoints: endpoints, caller: caller)
    configuration.defaultTimeout = timeout
    if let attempts { configuration.retry.maxAttempts = attempts }
    return try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
}

/// A client of `service` at `endpoint` with `identity`'s key pair from the keys folder
/// `keys` (a `gateway keys setup` folder), making one attempt per call: what a caller with
/// that key can do, seen from outside.
public func keyedClient(_ keys: String, as identity: String, calling service: String, at endpoint: String) throws -> RPCClient {
    var configuration = RPCClientConfiguration(endpoints: [endpoint], caller: "test-\(identity)")
    configuration.security = try KeyFolder(keys).clientSecurity(as: identity, calling: service)
    configuration.retry.maxAttempts = 1
    return try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
}
