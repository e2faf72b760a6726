import Testing
@testable import XieshangRPC

@Suite("Settings: flag, variable, config file, default")
struct SettingSourceTests {
    @Test("the flag wins over the variable, the variable over the file; an empty variable is not set")
    func order() {
        let source = SettingSource(environment: ["XIESHANG_KEYS_DIR": "/from/variable", "XIESHANG_IDENTITY": ""],
                                   file: ["keys": "/from/file", "identity": "clerk"])
        #expect(source.text("/from/flag", "XIESHANG_KEYS_DIR", file: "keys") == "/from/flag")
        #expect(source.text(nil, "XIESHANG_KEYS_DIR", file: "keys") == "/from/variable")
        #expect(source.text(nil, "XIESHANG_IDENTITY", file: "identity") == "clerk", "empty is unset: the file's value")
        #expect(source.text(nil, "XIESHANG_IDENTITY") == nil, "a service has no file: unset")
        #expect(source.text(nil, "XIESHANG_UNSET", file: "unknown") == nil)
        #expect(SuiteService.registry.rpcEndpoint(flag: nil, file: "tcp://10.0.0.1:7101", environment: ["XIESHANG_REGISTRY_ENDPOINT": ""])
                == "tcp://10.0.0.1:7101")
        #expect(SuiteService.registry.eventEndpoint(flag: nil, environment: ["XIESHANG_REGISTRY_EVENTS": ""]) == "tcp://127.0.0.1:7102")
    }

    @Test("numbers: the variable's or the file's text must be one, and the refusal says which")
    func numbers() throws {
        let source = SettingSource(environment: ["XIESHANG_MAX_IN_FLIGHT": " 64 ", "XIESHANG_TIMEOUT": "soon"], file: ["timeout": "2.5"])
        #expect(try source.number(Int?.none, "XIESHANG_MAX_IN_FLIGHT") == 64)
        #expect(try source.number(8, "XIESHANG_MAX_IN_FLIGHT") == 8, "a flag is not read from the variable")
        #expect(try source.number(Int?.none, "XIESHANG_UNSET") == nil)
        #expect(throws: SettingSource.Refusal(description: "XIESHANG_TIMEOUT=\"soon\" is not a number")) {
            try source.number(Double?.none, "XIESHANG_TIMEOUT", file: "timeout")
        }
        #expect(try SettingSource(environment: [:], file: ["timeout": "2.5"]).number(Double?.none, "XIESHANG_TIMEOUT", file: "timeout") == 2.5)
        #expect(throws: SettingSource.Refusal(description: "the config file's timeout = \"ten\" is not a number")) {
            try SettingSource(environment: [:], file: ["timeout": "ten"]).number(Double?.none, "XIESHANG_TIMEOUT", file: "timeout")
        }
        #expect(throws: SettingSource.Refusal.self) {
            try SettingSource(environment: ["XIESHANG_PORTAL_PAGE_BURST": "8.5"]).number(Int?.none, "XIESHANG_PORTAL_PAGE_BURST")
        }
    }

    @Test("on/off: 1, true, yes, on turn it on; 0, false, no, off or unset leave it off; a misspelling is refused, not taken as off")
    func switches() throws {
        for on in ["1", "true", "TRUE", "yes", "on", " Yes "] {
            #expect(try SettingSource(environment: ["X": on]).enabled(false, "X"), "\(on)")
        }
        for off in ["0", "false", "no", "off", "OFF", ""] {
            #expect(try !SettingSource(environment: ["X": off]).enabled(false, "X"), "\(off)")
        }
        #expect(try !SettingSource(environment: [:]).enabled(false, "X"))
        #expect(try SettingSource(environment: ["X": "0"]).enabled(true, "X"), "the flag turns it on whatever the variable says")
        #expect(throws: SettingSource.Refusal(description: "XIESHANG_PORTAL_SECURE_COOKIES=\"ture\" is neither on (1, true, yes, on) nor off (0, false, no, off)")) {
            try SettingSource(environment: ["XIESHANG_PORTAL_SECURE_COOKIES": "ture"]).enabled(false, "XIESHANG_PORTAL_SECURE_COOKIES")
        }
    }
}
