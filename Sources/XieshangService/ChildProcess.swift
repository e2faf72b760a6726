import CSpawn
import Foundation

/// A child process started with posix_spawn (`xs_spawn`) rather than Foundation's `Process`,
/// whose `run()` crashes now and then on Linux (an over-read of /proc/self/fd entries,
/// swift-corelibs-foundation PR 5472): the test suite, which starts hundreds of processes,
/// met it here. Standard input comes from a file (/dev/null by default); output and error go
/// to files, never pipes (a child spawned elsewhere at the same moment could inherit a
/// pipe's end); every other descriptor is closed in the child, and every signal is at its
/// default there.
public struct ChildProcess: Sendable {
    public let pid: pid_t

    /// Starts `path` with `arguments` and exactly `environment`.
    public init(_ path: String, _ arguments: [String], environment: [String: String],
                stdin: String = "/dev/null", stdout: String, stderr: String, appendStderr: Bool = false) throws {
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] { strings.map { strdup($0) } + [nil] }
        let argv = cStrings([path] + arguments)
        let envp = cStrings(environment.map { "\($0.key)=\($0.value)" })
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = xs_spawn(path, argv, envp, stdin, stdout, stderr, appendStderr ? 1 : 0, &pid)
        guard rc == 0 else { throw SpawnError(path: path, reason: String(cString: strerror(rc))) }
        self.pid = pid
    }

    /// How it ended (exit code, or the signal's number), or nil while it runs; the first
    /// answer reaps it.
    public func reapIfEnded() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }

    /// Waits for it to end; nil on timeout.
    public func waitForExit(timeout: Duration = .seconds(20), poll: Duration = .milliseconds(10)) async -> Int32? {
        let started = ContinuousClock.now
        while true {
            if let status = reapIfEnded() { return status }
            if ContinuousClock.now - started > timeout { return nil }
            try? await Task.sleep(for: poll)
        }
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }
}

/// A child process could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot start \(path): \(reason)" }
}
