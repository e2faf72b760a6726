// xieshang-demo: what `make demo` runs until the domain services exist. It shows the two
// layers that are built: the protobuf-c wire layer, and the RPC and service runtime, the
// latter through the runtime's example service (a notes service) started as a real process.
import Foundation
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
}

func section(_ title: String) {
    print("\n== \(title)")
}

func show(_ title: String, _ body: () throws -> Void) {
    print("-- \(title)")
    do { try body() } catch { print("   error: \(error)") }
}

/// The example service as a child process on an ephemeral loopback port.
final class ExampleProcess {
    private(set) var endpoint = "tcp://127.0.0.1:*"
    let dataDir: String
    let output: String

    init(dataDir: String) {
        self.dataDir = dataDir
        output = dataDir + "/example.out"
    }

    func start() async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("xieshang-example").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--rpc-endpoint", endpoint, "--event-endpoint", "tcp://127.0.0.1:*",
                             "--data-dir", dataDir, "--log-level", "warning"]
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        try process.run()
        running = process
        for _ in 0..<1000 {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").last(where: { $0.contains(" ready ") }),
               let field = line.split(separator: " ").first(where: { $0.hasPrefix("rpc=") }) {
                endpoint = String(field.dropFirst(4))
                print("   started: \(line)")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw DemoError("the example service did not start")
    }

    private(set) var running: Process?

    func kill(_ signal: Int32) async {
        guard let running else { return }
        Foundation.kill(running.processIdentifier, signal)
        while running.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        print("   stopped by signal \(signal), exit status \(running.terminationStatus)")
        self.running = nil
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

print("Xieshang demo — protobuf-c \(WireLibrary.protobufCVersion), libzmq \(ZMQContext.version)")
print("The committee's services (registry, scheduler, proposals, notifier) and the gateway are")
print("not built yet. This demo shows what is: the wire layer and the RPC/service runtime.")

section("1. The wire layer: a request envelope encoded by protobuf-c")
var request = RpcV1.Request()
request.method = "member.v1.Members/Get"
request.requestID = UUID().uuidString.lowercased()
request.deadlineMs = 5000
request.caller = "xieshang-demo"
request.body = Array("委员 0001".utf8)
show("encode and decode") {
    let bytes = try request.encode()
    print("   \(bytes.count) bytes: \(hex(Array(bytes.prefix(32)))) …")
    let back = try RpcV1.Request(decoding: bytes)
    print("   decoded: method=\(back.method) deadline=\(back.deadlineMs)ms; equal to the original: \(back == request)")
}
show("bad input: invalid UTF-8 in a string") { _ = try RpcV1.Request(decoding: [0x0A, 0x03, 0x61, 0xC3, 0x28]) }
show("bad input: a truncated envelope") {
    let bytes = try request.encode()
    _ = try RpcV1.Request(decoding: Array(bytes.prefix(bytes.count / 2)))
}
show("bad input: a NUL in a string is refused before encoding") {
    var bad = request
    bad.caller = "demo\u{0}"
    _ = try bad.encode()
}

section("2. The runtime: the example notes service as a real process, over ZeroMQ")
let dataDir = NSTemporaryDirectory() + "xieshang-demo-\(UUID().uuidString.prefix(8))"
try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
let service = ExampleProcess(dataDir: dataDir)
try await service.start()

var logger = Logger(label: "xieshang-demo")
logger.logLevel = .error
let context = try ZMQContext()
var configuration = RPCClientConfiguration(endpoints: [service.endpoint], caller: "xieshang-demo")
configuration.retry.maxAttempts = 20
let client = try RPCClient(configuration: configuration, context: context, logger: logger)

func add(_ text: String) async throws -> ExampleV1.Note {
    var add = ExampleV1.AddNoteRequest()
    add.text = text
    return try await client.call(ExampleV1.Notes.add, add).note ?? ExampleV1.Note()
}

let health = try await client.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
print("-- Health/Check: \(health.service) \(health.version) \(health.status.protoName), storage: \(health.storageDetail)")
let methods = try await client.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest()).methods
print("-- Reflection/Describe:")
for method in methods {
    print("   \(method.name)\(method.mutating ? " (mutating)" : "")  \(method.requestType) → \(method.responseType)")
}
for text in ["五届五次主席会议的筹备", "双月协商座谈会：社区养老"] {
    let note = try await add(text)
    print("-- Notes/Add: note \(note.id) \"\(note.text)\"")
}
do {
    _ = try await add("   ")
} catch {
    print("-- Notes/Add with empty text: \(error)")
}
print("-- SIGKILL the service, start it again on the same port and data:")
await service.kill(SIGKILL)
try await service.start()
let notes = try await client.call(ExampleV1.Notes.list, ExampleV1.ListNotesRequest(), options: .read).notes
print("-- Notes/List after the restart: \(notes.map { "\($0.id) \($0.text)" }.joined(separator: "; "))")
var since = EventV1.SinceRequest()
since.afterSequence = 0
let events = try await client.call(EventV1.Events.since, since, options: .read)
print("-- Events/Since 0: \(events.events.map { "#\($0.sequence) \($0.type)" }.joined(separator: ", "))")
await client.close()
print("-- SIGTERM: the service drains and exits")
await service.kill(SIGTERM)
try? FileManager.default.removeItem(atPath: dataDir)
