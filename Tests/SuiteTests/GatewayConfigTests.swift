import Foundation
@testable import Gateway
import Testing
import XieshangTestSupport

/// The gateway's config file: staff write their endpoints and keys once.
@Suite("gateway config file", .serialized)
struct GatewayConfigTests {
    @Test("endpoints and keys from the config file; XIESHANG_* variables and flags win; a bad file is a usage error naming the line")
    func configFile() async throws {
        let directory = try temporaryDirectory("gateway-config")
        let keys = directory + "/keys"
        #expect(try await runCommand(builtExecutable("gateway"), ["keys", "setup", "--dir", keys]).status == 0)
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry", keys: keys)
        let gateway = builtExecutable("gateway")
        // No variables at all: the default file under XDG_CONFIG_HOME is read.
        let home = ["XDG_CONFIG_HOME": directory + "/config", "XIESHANG_REGISTRY_ENDPOINT": "", "XIESHANG_KEYS_DIR": "",
                    "XIESHANG_IDENTITY": ""]
        try FileManager.default.createDirectory(atPath: directory + "/config/xieshang", withIntermediateDirectories: true)
        try """
            # the secretariat's settings
            registry = "\(registry.rpcEndpoint)"   # the registry
            keys     = "\(keys)"
            identity = "admin"
            timeout  = 5
            time-zone = "Asia/Shanghai"

            """.write(toFile: directory + "/config/xieshang/gateway.toml", atomically: true, encoding: .utf8)
        let added = try await runCommand(gateway, ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd], environment: home)
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try await runCommand(gateway, ["term", "list", "--json"], environment: home)
        #expect(listed.status == 0 && listed.stdout.contains("2022-01-15"), "\(listed.stdout) \(listed.stderr)")

        // A variable wins over the file, a flag over the variable.
        var overridden = home
        overridden["XIESHANG_REGISTRY_ENDPOINT"] = "tcp://127.0.0.1:1"
        #expect(try await runCommand(gateway, ["term", "list", "--timeout", "1"], environment: overridden).status == 4)
        #expect(try await runCommand(gateway, ["term", "list", "--registry", registry.rpcEndpoint], environment: overridden).status == 0)
        // The identity comes from the file too: one the keys folder lacks is refused.
        #expect(try await runCommand(gateway, ["term", "list", "--identity", "nobody"], environment: home).status == 5)

        // --config names another file; mistakes are usage errors (64) with the line.
        let bad = directory + "/bad.toml"
        try "registry = \"tcp://127.0.0.1:7101\"\nregistyr = \"typo\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await runCommand(gateway, ["term", "list", "--config", bad], environment: home)
        #expect(refused.status == 64 && refused.stderr.contains("bad.toml:2: unknown setting \"registyr\""), "\(refused.stderr)")
        try "timeout = 10 minutes\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(try await runCommand(gateway, ["term", "list", "--config", bad], environment: home).status == 64)
        let missing = try await runCommand(gateway, ["term", "list", "--config", directory + "/none.toml"], environment: home)
        #expect(missing.status == 64 && missing.stderr.contains("does not exist"))
        // A variable's value is checked as the file's is: not a number, or out of range, is a
        // usage error naming it (not the default timeout).
        for (value, says) in [("soon", "XIESHANG_TIMEOUT=\"soon\" is not a number"), ("0", "must be more than 0 and at most 600 seconds")] {
            var timed = home
            timed["XIESHANG_TIMEOUT"] = value
            let answer = try await runCommand(gateway, ["term", "list"], environment: timed)
            #expect(answer.status == 64 && answer.stderr.contains(says), "\(value): \(answer.stderr)")
        }
        await registry.stop()
    }

    @Test("one command reads its config file once: an edit in the middle of it does not mix old and new settings")
    func readOnce() throws {
        let file = try temporaryDirectory("gateway-config-once") + "/gateway.toml"
        try "registry = \"tcp://10.0.0.1:7101\"\ntimeout = 3\n".write(toFile: file, atomically: true, encoding: .utf8)
        let first = try GatewaySettings.load(explicit: file)
        try "registry = \"tcp://10.0.0.2:7101\"\ntimeout = 30\n".write(toFile: file, atomically: true, encoding: .utf8)
        let second = try GatewaySettings.load(explicit: file)
        #expect(first.values["registry"] == "tcp://10.0.0.1:7101")
        #expect(second.values == first.values)
        // A file named for the first time is read.
        let other = file + ".other"
        try "registry = \"tcp://10.0.0.3:7101\"\n".write(toFile: other, atomically: true, encoding: .utf8)
        #expect(try GatewaySettings.load(explicit: other).values["registry"] == "tcp://10.0.0.3:7101")
    }
}
