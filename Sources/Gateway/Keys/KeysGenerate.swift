import ArgumentParser
import XieshangRPC
import XieshangZMQ

extension KeysCommand {
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
}
