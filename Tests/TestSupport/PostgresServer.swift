import Foundation
import XieshangService

/// A throwaway PostgreSQL server for a test: a cluster made with initdb in a folder of its
/// own, reached through a Unix socket in that folder (no TCP port to collide with, unless a
/// test turns TLS on: `enableTLS`),
/// run as an unprivileged user when the tests run as root (PostgreSQL refuses root; CI runs
/// as root). Debian's `postgresql` package provides the binaries (`make bootstrap`).
public final class PostgresServer: @unchecked Sendable {
    public let folder: String
    private let binaries: String
    private var process: ChildProcess?
    /// The server's port: its Unix socket's name, and with TLS its loopback TCP port.
    private var port = 5432
    /// With TLS on (`enableTLS`): its certificate and key.
    private var tls: (certificate: String, key: String)?
    /// The user the server runs as when the tests are root.
    private static let runAs = "nobody"

    /// Runs `body` with a server of its own, then stops the server and removes its cluster,
    /// whether `body` returned or threw.
    public static func with(_ body: (PostgresServer) async throws -> Void) async throws {
        let server = try await start()
        do {
            try await body(server)
        } catch {
            await server.remove()
            throw error
        }
        await server.remove()
    }

    /// Makes a cluster and starts its server.
    public static func start() async throws -> PostgresServer {
        let server = try PostgresServer()
        try await server.initialize()
        try await server.start()
        return server
    }

