import Foundation
import XieshangService
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// A service executable started as a real process on loopback, as operators start it.
public final class ServiceProcess {
    /// The executable's name: `member-registry`, `meeting-scheduler`, ….
    public let name: String
    public let executable: String
    public let dataDir: String
    public private(set) var rpcEndpoint: String
    public private(set) var eventEndpoint: String
    /// `http://127.0.0.1:PORT/metrics`: what Prometheus scrapes (a free port, kept across
    /// restarts unless another socket holds it by then).
    public private(set) var metricsURL: String = ""
    private var metricsAddress = "127.0.0.1:0"
    /// Where its standard output and error go (the data directory unless told).
    public let logDir: String
    private var extraArguments: [String]
    private var process: ChildProcess?
    private var output: String = ""

    /// Starts `name` (an executable built next to the test bundle) on ephemeral ports:
    /// with the CURVE keys of `keys` (a folder of `gateway keys setup`), or `--insecure`.
    public init(_ name: String, dataDir: String, keys: String? = nil, arguments: [String] = [], logDir: String? = nil) async throws {
        self.name = name
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
        // A restart binds the ports the first run picked; one of them may for a moment be
        // another test's outgoing connection's local port (same range), so a bind refused
        // as in use is tried again for a few seconds before it counts as a failure.
        var attempt = 0
        while true {
            let stderrBefore = standardError.utf8.count
            do {
                return try await startOnce(extra: extra)
            } catch let failure as ProcessFailure where attempt < 20 && process == nil {
                let thisRun = String(decoding: standardError.utf8.dropFirst(stderrBefore), as: UTF8.self)
                guard thisRun.contains("Address already in use") else { throw failure }
                attempt += 1
                // The metrics port only needs to be free, not the same: one held longer (a
                // long-lived connection's local port) is given up for a fresh one after a
                // second, and `metricsURL` follows the ready line.
                if attempt >= 4 && thisRun.contains("cannot listen for metrics") { metricsAddress = "127.0.0.1:0" }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    private func startOnce(extra: [String]) async throws {
        precondition(process == nil, "already running")
        output = logDir + "/stdout-\(UUID().uuidString.prefix(6)).log"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        if !FileManager.default.fileExists(atPath: logDir + "/stderr.log") {
            _ = FileManager.default.createFile(atPath: logDir + "/stderr.log", contents: nil)
        }
        let process = try ChildProcess(
            executable,
            ["--rpc-endpoint", rpcEndpoint, "--event-endpoint", eventEndpoint, "--metrics-address", metricsAddress,
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
                    if field.hasPrefix("metrics=") {
                        metricsURL = String(field.dropFirst(8))
                        if let url = URL(string: metricsURL), let host = url.host, let port = url.port { metricsAddress = "\(host):\(port)" }
                    }
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

    /// The first line of this run's standard output that starts with `prefix` (e.g. the
    /// portal's `portal web=` once its web server listens), waiting up to `timeout`.
    public func outputLine(startingWith prefix: String, timeout: TimeInterval = 30) async throws -> String {
        let started = Date()
        while Date().timeIntervalSince(started) < timeout {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ProcessFailure(description: "\(executable) printed no line starting \"\(prefix)\":\n\(standardError)")
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
