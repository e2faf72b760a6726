import Foundation
import XieshangService
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// `loadtest run` in the background while a test breaks things: its per-second progress
/// lines and the ids of the meetings it saw acknowledged go to files the test reads.
public final class BackgroundLoad {
    private let process: ChildProcess
    private let arguments: [String]
    private let directory: String
    private let progressFile: String
    private let acknowledgedFile: String
    private var status: Int32?

    /// Starts `loadtest run` with `arguments` (plus `--acknowledged` and `--json`).
    public init(_ arguments: [String], in directory: String) throws {
        self.arguments = arguments
        self.directory = directory
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
        let client = try testClient([endpoint], caller: "load-check")
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

    /// The same load again, for `seconds`, started now. After a run that broke things, it
    /// shows that calls succeed once they are back: its errors are judged apart from the run
    /// that saw the breaking, whose last seconds may still hold the last kill when a loaded
    /// machine made the breaking slow.
    public func again(for seconds: Int) throws -> BackgroundLoad {
        var arguments = arguments
        if let flag = arguments.firstIndex(of: "--duration"), flag + 1 < arguments.count {
            arguments[flag + 1] = "\(seconds)"
        } else {
            arguments += ["--duration", "\(seconds)"]
        }
        return try BackgroundLoad(arguments, in: directory)
    }

    /// Whether a finished run had no error in any of its seconds (and ran some).
    public var ranWithoutErrors: Bool {
        let errors = errorsPerSecond()
        return !errors.isEmpty && errors.allSatisfy { $0 == 0 }
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
