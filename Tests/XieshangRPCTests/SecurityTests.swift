import Foundation
import Logging
import XieshangService
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

/// Returns who the server says the caller is.
let whoAmI = WireMethod<WiretestV1.Inner, WiretestV1.Inner>("test.v1.Echo/WhoAmI")

/// A CURVE server with its own ZMQ context (a context has one ZAP endpoint), a ZAP handler
/// over an allow-list file, and a permission table: Echo for staff only, WhoAmI for all.
final class SecureServer {
    let context: ZMQContext
    let folder: KeyFolder
    let serverKeys: ZMQCurve.KeyPair
    let staff: ZMQCurve.KeyPair
    let member: ZMQCurve.KeyPair
    let portal: ZMQCurve.KeyPair
    let zap: ZAPHandler
    let server: RPCServer
    let calls = Counter()
    private var task: Task<Void, any Error>?
    private var zapTask: Task<Void, any Error>?

    /// `zapLogger`: where the ZAP handler logs (a test that reads it hands in its own).
    init(zapLogger: Logger = quietLogger()) throws {
        context = try ZMQContext()
        folder = KeyFolder(NSTemporaryDirectory() + "xieshang-keys-\(UUID().uuidString.prefix(8))")
        serverKeys = try folder.generate("test-service")
        staff = try folder.generate("wang")
        member = try folder.generate("m42")
        portal = try folder.generate("portal")
        var list = AllowList()
        try list.allow(portal.publicKey, as: Principal(name: "portal", role: .portal))
        try list.allow(staff.publicKey, as: Principal(name: "wang", role: .staff))
        try list.allow(member.publicKey, as: Principal(name: "42", role: .member))
        try list.save(folder.allowFile("test-service"))
        zap = try ZAPHandler(context: context, authenticator: try Authenticator(file: folder.allowFile("test-service"), logger: quietLogger()), logger: zapLogger)
        var configuration = RPCServerConfiguration(serviceName: "test-service")
        configuration.security = ServerSecurity(keyPair: serverKeys, zap: zap)
        var permissions = MethodPermissions()
        permissions.allow([.staff], echo.name)
        permissions.allow(MethodPermissions.everyone, whoAmI.name)
        configuration.permissions = permissions
        var handlers = echoHandlers(calls: calls)
        let calls = self.calls
        handlers.register(whoAmI) { _, context in
            calls.increment()
            return inner(context.principal.actor)
        }
        server = try RPCServer(configuration: configuration, handlers: handlers, context: context, logger: quietLogger())
        let server = self.server
        let zap = self.zap
        task = Task { try await server.run() }
        zapTask = Task { try await zap.run() }
    }

    /// A client with `keys` (nil: no CURVE at all) that trusts `serverKey`.
    func client(_ keys: ZMQCurve.KeyPair?, serverKey: String? = nil, endpoint: String? = nil) throws -> RPCClient {
        var configuration = RPCClientConfiguration(endpoints: [endpoint ?? server.endpoint], caller: "claims-to-be-admin")
        // Generous: the first call pays for the CURVE handshake, and under a full `make test`
        // on two cores that has taken more than 3 s. Refusals come back at once either way.
        configuration.defaultTimeout = .seconds(15)
        configuration.security = keys.map { ClientSecurity(keyPair: $0, serverKey: serverKey ?? serverKeys.publicKey) }
        return try RPCClient(configuration: configuration, context: context, logger: quietLogger())
    }

    /// The ZAP handler's own task: throws once the handler stopped without being asked.
    var zapResult: Result<Void, any Error> {
        get async { await zapTask!.result }
    }

    func stop() async {
        task?.cancel()
        _ = await task?.result
        zap.stop()
        _ = await zapTask?.result
        try? FileManager.default.removeItem(atPath: folder.path)
    }
}

/// Calls `method` and returns the status code it ended with.
func code(_ client: RPCClient, _ method: WireMethod<WiretestV1.Inner, WiretestV1.Inner>, _ label: String = "x") async -> StatusCode {
    do {
        _ = try await client.call(method, inner(label))
        return .ok
    } catch {
        return error.code
    }
}

