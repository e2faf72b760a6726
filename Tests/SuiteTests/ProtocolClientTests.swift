import Foundation
import Testing
import XieshangTestSupport

/// docs/PROTOCOL.md is complete enough to write a client from: a C program built from it and
/// proto/ alone (protoc-c, libzmq) calls member-registry over CURVE on a DEALER and a REQ
/// socket, gets replies and errors, and receives the event its own change caused.
@Suite("the protocol document, proved by a C client", .serialized)
struct ProtocolClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("a C client written from docs/PROTOCOL.md calls, errs and follows events over CURVE")
    func cClient() async throws {
        let directory = try temporaryDirectory("protocol-client")
        let built = try await runCommand(Self.root + "/Tests/ProtocolClient/build.sh", [directory + "/client"], timeout: .seconds(120))
        #expect(built.status == 0, "the C client must build from the document and proto/: \(built.stderr)")
        let keys = directory + "/keys"
        #expect(try await runCommand(builtExecutable("gateway"), ["keys", "setup", "--dir", keys]).status == 0)
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", keys: keys)
        let run = try await runCommand(directory + "/client/protocol_client",
                                       [registry.rpcEndpoint, registry.eventEndpoint, keys, "admin"], timeout: .seconds(60))
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("0 failed") && !run.stdout.contains("FAILED"), "\(run.stdout)")
        // Its member, as the event after everything the registry had published before (the
        // managed lists, the term: the directory is told as events too).
        #expect(run.stdout.range(of: #"event: member\.added #[0-9]+ from member-registry"#, options: .regularExpression) != nil, "\(run.stdout)")
        // A key the registry does not allow gets no reply at all (PROTOCOL.md, "When no reply comes").
        #expect(try await runCommand(builtExecutable("gateway"), ["keys", "generate", "stranger", "--dir", keys]).status == 0)
        let stranger = try await runCommand(directory + "/client/protocol_client",
                                            [registry.rpcEndpoint, registry.eventEndpoint, keys, "stranger"], timeout: .seconds(120))
        #expect(stranger.status != 0 && stranger.stdout.contains("FAILED Health/Check on a DEALER"), "\(stranger.stdout)")
        #expect(await registry.stop() == 0)
    }
}
