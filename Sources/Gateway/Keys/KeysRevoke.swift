import ArgumentParser
import Foundation
import XieshangRPC
import XieshangZMQ

extension KeysCommand {
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Removes a public key from allow-lists; its calls are refused from then on, on open connections too.",
            discussion: "Example: gateway keys revoke wang --dir ./run/keys")
        @OptionGroup var location: KeyDirOption
        @Argument(help: "A Z85 public key, a .pub file, or the name of a key in the folder.") var key: String
        @Option(name: .customLong("service"), help: "A service to revoke it from; repeat for several (default: every service).") var services: [String] = []

        func run() throws {
            let folder = try location.folder()
            try reportingKeyErrors {
                let (publicKey, _) = try resolveKey(key, in: folder)
                var removed = 0
                for service in services.isEmpty ? keyedServices : services {
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
}