@Suite("security: CURVE, the ZAP handler and permissions", .serialized)
struct SecurityTests {
    @Test("an allowed key calls, and the handler sees the allow-list's principal, not the caller's claim")
    func allowedKey() async throws {
        let secure = try SecureServer()
        let client = try secure.client(secure.staff)
        let reply = try await client.call(whoAmI, inner("x"))
        #expect(reply.label == "staff:wang")
        let member = try secure.client(secure.member)
        #expect(try await member.call(whoAmI, inner("x")).label == "member:42")
        await client.close()
        await member.close()
        await secure.stop()
    }

    @Test("the portal's key is only ever the member or unit it names, with their rules; no other key may name anyone")
    func portalActsOnBehalf() async throws {
        let secure = try SecureServer()
        let portal = try secure.client(secure.portal)
        func call(_ client: RPCClient, _ method: WireMethod<WiretestV1.Inner, WiretestV1.Inner>, as person: String?) async -> Result<String, RPCError> {
            var options = CallOptions()
            options.onBehalfOf = person
            do { return .success(try await client.call(method, inner("x"), options: options).label) } catch { return .failure(error) }
        }
        #expect(try await call(portal, whoAmI, as: "member:13").get() == "member:13 via portal")
        #expect(try await call(portal, whoAmI, as: "unit:4").get() == "unit:4 via portal")
        // As member 13 the portal has a member's rules: the staff method is refused.
        if case .failure(let error) = await call(portal, echo, as: "member:13") { #expect(error.code == .permissionDenied) } else { Issue.record("a member's call to a staff method went through the portal") }
        // Itself, staff, an administrator, a service or a malformed name: refused before any handler.
        let before = secure.calls.count
        for person in [nil, "", "staff:wang", "admin:root", "service:notifier", "portal:portal", "member:0", "member:-3", "member:013", "member:13 ", "member:13:x", "member:"] as [String?] {
            guard case .failure(let error) = await call(portal, whoAmI, as: person) else {
                Issue.record("the portal called as \(person ?? "itself")"); continue
            }
            #expect(error.code == .permissionDenied, "\(person ?? "nil"): \(error)")
        }
        #expect(secure.calls.count == before)
        // A member's or staff's own key may not name someone else.
        let member = try secure.client(secure.member)
        let staff = try secure.client(secure.staff)
        for client in [member, staff] {
            guard case .failure(let error) = await call(client, whoAmI, as: "member:13") else { Issue.record("a non-portal key acted for member 13"); continue }
            #expect(error.code == .permissionDenied)
        }
        #expect(try await call(member, whoAmI, as: nil).get() == "member:42")
        for client in [portal, member, staff] { await client.close() }
        await secure.stop()
    }

    @Test("a client without keys, with an unknown key, or with the wrong server key never reaches a handler")
    func refusedClients() async throws {
        let secure = try SecureServer()
        let plain = try secure.client(nil)
        #expect(await code(plain, whoAmI) == .unauthenticated)
        let stranger = try secure.client(try ZMQCurve.generateKeyPair())
        #expect(await code(stranger, whoAmI) == .unauthenticated)
        let misled = try secure.client(secure.staff, serverKey: try ZMQCurve.generateKeyPair().publicKey)
        #expect(await code(misled, whoAmI) != .ok)
        #expect(secure.calls.count == 0)
        #expect(secure.zap.decisions.denied >= 1)
        for client in [plain, stranger, misled] { await client.close() }
        await secure.stop()
    }

    @Test("a member key cannot call a staff method: PERMISSION_DENIED before the handler")
    func permissionTable() async throws {
        let secure = try SecureServer()
        let member = try secure.client(secure.member)
        let refused = await #expect(throws: RPCError.self) { try await member.call(echo, inner("x")) }
        #expect(refused?.code == .permissionDenied)
        #expect(secure.calls.count == 0)
        let staff = try secure.client(secure.staff)
        #expect(try await staff.call(echo, inner("ok")).label == "OK")
        await member.close()
        await staff.close()
        await secure.stop()
    }

    @Test("a revoked key stops working on its open connection and cannot connect again")
    func revokedKey() async throws {
        let secure = try SecureServer()
        let client = try secure.client(secure.member)
        #expect(await code(client, whoAmI) == .ok)
        var list = try AllowList.load(secure.folder.allowFile("test-service"))
        let removed = list.revoke(secure.member.publicKey)
        #expect(removed)
        try list.save(secure.folder.allowFile("test-service"))
        // The handler notices the changed file by itself (it checks every second).
        var refused = false
        for _ in 0..<40 where !refused {
            try await Task.sleep(for: .milliseconds(100))
            refused = await code(client, whoAmI) == .unauthenticated
        }
        #expect(refused)
        let again = try secure.client(secure.member)
        #expect(await code(again, whoAmI) == .unauthenticated)
        await client.close()
        await again.close()
        await secure.stop()
    }

    @Test("with the ZAP handler's thread gone, the server refuses every new client rather than accepting it")
    func zapHandlerDeath() async throws {
        let log = CapturedLog()
        let secure = try SecureServer(zapLogger: log.logger())
        let before = try secure.client(secure.staff)
        #expect(await code(before, whoAmI) == .ok)
        let served = secure.calls.count
        secure.zap.kill()
        // The service learns of it: the handler's run() fails, which stops a ServiceHost, and
        // the operator reads why.
        let result = await secure.zapResult
        #expect(throws: ZAPHandler.Stopped.self) { try result.get() }
        #expect(log.all.contains { $0.level == .critical && $0.message.hasPrefix("the ZAP handler stopped: every connection is refused") }, "\(log.all.map(\.message))")
        // A client whose key is on the allow-list still cannot get in: libzmq finds no
        // ZAP handler and (ZAP_ENFORCE_DOMAIN) fails the handshake.
        let after = try secure.client(secure.staff)
        #expect(await code(after, whoAmI) != .ok)
        #expect(secure.calls.count == served)
        await before.close()
        await after.close()
        await secure.stop()
    }

    @Test("a call's bytes on the wire do not contain its text with CURVE, and do without")
    func wireIsEncrypted() async throws {
        let marker = "委员张三的手机13800138000"
        func capture(secure: Bool) async throws -> [UInt8] {
            let captureFile = NSTemporaryDirectory() + "xieshang-capture-\(UUID().uuidString.prefix(8))"
            let server = try SecureServer()
            var plainServer: RPCServer?
            var plainTask: Task<Void, any Error>?
            var target = server.server.endpoint
            if !secure {
                let plain = try RPCServer(configuration: RPCServerConfiguration(serviceName: "plain"), handlers: echoHandlers(), context: testContext, logger: quietLogger())
                plainServer = plain
                plainTask = Task { try await plain.run() }
                target = plain.endpoint
            }
            let port = target.split(separator: ":").last!
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Scripts/tcp_capture.py").path
            let proxyOutput = captureFile + ".out"
            let proxy = try ChildProcess("/usr/bin/python3", [script, "127.0.0.1", String(port), captureFile],
                                         environment: ProcessInfo.processInfo.environment, stdout: proxyOutput, stderr: "/dev/null")
            defer {
                // SIGKILL: the test process may ignore SIGTERM, and children inherit that.
                proxy.signal(SIGKILL)
                var status: Int32 = 0
                _ = waitpid(proxy.pid, &status, 0)
            }
            // The proxy prints its port once it listens.
            var line = ""
            for _ in 0..<500 where !line.contains("\n") {
                line = (try? String(contentsOfFile: proxyOutput, encoding: .utf8)) ?? ""
                if !line.contains("\n") { try await Task.sleep(for: .milliseconds(10)) }
            }
            let proxyPort = try #require(line.split(separator: "\n").first?.split(separator: " ").last.flatMap { Int($0) })
            let client: RPCClient
            if secure {
                client = try server.client(server.staff, endpoint: "tcp://127.0.0.1:\(proxyPort)")
            } else {
                var configuration = RPCClientConfiguration(endpoints: ["tcp://127.0.0.1:\(proxyPort)"], caller: "tests")
                configuration.defaultTimeout = .seconds(15)
                client = try RPCClient(configuration: configuration, context: testContext, logger: quietLogger())
            }
            let reply = try await client.call(echo, inner(marker))
            #expect(reply.label == marker.uppercased())
            await client.close()
            plainTask?.cancel()
            _ = await plainTask?.result
            _ = plainServer
            await server.stop()
            return Array(try Data(contentsOf: URL(fileURLWithPath: captureFile)))
        }
        let needle = Array(marker.utf8)
        func contains(_ haystack: [UInt8]) -> Bool {
            guard haystack.count >= needle.count else { return false }
            return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
        }
        let clear = try await capture(secure: false)
        #expect(contains(clear), "the capture works: without CURVE the text is there")
        let sealed = try await capture(secure: true)
        #expect(sealed.count > 200, "the secure call went through the capture")
        #expect(!contains(sealed))
    }
}

@Suite("security: key files and allow-lists")
struct KeyFileTests {
    @Test("an allow-list round-trips, keeps keys that contain #, and refuses bad lines with file and line")
    func allowListParsing() throws {
        var list = AllowList()
        var key = try ZMQCurve.generateKeyPair().publicKey
        while !key.contains("#") { key = try ZMQCurve.generateKeyPair().publicKey }
        try list.allow(key, as: Principal(name: "wang", role: .staff))
        try list.allow(try ZMQCurve.generateKeyPair().publicKey, as: Principal(name: "7", role: .unit))
        let parsed = try AllowList(parsing: list.text, file: "x.allow")
        #expect(parsed == list)
        #expect(parsed.principal(for: key) == Principal(name: "wang", role: .staff))
        #expect(throws: KeyFileError("x.allow:2: role \"boss\" is not one of admin, staff, member, unit, service, portal")) {
            try AllowList(parsing: "# header\n\(key) boss wang\n", file: "x.allow")
        }
        #expect(throws: KeyFileError.self) { try AllowList(parsing: "\(key) member wang\n", file: "x.allow") }
        #expect(throws: KeyFileError.self) { try AllowList(parsing: "notakey staff wang\n", file: "x.allow") }
        #expect(throws: KeyFileError.self) { try AllowList(parsing: "\(key) staff\n", file: "x.allow") }
    }

