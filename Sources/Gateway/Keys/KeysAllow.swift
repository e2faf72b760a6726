import ArgumentParser
import Foundation
import XieshangRPC
import XieshangZMQ

extension KeysCommand {
    struct Allow: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lets a public key call services, as a principal with a role.",
            discussion: """
                For the member and unit roles the principal is the member's or the unit's id.

                Example: gateway keys allow wang --role staff --dir ./run/keys
                         gateway keys allow 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7' \\
                             --principal 42 --role member --dir ./run/keys
                """)
        @OptionGroup var location: KeyDirOption
        @Argument(help: "A Z85 public key, a .pub file, or the name of a key in the folder.") var key: String
        @Option(help: "Who the key is (default: the key's name, when given by name).") var principal: String?
        @Option(help: "admin, staff, member, unit or service.") var role: String
        @Option(name: .customLong("service"), help: "A service whose allow-list gets the key; repeat for several (default: every service).") var services: [String] = []

        func validate() throws {
            guard let parsed = Role(rawValue: role), Role.keyed.contains(parsed) else { throw ValidationError("--role \"\(role)\" is not one of \(Role.spellings)") }
            for service in services where !keyedServices.contains(service) {
                throw ValidationError("unknown service \"\(service)\"; known: \(keyedServices.joined(separator: ", "))")
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
                for service in services.isEmpty ? keyedServices : services {
                    var list = try AllowList.load(folder.allowFile(service))
                    try list.allow(publicKey, as: principal)
                    try list.save(folder.allowFile(service))
                    print("\(service): allowed \(principal)")
                }
            }
        }
    }
}
