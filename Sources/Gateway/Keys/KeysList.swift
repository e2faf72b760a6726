import ArgumentParser
import Foundation
import XieshangRPC
import XieshangZMQ

extension KeysCommand {
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
                for name in service.map({ [$0] }) ?? keyedServices {
                    for entry in try AllowList.load(folder.allowFile(name)).entries {
                        rows.append(Row(service: name, principal: entry.principal.name, role: entry.principal.role.rawValue, publicKey: entry.publicKey))
                    }
                }
            }
            var table = Table("服务 service", "身份 principal", "角色 role", "公钥 public key")
            for row in rows { table.add(row.service, row.principal, row.role, row.publicKey) }
            try Output(rows, table).write(json: json)
        }
    }
}