    @Test("key files: the secret is 0600, a readable secret is refused, a pair is not overwritten by accident")
    func keyFiles() throws {
        let folder = KeyFolder(NSTemporaryDirectory() + "xieshang-keyfiles-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        let pair = try folder.generate("li")
        let mode = try FileManager.default.attributesOfItem(atPath: folder.secretFile("li"))[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try folder.keyPair("li") == pair)
        #expect(try folder.publicKey("li") == pair.publicKey)
        #expect(throws: KeyFileError.self) { try folder.generate("li") }
        #expect(throws: KeyFileError.self) { try folder.generate("../evil") }
        chmod(folder.secretFile("li"), 0o644)
        #expect(throws: KeyFileError.self) { try folder.keyPair("li") }
        #expect(throws: KeyFileError.self) { try folder.publicKey("nobody") }
    }

    @Test("every method must be in a permission table; Health and Describe are open to all")
    func permissionTable() {
        var table = MethodPermissions()
        table.allow([.staff], "a.v1.A/Do")
        #expect(table.missing(in: ["a.v1.A/Do", "a.v1.A/Other", "rpc.v1.Health/Check"]) == ["a.v1.A/Other"])
        #expect(table.allows(.member, "rpc.v1.Health/Check"))
        #expect(!table.allows(.member, "a.v1.A/Do"))
        #expect(!table.allows(.admin, "a.v1.A/Unlisted"))
    }

    @Test("a method can be limited to named services: other services' keys are refused")
    func serviceScoped() {
        var table = MethodPermissions()
        table.allow([.admin], "e.v1.Events/Since")
        table.allow(services: ["notifier"], "e.v1.Events/Since")
        table.allow(MethodPermissions.officeAndServices, "a.v1.A/Read")
        #expect(table.allows(Principal(name: "notifier", role: .service), "e.v1.Events/Since"))
        #expect(!table.allows(Principal(name: "meeting-scheduler", role: .service), "e.v1.Events/Since"))
        #expect(table.allows(Principal(name: "ops", role: .admin), "e.v1.Events/Since"))
        #expect(!table.allows(Principal(name: "wang", role: .staff), "e.v1.Events/Since"))
        // Methods open to every service stay so.
        #expect(table.allows(Principal(name: "meeting-scheduler", role: .service), "a.v1.A/Read"))
        #expect(table.allows(Principal(name: "meeting-scheduler", role: .service), "rpc.v1.Health/Check"))
        #expect(table.describe("e.v1.Events/Since") == "admin, service:notifier")
    }
}
