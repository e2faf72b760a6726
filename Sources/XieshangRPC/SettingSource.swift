import Foundation

/// Where every program of the suite (the services' mains, the gateway, loadtest) reads a
/// setting, in one order: the command's flag, else its environment variable (set and not
/// empty), else a config file's value (the gateway's; none for a service), else the default
/// the caller gives. A variable or file value that is not what the setting takes is refused
/// by name: a typo must not quietly become the default.
public struct SettingSource: Sendable {
    public var environment: [String: String]
    /// A config file's values by key (the gateway's `gateway.toml`).
    public var file: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, file: [String: String] = [:]) {
        self.environment = environment
        self.file = file
    }

    /// Why a variable's or a config file's value cannot be used.
    public struct Refusal: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The variable's value, nil when unset or empty (an empty variable in a compose file or
    /// a unit file means "not set", as it does for the shell's `${X:-default}`).
    public func variable(_ name: String) -> String? {
        environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A text setting: the flag, else the variable, else the file's `key`.
    public func text(_ flag: String?, _ variable: String, file key: String? = nil) -> String? {
        flag ?? self.variable(variable) ?? key.flatMap { file[$0] }
    }

    /// A number setting (`Int`, `Double`…): the flag, else the variable, else the file's `key`;
    /// a variable or file value that is not such a number is refused, naming where it came from.
    public func number<Value: LosslessStringConvertible>(_ flag: Value?, _ variable: String, file key: String? = nil) throws(Refusal) -> Value? {
        if let flag { return flag }
        if let text = self.variable(variable) {
            guard let value = Value(text.trimmingCharacters(in: .whitespaces)) else {
                throw Refusal(description: "\(variable)=\"\(text)\" is not \(Self.kind(Value.self))")
            }
            return value
        }
        if let key, let text = file[key] {
            guard let value = Value(text.trimmingCharacters(in: .whitespaces)) else {
                throw Refusal(description: "the config file's \(key) = \"\(text)\" is not \(Self.kind(Value.self))")
            }
            return value
        }
        return nil
    }

    /// An on/off setting: the flag given (a flag can only turn it on), else the variable:
    /// `1`, `true`, `yes` or `on` turn it on; `0`, `false`, `no`, `off` or unset leave it off;
    /// anything else is refused (`XIESHANG_PORTAL_SECURE_COOKIES=ture` must not mean off).
    public func enabled(_ flag: Bool, _ variable: String) throws(Refusal) -> Bool {
        if flag { return true }
        guard let text = self.variable(variable) else { return false }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw Refusal(description: "\(variable)=\"\(text)\" is neither on (1, true, yes, on) nor off (0, false, no, off)")
        }
    }

    private static func kind(_ type: Any.Type) -> String {
        type == Double.self || type == Float.self ? "a number" : "a whole number"
    }
}
