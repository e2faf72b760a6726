import ArgumentParser
import Foundation
import XieshangRPC
import XieshangZMQ

/// The four services, in the order they start.
let suiteServices = ["member-registry", "meeting-scheduler", "proposal-tracker", "notifier"]

/// Where key files live: `--dir`, else XIESHANG_KEYS_DIR.
struct KeyDirOption: ParsableArguments {
    @Option(help: "The keys folder (env XIESHANG_KEYS_DIR).") var dir: String?

    func folder() throws -> KeyFolder {
        guard let path = dir ?? ProcessInfo.processInfo.environment["XIESHANG_KEYS_DIR"].flatMap({ $0.isEmpty ? nil : $0 }) else {
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
            A keys folder holds a key pair per service and per user (NAME.key, secret, mode
            0600; NAME.pub, shareable) and an allow-list per service (SERVICE.allow) mapping
            public keys to a principal and a role: admin, staff, member, unit or service.
            Services read their folder with --keys DIR; the gateway with --keys DIR --identity NAME.
            A service notices a changed allow-list within a second (or at once on SIGHUP).

            Example: gateway keys setup --dir /etc/xieshang/keys
                     gateway keys generate wang --dir /etc/xieshang/keys
                     gateway keys allow wang --role staff --dir /etc/xieshang/keys
            """,
        subcommands: [Setup.self, Generate.self, Allow.self, Revoke.self, List.self])

    struct Setup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Makes a suite's keys: one pair per service and an admin pair, allow-lists letting the services (role service) and the admin call every service. Keeps pairs that exist.",
            discussion: "Example: gateway keys setup --dir ./run/keys")
        @OptionGroup var location: KeyDirOption
        @Option(help: "The administrator's key name (default admin).") var admin = "admin"

        func run() throws {
            let folder = try location.folder()
            try reportingKeyErrors {
                for name in suiteServices + [admin] where !FileManager.default.fileExists(atPath: folder.secretFile(name)) {
                    try folder.generate(name)
                    print("generated \(folder.secretFile(name))")
                }
                let adminKey = try folder.publicKey(admin)
                for service in suiteServices {
                    var list = try AllowList.load(folder.allowFile(service))
                    try list.allow(adminKey, as: Principal(name: admin, role: .admin))
                    // Each service's own key too: a container's health check calls with it.
                    for peer in suiteServices {
                        try list.allow(try folder.publicKey(peer), as: Principal(name: peer, role: .service))
                    }
                    try list.save(folder.allowFile(service))
                    print("wrote \(folder.allowFile(service)) (\(list.entries.count) keys)")
                }
                print("services: --keys \(folder.path); gateway: --keys \(folder.path) --identity \(admin) (or XIESHANG_KEYS_DIR, XIESHANG_IDENTITY)")
            }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Makes a key pair per name: NAME.key (secret, 0600) and NAME.pub.",
            discussion: "Example: gateway keys generate wang li --dir ./run/keys")
        @OptionGroup var location: KeyDirOption
        @Argument(help: "Names of users or services.") var names: [String]
        @Flag(help: "Replace an existing pair (its old public key stops working once allow-lists drop it).") var replace = false

        func run() throws {
            let folder = try location.folder()
            try reportingKeyErrors {
                for name in names {
                    let pair = try folder.generate(name, replace: replace)
                    print("\(name)\t\(pair.publicKey)\t\(folder.secretFile(name))")
                }
            }
        }
    }

    struct Allow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lets a public key call services, as a principal with a role.",
            discussion: """
                For the member and unit roles the principal is the member's or the unit's id.
                Example: gateway keys allow wang --role staff --dir ./run/keys
                         gateway keys allow 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7' --principal 42 --role member --dir ./run/keys
                """)
        @OptionGroup var location: KeyDirOption
        @Argument(help: "A Z85 public key, a .pub file, or the name of a key in the folder.") var key: String
        @Option(help: "Who the key is (default: the key's name, when given by name).") var principal: String?
        @Option(help: "admin, staff, member, unit or service.") var role: String
        @Option(name: .customLong("service"), help: "A service whose allow-list gets the key; repeat for several (default: all four).") var services: [String] = []

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role \"\(role)\" is not one of \(Role.spellings)") }
            for service in services where !suiteServices.contains(service) {
                throw ValidationError("unknown service \"\(service)\"; known: \(suiteServices.joined(separator: ", "))")
            }
        }

        func run() throws {
            let folder = try location.folder()
            try reportingKeyErrors {
                let (publicKey, name) = try resolveKey(key, in: folder)
                guard let who = principal ?? name else {
                    throw KeyFileError("say who the key is: --principal NAME (for a member or a unit, its id)")
                }
                let principal = Principal(name: who, role: Role(rawValue: role)!)
                try AllowList.validate(publicKey: publicKey, principal: principal)
                for service in services.isEmpty ? suiteServices : services {
                    var list = try AllowList.load(folder.allowFile(service))
                    try list.allow(publicKey, as: principal)
                    try list.save(folder.allowFile(service))
                    print("\(service): allowed \(principal)")
                }
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Removes a public key from allow-lists; its calls are refused from then on, on open connections too.",
            discussion: "Example: gateway keys revoke wang --dir ./run/keys")
        @OptionGroup var location: KeyDirOption
        @Argument(help: "A Z85 public key, a .pub file, or the name of a key in the folder.") var key: String
        @Option(name: .customLong("service"), help: "A service to revoke it from; repeat for several (default: all four).") var services: [String] = []

        func run() throws {
            let folder = try location.folder()
            try reportingKeyErrors {
                let (publicKey, _) = try resolveKey(key, in: folder)
                var removed = 0
                for service in services.isEmpty ? suiteServices : services {
                    var list = try AllowList.load(folder.allowFile(service))
                    if list.revoke(publicKey) {
                        try list.save(folder.allowFile(service))
                        removed += 1
                        print("\(service): revoked")
                    }
                }
                if removed == 0 { throw KeyFileError("no allow-list holds that key") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who may call each service.", discussion: "Example: gateway keys list --dir ./run/keys")
        @OptionGroup var location: KeyDirOption
        @Option(name: .customLong("service"), help: "Only this service's allow-list.") var service: String?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            let folder = try location.folder()
            struct Row: Encodable { let service: String; let principal: String; let role: String; let publicKey: String }
            var rows: [Row] = []
            try reportingKeyErrors {
                for name in service.map({ [$0] }) ?? suiteServices {
                    for entry in try AllowList.load(folder.allowFile(name)).entries {
                        rows.append(Row(service: name, principal: entry.principal.name, role: entry.principal.role.rawValue, publicKey: entry.publicKey))
                    }
                }
            }
            if json { return try printJSON(rows) }
            var table = Table("服务 service", "身份 principal", "角色 role", "公钥 public key")
            for row in rows { table.add(row.service, row.principal, row.role, row.publicKey) }
            table.print()
        }
    }
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
