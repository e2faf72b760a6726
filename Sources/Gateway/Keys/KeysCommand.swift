import ArgumentParser
import Foundation
import XieshangRPC
import XieshangZMQ

/// The suite's services, in the order they start.
let suiteServices = SuiteService.all.map(\.name)
/// Every program with an allow-list: the services and the portal (whose socket is the office's).
let keyedServices = suiteServices + [SuiteService.portal.name]

/// Where key files live: `--dir`, else XIESHANG_KEYS_DIR.
struct KeyDirOption: ParsableArguments {
    @Option(help: "The keys folder (env XIESHANG_KEYS_DIR).") var dir: String?

    func folder() throws -> KeyFolder {
        guard let path = SettingSource().text(dir, "XIESHANG_KEYS_DIR") else {
            throw ValidationError("say which keys folder: --dir DIR or XIESHANG_KEYS_DIR")
        }
        return KeyFolder(path)
    }
}

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "CURVE key pairs and the services' allow-lists.",
        discussion: """
            A keys folder holds a key pair per service and per user (NAME.key, secret, mode \
            0600; NAME.pub, shareable) and an allow-list per service (SERVICE.allow) mapping \
            public keys to a principal and a role: admin, staff, member, unit or service. \
            Services read their folder with --keys DIR; the gateway with --keys DIR --identity NAME. \
            A service notices a changed allow-list within a second (or at once on SIGHUP).

            Example: gateway keys setup --dir /etc/xieshang/keys
                     gateway keys generate wang --dir /etc/xieshang/keys
                     gateway keys allow wang --role staff --dir /etc/xieshang/keys
            """,
        subcommands: [Setup.self, Generate.self, Allow.self, Revoke.self, List.self])
}

/// A key given as Z85 text, a `.pub` file, or a name in the folder; with its name if known.
func resolveKey(_ text: String, in folder: KeyFolder) throws -> (key: String, name: String?) {
    if ZMQCurve.isKey(text) { return (text, nil) }
    if text.hasSuffix(".pub"), FileManager.default.fileExists(atPath: text) {
        let name = URL(fileURLWithPath: text).deletingPathExtension().lastPathComponent
        return (try KeyFolder(URL(fileURLWithPath: text).deletingLastPathComponent().path).publicKey(name), name)
    }
    guard KeyFolder.isValidName(text) else { throw KeyFileError("\"\(text)\" is neither a Z85 public key, a .pub file, nor a key name") }
    return (try folder.publicKey(text), text)
}

/// Key-file problems as one line on standard error and exit code 2.
func reportingKeyErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as KeyFileError {
        Terminal.error("error: \(error.message)")
        throw ExitCode(2)
    }
}
