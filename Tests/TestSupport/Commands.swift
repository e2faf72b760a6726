import Foundation
import XieshangService
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

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
