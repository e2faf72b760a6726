import Foundation
import Testing
import XieshangTestSupport

/// A database written by an earlier release opens and migrates in this one with nothing
/// lost: each folder of `Tests/Fixtures/upgrade` holds the databases of the demo as one
/// earlier release ran it (its commit in `COMMIT`: four services at the first, all six at the
/// second) and what its gateway listed then (`expected/`).
@Suite("upgrades from an earlier release, as processes")
struct UpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/upgrade").path

    /// The releases kept, by the folder's name (the commit's first seven digits).
    static let releases = ["6a6608d", "62d3c7c"]

    /// Each service's data folder under the deployment's folder.
    static let folders = [("member-registry", "registry"), ("meeting-scheduler", "scheduler"), ("proposal-tracker", "tracker"),
                          ("notifier", "notifier"), ("duty-record", "duty"), ("portal", "portal")]

    /// What the gateway lists, by the name of its file in `expected/`; a fixture is compared
    /// on the lists it has (the first release had no duty-record and no portal).
    static let lists: [(String, [String])] = [
        ("terms", ["term", "list"]), ("members", ["member", "list", "--page-size", "500"]), ("stations", ["station", "list"]),
        ("rooms", ["room", "list"]), ("units", ["unit", "list"]), ("meetings", ["meeting", "list", "--all"]),
        ("proposals", ["proposal", "list", "--all"]), ("topics", ["topic", "list"]),
        ("duty-ranking", ["duty", "ranking", "--year", "2026"]), ("duty-member-13", ["duty", "show", "13", "--year", "2026"]),
        ("portal-accounts", ["portal", "list"]),
    ]

    /// Whether `new` still says everything `old` said: every key of an object with the same
    /// value (new keys may be added), lists element by element.
    static func lost(_ old: Any, _ new: Any?, at path: String) -> [String] {
        switch (old, new) {
        case (let old as [String: Any], let new as [String: Any]):
            return old.keys.sorted().flatMap { lost(old[$0]!, new[$0], at: "\(path).\($0)") }
        case (let old as [Any], let new as [Any]):
            guard old.count == new.count else { return ["\(path): \(old.count) then, \(new.count) now"] }
            return zip(old, new).enumerated().flatMap { lost($1.0, $1.1, at: "\(path)[\($0)]") }
        case (let old as NSNumber, let new as NSNumber):
            return old == new ? [] : ["\(path): \(old) then, \(new) now"]
        case (let old as String, let new as String):
            return old == new ? [] : ["\(path): \"\(old)\" then, \"\(new)\" now"]
        default:
            return ["\(path): \(old) then, \(new.map { "\($0)" } ?? "nothing") now"]
        }
    }

    /// What the fixture's release showed that this one deliberately no longer shows: only
    /// 主席会议, 常委会会议 and the plenary are numbered in a term (五届一次主席会议); other
    /// kinds lost their ordinal and numbered name in the `scheduler-numbering` migration.
    static func intended(_ value: Any) -> Any {
        let numbered: Set<String> = ["MEETING_KIND_CHAIRPERSONS_COUNCIL", "MEETING_KIND_STANDING_COMMITTEE", "MEETING_KIND_PLENARY"]
        switch value {
        case var object as [String: Any]:
            if let kind = object["kind"] as? String, object["ordinal"] != nil, !numbered.contains(kind) {
                object["ordinal"] = nil
                object["displayName"] = nil
            }
            return object.mapValues(intended)
        case let list as [Any]:
            return list.map(intended)
        default:
            return value
        }
    }

    @Test("the demo's databases from an earlier release open, migrate, and show all they showed then", arguments: releases)
    func earlierReleaseOpens(release: String) async throws {
        let fixture = "\(Self.fixtures)/\(release)"
        let commit = try String(contentsOfFile: fixture + "/COMMIT", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = try temporaryDirectory("upgrade-\(release)")
        var kept: Set<String> = []
        for (service, folder) in Self.folders where FileManager.default.fileExists(atPath: "\(fixture)/\(service).sqlite") {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(fixture)/\(service).sqlite", toPath: "\(directory)/\(folder)/\(service).sqlite")
            kept.insert(service)
        }
        #expect(kept.isSuperset(of: ["member-registry", "meeting-scheduler", "proposal-tracker", "notifier"]), "\(kept)")
        let d = try await Deployment.start(in: directory, .all)
        var portal: ServiceProcess?
        if kept.contains("portal") {
            portal = try await ServiceProcess("portal", dataDir: directory + "/portal", arguments: [
                "--http-address", "127.0.0.1:0",
                "--registry", d.registry.rpcEndpoint, "--scheduler", d.scheduler.rpcEndpoint, "--tracker", d.tracker!.rpcEndpoint,
                "--notifier", d.notifier!.rpcEndpoint, "--duty", d.duty!.rpcEndpoint,
            ])
        }
        var gateway = d.gatewayCLI()
        if let portal { gateway = gateway.with("XIESHANG_PORTAL_ENDPOINT", portal.rpcEndpoint) }
        let health = try await gateway.run(["health"])
        #expect(health.status == 0, "\(health.stdout)")

        var meetingIDs: [String] = []
        var compared: [String] = []
        for (name, arguments) in Self.lists where FileManager.default.fileExists(atPath: "\(fixture)/expected/\(name).json") {
            let then = Self.intended(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(fixture)/expected/\(name).json"))))
            let now = try await gateway.run(arguments + ["--json"])
            #expect(now.status == 0, "\(name): \(now.stderr)")
            let lost = Self.lost(then, try now.json(), at: name)
            #expect(lost.isEmpty, "since \(commit.prefix(8)), \(name) lost: \(lost.prefix(8))")
            if name == "meetings" { meetingIDs = ((then as? [[String: Any]]) ?? []).compactMap { ($0["id"] as? NSNumber)?.stringValue } }
            compared.append(name)
        }
        // A fixture of every service is compared on every list.
        #expect(compared.count == (kept.count == Self.folders.count ? Self.lists.count : 8), "\(compared)")
        #expect(meetingIDs.count >= 3, "the fixture holds the demo's meetings")
        let details = Self.intended(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(fixture)/expected/meeting-details.json"))))
        var shown: [Any] = []
        for id in meetingIDs { shown.append(try await d.json("meeting", "show", id)) }
        let lost = Self.lost(details, shown, at: "meeting show")
        #expect(lost.isEmpty, "since \(commit.prefix(8)), meetings' invitees and attendance lost: \(lost.prefix(8))")

        // The migrated databases take this release's writes.
        #expect(try await d.gateway("member", "add", "--number", "99001", "--name", "升级后委员", "--sector", "经济界").status == 0)
        #expect(try await d.gateway("meeting", "numbering").status == 0)
        if portal != nil {
            #expect(try await gateway.run(["portal", "invite", "--member", "14"]).status == 0)
        }
        _ = await portal?.stop()
        await d.stop()
    }
}
