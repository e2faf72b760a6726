import Foundation
import XieshangRPC
import Synchronization

/// The gateway's config file, so staff do not retype endpoints and keys: `--config FILE`,
/// else `XIESHANG_GATEWAY_CONFIG`, else `$XDG_CONFIG_HOME/xieshang/gateway.toml` (by default
/// `~/.config/xieshang/gateway.toml`) when it exists. A flat TOML subset:
///
/// ```toml
/// registry  = "tcp://10.1.2.3:7101"
/// scheduler = "tcp://10.1.2.3:7201"
/// tracker   = "tcp://10.1.2.3:7301"
/// notifier  = "tcp://10.1.2.3:7401"
/// keys      = "/home/wang/.config/xieshang/keys"
/// identity  = "wang"
/// timeout   = 10              # seconds
/// time-zone = "Asia/Shanghai"
/// ```
///
/// Precedence: a flag, then its `XIESHANG_*` variable, then this file, then the default.
struct GatewaySettings: Sendable {
    static let keys: Set<String> = ["registry", "scheduler", "tracker", "notifier", "duty", "keys", "identity", "timeout", "time-zone"]

    var values: [String: String] = [:]
    /// The file read, if any.
    var file: String?

    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// The default file's path.
    static var defaultPath: String {
        let source = SettingSource()
        let base = source.variable("XDG_CONFIG_HOME") ?? (source.environment["HOME"].map { $0 + "/.config" } ?? NSHomeDirectory() + "/.config")
        return base + "/xieshang/gateway.toml"
    }

    /// Reads `explicit` (which must exist), else the default file if there is one. The
    /// file is read once per path for the life of the command, so every setting of one
    /// command comes from the same reading even if the file is edited meanwhile.
    static func load(explicit: String?) throws(Problem) -> GatewaySettings {
        let chosen = SettingSource().text(explicit, "XIESHANG_GATEWAY_CONFIG")
        let path = chosen ?? defaultPath
        if let earlier = readings.withLock({ $0[path] }) { return earlier }
        let settings = try read(path, required: chosen != nil)
        readings.withLock { $0[path] = settings }
        return settings
    }

    private static let readings = Mutex<[String: GatewaySettings]>([:])

    private static func read(_ path: String, required: Bool) throws(Problem) -> GatewaySettings {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw Problem(description: "config file \(path) does not exist") }
            return GatewaySettings()
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Problem(description: "cannot read config file \(path) (not UTF-8 text, or not readable)")
        }
        var settings = try parse(text, file: path)
        settings.file = path
        return settings
    }

    static func parse(_ text: String, file: String) throws(Problem) -> GatewaySettings {
        var settings = GatewaySettings()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let at = "\(file):\(index + 1)"
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else { throw Problem(description: "\(at): expected name = value") }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            line = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard keys.contains(name) else {
                throw Problem(description: "\(at): unknown setting \"\(name)\"; known: \(keys.sorted().joined(separator: ", "))")
            }
            guard settings.values[name] == nil else { throw Problem(description: "\(at): \(name) is set twice") }
            let value: String
            if line.hasPrefix("\"") {
                guard let close = line.dropFirst().firstIndex(of: "\"") else { throw Problem(description: "\(at): unterminated string") }
                value = String(line[line.index(after: line.startIndex)..<close])
                let rest = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
                guard rest.isEmpty || rest.hasPrefix("#") else { throw Problem(description: "\(at): unexpected text after the value") }
            } else {
                value = line.split(separator: "#", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard name == "timeout", Double(value) != nil else {
                    throw Problem(description: "\(at): \(name) takes a quoted string, e.g. \(name) = \"…\"")
                }
            }
            if name == "timeout" {
                guard let seconds = Double(value), seconds > 0, seconds <= 600 else {
                    throw Problem(description: "\(at): timeout must be a number of seconds, more than 0 and at most 600")
                }
            }
            if name == "time-zone" && TimeZone(identifier: value) == nil {
                throw Problem(description: "\(at): unknown time zone \"\(value)\" (e.g. Asia/Shanghai)")
            }
            settings.values[name] = value
        }
        return settings
    }
}
