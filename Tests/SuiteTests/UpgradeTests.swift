import Foundation
import Testing
import XieshangTestSupport

/// A database written by an earlier release opens and migrates in this one with nothing
/// lost: `Tests/Fixtures/upgrade` holds the four databases of the demo as that release ran it
/// (its commit in `COMMIT`) and what its gateway listed then (`expected/`).
@Suite("upgrades from an earlier release, as processes")
struct UpgradeTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/upgrade").path

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

    @Test("the demo's databases from an earlier release open, migrate, and show all they showed then")
    func earlierReleaseOpens() async throws {
        let commit = try String(contentsOfFile: Self.fixture + "/COMMIT", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = try temporaryDirectory("upgrade")
        for (folder, service) in [("registry", "member-registry"), ("scheduler", "meeting-scheduler"), ("tracker", "proposal-tracker"), ("notifier", "notifier")] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(Self.fixture)/\(service).sqlite", toPath: "\(directory)/\(folder)/\(service).sqlite")
        }
        let d = try await Deployment.start(in: directory, .all)
        let health = try await d.gateway("health")
        #expect(health.status == 0, "\(health.stdout)")

        let lists: [(String, [String])] = [
            ("terms", ["term", "list"]), ("members", ["member", "list", "--page-size", "500"]), ("stations", ["station", "list"]),
            ("rooms", ["room", "list"]), ("units", ["unit", "list"]), ("meetings", ["meeting", "list", "--all"]),
            ("proposals", ["proposal", "list", "--all"]), ("topics", ["topic", "list"]),
        ]
        var meetingIDs: [String] = []
        for (name, arguments) in lists {
            let then = Self.intended(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.fixture)/expected/\(name).json"))))
            let now = try await d.gateway(arguments + ["--json"])
            #expect(now.status == 0, "\(name): \(now.stderr)")
            let lost = Self.lost(then, try now.json(), at: name)
            #expect(lost.isEmpty, "since \(commit.prefix(8)), \(name) lost: \(lost.prefix(8))")
            if name == "meetings" { meetingIDs = ((then as? [[String: Any]]) ?? []).compactMap { ($0["id"] as? NSNumber)?.stringValue } }
        }
        #expect(meetingIDs.count >= 3, "the fixture holds the demo's meetings")
        let details = Self.intended(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.fixture)/expected/meeting-details.json"))))
        var shown: [Any] = []
        for id in meetingIDs { shown.append(try await d.json("meeting", "show", id)) }
        let lost = Self.lost(details, shown, at: "meeting show")
        #expect(lost.isEmpty, "since \(commit.prefix(8)), meetings' invitees and attendance lost: \(lost.prefix(8))")

        // The migrated databases take this release's writes.
        #expect(try await d.gateway("member", "add", "--number", "99001", "--name", "升级后委员", "--sector", "经济界").status == 0)
        #expect(try await d.gateway("meeting", "numbering").status == 0)
        await d.stop()
    }
}