    private init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else {
            throw ProcessFailure(description: "PostgreSQL is not installed (/usr/lib/postgresql/N/bin): run make bootstrap")
        }
        binaries = "/usr/lib/postgresql/\(newest)/bin"
        folder = try temporaryDirectory("pg")
    }

    /// The command as the server's user: setpriv changes the user and executes the program
    /// in place, so the process started is the server itself and signals reach it.
    private func asServerUser(_ program: String, _ arguments: [String]) -> (String, [String]) {
        guard getuid() == 0 else { return (binaries + "/" + program, arguments) }
        return ("/usr/bin/setpriv", ["--reuid", Self.runAs, "--regid", "nogroup", "--clear-groups", "--", binaries + "/" + program] + arguments)
    }

    private func initialize() async throws {
        if getuid() == 0 {
            // The folder becomes the server user's: initdb and the server write in it.
            guard let user = getpwnam(Self.runAs) else { throw ProcessFailure(description: "no user \(Self.runAs) to run PostgreSQL as") }
            chown(folder, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        let (program, arguments) = asServerUser("initdb", ["-D", folder + "/data", "-A", "trust", "-U", "xieshang", "-E", "UTF8", "--no-sync", "--locale=C"])
        let result = try await runCommand(program, arguments, timeout: .seconds(120))
        guard result.status == 0 else { throw ProcessFailure(description: "initdb failed: \(result.stderr)") }
    }

    /// Starts the server (again) and waits until it takes connections.
    public func start() async throws {
        precondition(process == nil, "already running")
        let listening = tls.map { ["-c", "listen_addresses=127.0.0.1", "-c", "ssl=on", "-c", "ssl_cert_file=\($0.certificate)", "-c", "ssl_key_file=\($0.key)"] }
            ?? ["-c", "listen_addresses="]
        let (program, arguments) = asServerUser("postgres", [
            "-D", folder + "/data", "-k", folder, "-p", "\(port)", "-c", "fsync=off",
            "-c", "max_connections=200", "-c", "shared_buffers=32MB",
        ] + listening)
        process = try ChildProcess(program, arguments, environment: ProcessInfo.processInfo.environment,
                                   stdout: folder + "/server.out", stderr: folder + "/server.log", appendStderr: true)
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(60) {
            if let status = process?.reapIfEnded() {
                process = nil
                throw ProcessFailure(description: "postgres ended (\(status)) at start: \(log)")
            }
            let ready = try await runCommand(binaries + "/pg_isready", ["-h", folder, "-p", "\(port)", "-U", "xieshang", "-q"], timeout: .seconds(10))
            if ready.status == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFailure(description: "postgres did not take connections within a minute: \(log)")
    }

    /// Stops the server: `fast` as an operator's restart does (SIGINT: sessions are ended,
    /// then a clean shutdown), `immediate` as a crash (SIGQUIT: recovery at the next start).
    public func stop(immediate: Bool = false) async {
        guard let process else { return }
        process.signal(immediate ? SIGQUIT : SIGINT)
        if await process.waitForExit(timeout: .seconds(30)) == nil {
            process.signal(SIGKILL)
            _ = await process.waitForExit(timeout: .seconds(5))
        }
        self.process = nil
    }

    /// A new, empty database; returns its URL. With `owner`, a role of that name (made here,
    /// no superuser) owns it and the URL is that role's, as an operator gives each service
    /// its own.
    public func createDatabase(_ name: String, owner: String? = nil) async throws -> String {
        var statements = ["CREATE DATABASE \(name)"]
        if let owner { statements = ["CREATE ROLE \(owner) LOGIN NOSUPERUSER", "CREATE DATABASE \(name) OWNER \(owner)"] }
        for statement in statements {
            let result = try await runCommand("/usr/bin/psql", ["-h", folder, "-p", "\(port)", "-U", "xieshang", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", statement])
            guard result.status == 0 else { throw ProcessFailure(description: "\(statement) failed: \(result.stderr)") }
        }
        return url(name, user: owner ?? "xieshang")
    }

    /// The URL of database `name` on this server, for `user`.
    public func url(_ name: String, user: String = "xieshang") -> String { "postgresql://\(user)@/\(name)?host=\(folder)&port=\(port)" }

    /// Restarts the server listening on a loopback TCP port too, where it takes TLS
    /// connections only (pg_hba's `hostssl`), with a certificate for localhost signed by a
    /// certificate authority made here. Returns the port and the authority's certificate (a
    /// client's `sslrootcert`); the Unix socket stays as it was.
    public func enableTLS() async throws -> (port: Int, rootCertificate: String) {
        let folder = self.folder + "/tls"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let authority = try await Self.certificateAuthority(in: folder, named: "ca")
        try await Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                                "-keyout", folder + "/server.key", "-out", folder + "/server.csr"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: folder + "/server.ext", atomically: true, encoding: .utf8)
        try await Self.openssl(["x509", "-req", "-in", folder + "/server.csr", "-CA", authority, "-CAkey", folder + "/ca.key",
                                "-CAcreateserial", "-days", "2", "-extfile", folder + "/server.ext", "-out", folder + "/server.crt"])
        // PostgreSQL reads its key only if no one else may.
        chmod(folder + "/server.key", 0o600)
        if getuid() == 0, let user = getpwnam(Self.runAs) {
            for file in [folder, folder + "/server.key", folder + "/server.crt"] { chown(file, user.pointee.pw_uid, user.pointee.pw_gid) }
        }
        let hba = self.folder + "/data/pg_hba.conf"
        let rules = try String(contentsOfFile: hba, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("host ") ? "hostssl" + $0.dropFirst(4) : String($0) }
        try rules.joined(separator: "\n").write(toFile: hba, atomically: false, encoding: .utf8)
        await stop()
        port = try freeLoopbackPort()
        tls = (folder + "/server.crt", folder + "/server.key")
        try await start()
        return (port, authority)
    }

    /// A self-signed certificate authority's certificate, `<name>.crt` in `folder` (its key
    /// beside it), as a client's root certificate.
    public static func certificateAuthority(in folder: String, named name: String) async throws -> String {
        try await openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=xieshang test \(name)",
                           "-keyout", folder + "/\(name).key", "-out", folder + "/\(name).crt"])
        return folder + "/\(name).crt"
    }

    private static func openssl(_ arguments: [String]) async throws {
        let result = try await runCommand("/usr/bin/openssl", arguments, timeout: .seconds(60))
        guard result.status == 0 else { throw ProcessFailure(description: "openssl \(arguments[0]) failed: \(result.stderr)") }
    }

    /// Runs SQL with psql against database `name`; returns what it printed (unaligned, no headers).
    public func query(_ name: String, _ sql: String) async throws -> String {
        let result = try await runCommand("/usr/bin/psql", ["-h", folder, "-p", "\(port)", "-U", "xieshang", "-d", name, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
        guard result.status == 0 else { throw ProcessFailure(description: "psql failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `query` until it prints `expected` or `seconds` pass (what consumers and senders
    /// get to in their own time); returns what it printed last.
    public func query(_ name: String, _ sql: String, until expected: String, within seconds: Int = 20) async throws -> String {
        let end = ContinuousClock.now + .seconds(seconds)
        var printed = try await query(name, sql)
        while printed != expected && ContinuousClock.now < end {
            try await Task.sleep(for: .milliseconds(100))
            printed = try await query(name, sql)
        }
        return printed
    }

    public var log: String { (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "" }

    /// Stops the server and removes its cluster.
    public func remove() async {
        await stop()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
