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

/// A service executable started as a real process on loopback, as operators start it.
public final class ServiceProcess {
    public let executable: String
    public let dataDir: String
    public private(set) var rpcEndpoint: String
    public private(set) var eventEndpoint: String
    /// Where its standard output and error go (the data directory unless told).
    public let logDir: String
    private var extraArguments: [String]
    private var process: ChildProcess?
    private var output: String = ""

    /// Starts `name` (an executable built next to the test bundle) on ephemeral ports:
    /// with the CURVE keys of `keys` (a folder of `gateway keys setup`), or `--insecure`.
    public init(_ name: String, dataDir: String, keys: String? = nil, arguments: [String] = [], logDir: String? = nil) async throws {
        executable = builtExecutable(name)
        self.dataDir = dataDir
        self.logDir = logDir ?? dataDir
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: self.logDir, withIntermediateDirectories: true)
        rpcEndpoint = "tcp://127.0.0.1:*"
        eventEndpoint = "tcp://127.0.0.1:*"
        extraArguments = (keys.map { ["--keys", $0] } ?? ["--insecure"]) + arguments
        try await start()
    }

    /// Starts the process (again, on the same endpoints and data after the first time)
    /// and waits for its ready line.
    /// `extra` arguments are for this run only (e.g. an operator's `--allow-empty-database`).
    public func start(extra: [String] = []) async throws {
        precondition(process == nil, "already running")
        output = logDir + "/stdout-\(UUID().uuidString.prefix(6)).log"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        if !FileManager.default.fileExists(atPath: logDir + "/stderr.log") {
            _ = FileManager.default.createFile(atPath: logDir + "/stderr.log", contents: nil)
        }
        let process = try ChildProcess(
            executable,
            ["--rpc-endpoint", rpcEndpoint, "--event-endpoint", eventEndpoint,
             "--data-dir", dataDir, "--log-level", "warning"] + extraArguments + extra,
            environment: ProcessInfo.processInfo.environment,
            stdout: output, stderr: logDir + "/stderr.log", appendStderr: true)
        self.process = process
        let started = Date()
        while Date().timeIntervalSince(started) < 30 {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains(" ready ") }) {
                for field in line.split(separator: " ") {
                    if field.hasPrefix("rpc=") { rpcEndpoint = String(field.dropFirst(4)) }
                    if field.hasPrefix("events=") { eventEndpoint = String(field.dropFirst(7)) }
                }
                return
            }
            if process.reapIfEnded() != nil {
                self.process = nil
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let log = standardError
        throw ProcessFailure(description: "\(executable) did not become ready:\n\(log)")
    }

    /// What the process (all its runs) wrote on standard error: its log.
    public var standardError: String {
        (try? String(contentsOfFile: logDir + "/stderr.log", encoding: .utf8)) ?? ""
    }

    /// The running process's id.
    public var pid: Int32? { process?.pid }

    /// Resident memory of the running process, in KiB (VmRSS).
    public var residentKiB: Int? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) }
    }

    /// Waits for the process to exit by itself (e.g. a crash) and returns its status.
    public func waitForExit(timeout: TimeInterval = 20) async -> Int32? {
        guard let process else { return nil }
        guard let status = await process.waitForExit(timeout: .milliseconds(Int(timeout * 1000))) else { return nil }
        self.process = nil
        return status
    }

    /// Sends a signal and waits for the process to end; returns its exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) async -> Int32? {
        guard let process else { return nil }
        if let status = process.reapIfEnded() {
            self.process = nil
            return status
        }
        process.signal(signal)
        // A process a test stopped (SIGSTOP) acts on the signal only once continued.
        process.signal(SIGCONT)
        return await waitForExit()
    }

    /// A test that fails midway must not leave its process behind.
    deinit {
        if let process, process.reapIfEnded() == nil {
            process.signal(SIGKILL)
            _ = process.reapIfEnded()
        }
    }
}

public struct ProcessFailure: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// The path of an executable of this package, built next to the test bundle.
public func builtExecutable(_ name: String) -> String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
}

/// What a command printed and how it ended.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// The standard output parsed as JSON.
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }
}

