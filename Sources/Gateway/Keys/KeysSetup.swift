import ArgumentParser
import Foundation
import XieshangRPC
import XieshangZMQ

extension KeysCommand {
    struct Setup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Makes a suite's keys: one pair per service, the portal's and an admin pair; allow-lists letting the services (role service), the portal (role portal: only on behalf of a member or unit) and the admin call every service. Keeps pairs that exist.",
            discussion: "Example: gateway keys setup --dir ./run/keys")
        @OptionGroup var location: KeyDirOption
        @Option(help: "The administrator's key name (default admin).") var admin = "admin"

        func run() throws {
            let folder = try location.folder()
            try reportingKeyErrors {
                for name in suiteServices + [SuiteService.portalName, admin] where !FileManager.default.fileExists(atPath: folder.secretFile(name)) {
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
                    // The portal calls only on behalf of the member or unit signed in there.
                    try list.allow(try folder.publicKey(SuiteService.portalName), as: Principal(name: SuiteService.portalName, role: .portal))
                    try list.save(folder.allowFile(service))
                    print("wrote \(folder.allowFile(service)) (\(list.entries.count) keys)")
                }
                // The portal's own socket is the office's: the administrator (staff by keys allow).
                var portalList = try AllowList.load(folder.allowFile(SuiteService.portalName))
                try portalList.allow(adminKey, as: Principal(name: admin, role: .admin))
                try portalList.allow(try folder.publicKey(SuiteService.portalName), as: Principal(name: SuiteService.portalName, role: .service))
                try portalList.save(folder.allowFile(SuiteService.portalName))
                print("wrote \(folder.allowFile(SuiteService.portalName)) (\(portalList.entries.count) keys)")
                print("services: --keys \(folder.path); gateway: --keys \(folder.path) --identity \(admin) (or XIESHANG_KEYS_DIR, XIESHANG_IDENTITY)")
            }
        }
    }
}