/// Runs a command to completion without blocking a thread of the cooperative pool.
public func runCommand(_ path: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> CommandResult {
    let directory = try temporaryDirectory("command")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let out = directory + "/stdout", err = directory + "/stderr"
    _ = FileManager.default.createFile(atPath: out, contents: nil)
    _ = FileManager.default.createFile(atPath: err, contents: nil)
    let process = try ChildProcess(path, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                   stdout: out, stderr: err)
    guard let status = await process.waitForExit(timeout: timeout, poll: .milliseconds(5)) else {
        process.signal(SIGKILL)
        _ = await process.waitForExit(timeout: .seconds(5))
        throw ProcessFailure(description: "\(path) \(arguments.joined(separator: " ")) did not finish in \(timeout)")
    }
    return CommandResult(
        status: status,
        stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
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

/// The four services as processes, wired to each other as an operator wires them: with the
/// CURVE keys of `keys` (a folder of `gateway keys setup`), or `--insecure`.
public struct SuiteProcesses {
    public let registry: ServiceProcess
    public let scheduler: ServiceProcess
    public let tracker: ServiceProcess
    public let notifier: ServiceProcess
    public let keys: String?

    /// Starts them under `directory` (one data folder each), in dependency order.
    public static func start(in directory: String, keys: String? = nil, notifierArguments: [String] = []) async throws -> SuiteProcesses {
        let (registry, scheduler, tracker) = try await startCore(in: directory, keys: keys)
        let notifier = try await ServiceProcess("notifier", dataDir: directory + "/notifier", keys: keys,
                                                arguments: notifierWiring(registry, scheduler, tracker) + notifierArguments)
        return SuiteProcesses(registry: registry, scheduler: scheduler, tracker: tracker, notifier: notifier, keys: keys)
    }

    /// The three services without the notifier (for tests that start it later, or not at all).
    public static func startCore(in directory: String, keys: String? = nil) async throws
        -> (registry: ServiceProcess, scheduler: ServiceProcess, tracker: ServiceProcess) {
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", keys: keys)
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler", keys: keys,
                                                 arguments: ["--registry", registry.rpcEndpoint])
        let tracker = try await ServiceProcess("proposal-tracker", dataDir: directory + "/tracker", keys: keys,
                                               arguments: ["--registry", registry.rpcEndpoint, "--scheduler", scheduler.rpcEndpoint])
        return (registry, scheduler, tracker)
    }

    /// The notifier's arguments that point it at the other three (their RPC and events).
    public static func notifierWiring(_ registry: ServiceProcess, _ scheduler: ServiceProcess, _ tracker: ServiceProcess) -> [String] {
        ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint,
         "--scheduler", scheduler.rpcEndpoint, "--scheduler-events", scheduler.eventEndpoint,
         "--tracker", tracker.rpcEndpoint, "--tracker-events", tracker.eventEndpoint]
    }

    /// The gateway pointed at all four (with `identity`'s key pair when the suite has keys).
    public func gateway(identity: String? = nil) -> Gateway {
        Gateway(registry: registry.rpcEndpoint, scheduler: scheduler.rpcEndpoint, tracker: tracker.rpcEndpoint,
                notifier: notifier.rpcEndpoint, keys: keys, identity: keys == nil ? nil : (identity ?? "admin"))
    }

    /// Stops them, the notifier first; returns each one's exit status by service name.
    @discardableResult
    public func stop() async -> [String: Int32?] {
        var statuses: [String: Int32?] = [:]
        for (name, service) in [("notifier", notifier), ("proposal-tracker", tracker), ("meeting-scheduler", scheduler), ("member-registry", registry)] {
            statuses[name] = await service.stop()
        }
        return statuses
    }
}

/// `loadtest run` in the background while a test breaks things: its per-second progress
/// lines and the ids of the meetings it saw acknowledged go to files the test reads.
public final class BackgroundLoad {
    private let process: ChildProcess
    private let progressFile: String
    private let acknowledgedFile: String
    private var status: Int32?

    /// Starts `loadtest run` with `arguments` (plus `--acknowledged` and `--json`).
    public init(_ arguments: [String], in directory: String) throws {
        progressFile = directory + "/load-progress-\(UUID().uuidString.prefix(6)).txt"
        acknowledgedFile = directory + "/load-acknowledged-\(UUID().uuidString.prefix(6)).txt"
        _ = FileManager.default.createFile(atPath: progressFile, contents: nil)
        process = try ChildProcess(builtExecutable("loadtest"), ["run"] + arguments + ["--acknowledged", acknowledgedFile, "--json"],
                                   environment: ProcessInfo.processInfo.environment, stdout: "/dev/null", stderr: progressFile)
    }

    /// The meetings whose scheduling was acknowledged so far.
    public func acknowledged() -> [Int64] {
        ((try? String(contentsOfFile: acknowledgedFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int64($0) }
    }

    /// The progress lines, one a second: `[  3s]  120 ops/s  p99 … errors N  refusals M`.
    public func progress() -> [String] {
        ((try? String(contentsOfFile: progressFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.hasPrefix("[") }
    }

    /// The errors of each second so far.
    public func errorsPerSecond() -> [Int] {
        progress().map { line in Int(line.split(separator: "errors ").last?.split(separator: " ").first ?? "") ?? -1 }
    }

    /// The acknowledged meetings that `scheduler` (an endpoint) does not have: what a crash
    /// or an outage lost. Empty is the promise.
    public func lostMeetings(scheduler endpoint: String) async throws -> [Int64] {
        var configuration = RPCClientConfiguration(endpoints: [endpoint], caller: "load-check")
        configuration.defaultTimeout = .seconds(10)
        let client = try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
        var lost: [Int64] = []
        for id in acknowledged() {
            var get = MeetingV1.GetMeetingRequest()
            get.id = id
            do throws(RPCError) {
                _ = try await client.call(MeetingV1.Meetings.get, get, options: .read)
            } catch {
                lost.append(id)
            }
        }
        await client.close()
        return lost
    }

    /// Waits for the run to end; its exit status, or nil on timeout.
    public func wait(timeout: Duration = .seconds(120)) async -> Int32? {
        if status == nil { status = await process.waitForExit(timeout: timeout) }
        return status
    }

    deinit {
        if status == nil, process.reapIfEnded() == nil {
            process.signal(SIGKILL)
            _ = process.reapIfEnded()
        }
    }
}
