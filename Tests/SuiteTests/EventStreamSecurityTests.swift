import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

extension EventTap {
    /// A tap with `identity`'s key from the folder `keys`, on `service`'s event socket: what a
    /// hostile member, a unit, a staff key or another service's key would do to read the events.
    convenience init(_ name: String, context: ZMQContext, keys: String, identity: String, service: String, endpoint: String) throws {
        try self.init(name, context: context, endpoints: [endpoint],
                      security: try KeyFolder(keys).clientSecurity(as: identity, calling: service))
    }
}

/// Item 1 and 2 of the security review, played as the attacker: every key on a service's
/// allow-list used to receive its event stream live (leave reasons, phone numbers,
/// non-public proposals); and a revoked key kept an open subscription.
@Suite("event streams: only the consumers a service names subscribe; revocation ends a subscription", .serialized)
struct EventStreamSecurityTests {
    @Test("member, unit, staff and another service's keys get nothing from any event socket; the notifier's and admin's do")
    func onlyConsumersSubscribe() async throws {
        let directory = try temporaryDirectory("event-streams")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let admin = suite.gateway(identity: "admin")
        #expect(try await admin.run(["keys", "generate", "m12", "u1", "wang", "--dir", keys]).status == 0)
        for (name, role, principal) in [("m12", "member", "12"), ("u1", "unit", "1"), ("wang", "staff", "wang")] {
            #expect(try await admin.run(["keys", "allow", name, "--role", role, "--principal", principal, "--dir", keys]).status == 0)
        }
        try await Task.sleep(for: .milliseconds(1500))
        for arguments in [["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
                          ["member", "import", demoMembersCSV]] {
            let result = try await admin.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }

        let context = try ZMQContext()
        defer { context.terminate() }
        // Who listens on each service, and who must hear nothing.
        let sources: [(service: String, endpoint: String, otherService: String)] = [
            ("member-registry", suite.registry.eventEndpoint, "proposal-tracker"),
            ("meeting-scheduler", suite.scheduler.eventEndpoint, "proposal-tracker"),
            ("proposal-tracker", suite.tracker.eventEndpoint, "meeting-scheduler"),
        ]
        for source in sources {
            var taps: [EventTap] = []
            for identity in ["admin", "notifier", "m12", "u1", "wang", source.otherService] {
                taps.append(try EventTap(identity, context: context, keys: keys, identity: identity,
                                         service: source.service, endpoint: source.endpoint))
            }
            defer { taps.forEach { $0.close() } }
            try await Task.sleep(for: .milliseconds(600))  // the handshakes (or their refusals)

            // Something private happens at the source.
            switch source.service {
            case "member-registry":
                let changed = try await admin.run(["member", "update", "20", "--phone", "13912345678"])
                #expect(changed.status == 0, "\(changed.stderr)")
            case "meeting-scheduler":
                let scheduled = try await admin.json(["meeting", "schedule", "--title", "委员视察", "--kind", "调研",
                                                      "--start", "2026-12-08 09:00", "--minutes", "120", "--venue", "市政协"])
                let id = (scheduled["id"] as? NSNumber)?.intValue ?? 0
                #expect(try await admin.run(["meeting", "invite", "\(id)", "--member", "12"]).status == 0)
                #expect(try await admin.run(["meeting", "publish", "\(id)"]).status == 0)
                let shown = try await admin.json(["meeting", "show", "\(id)"])
                let invitee = ((shown["invitees"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.intValue ?? 0
                let leave = try await admin.run(["meeting", "leave", "\(id)", "--invitee", "\(invitee)", "--type", "生病", "--reason", "肺炎住院"])
                #expect(leave.status == 0, "\(leave.stderr)")
            default:
                let created = try await admin.json(["proposal", "create", "--member", "12", "--title", "关于某项不公开事项的建议",
                                                    "--body", "不公开的正文", "--not-public", "涉及个人隐私"])
                let id = (created["id"] as? NSNumber)?.intValue ?? 0
                #expect(try await admin.run(["proposal", "act", "\(id)", "submit", "--as", "member:12"]).status == 0)
            }

            let heard = try taps[0].receive(for: .seconds(10)) { !$0.isEmpty }
            #expect(!heard.isEmpty, "admin hears \(source.service)'s events")
            let notifier = try taps[1].receive(for: .seconds(5)) { !$0.isEmpty }
            #expect(!notifier.isEmpty, "the notifier's key hears \(source.service)'s events")
            for tap in taps.dropFirst(2) {
                let leaked = try tap.receive(for: .milliseconds(300))
                #expect(leaked.isEmpty, "\(tap.name) received \(leaked.map(\.type)) from \(source.service)")
            }
        }
        await suite.stop()
    }

    @Test("a revoked consumer's open subscription ends within about a second; the notifier reconnects and misses nothing")
    func revocationEndsASubscription() async throws {
        let directory = try temporaryDirectory("event-revoke")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let admin = suite.gateway(identity: "admin")
        #expect(try await admin.run(["keys", "generate", "ops", "--dir", keys]).status == 0)
        #expect(try await admin.run(["keys", "allow", "ops", "--role", "admin", "--dir", keys]).status == 0)
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await admin.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)

        let context = try ZMQContext()
        defer { context.terminate() }
        let ops = try EventTap("ops", context: context, keys: keys, identity: "ops", service: "member-registry",
                               endpoint: suite.registry.eventEndpoint)
        defer { ops.close() }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await admin.run(["member", "add", "--number", "9001", "--name", "甲", "--sector", "教育界"]).status == 0)
        #expect(try ops.receive(for: .seconds(5)) { !$0.isEmpty }.map(\.type) == ["member.added"], "ops subscribed while allowed")

        let revoked = try await admin.run(["keys", "revoke", "ops", "--dir", keys])
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let revokedAt = ContinuousClock.now
        // Within the allow-list's reload second (and the publisher's 100 ms look), the
        // socket is bound again and the revoked key cannot handshake back.
        try await Task.sleep(for: .milliseconds(1300))
        for number in 9002...9004 {
            #expect(try await admin.run(["member", "add", "--number", "\(number)", "--name", "乙", "--sector", "教育界"]).status == 0)
        }
        let afterRevocation = try ops.receive(for: .seconds(2))
        #expect(afterRevocation.isEmpty, "a revoked key still received \(afterRevocation.map(\.sequence)) \(ContinuousClock.now - revokedAt) after revocation")

        // The notifier handshook again and, through its catch-up, applied every event once.
        let check = try await waitForNotifierCursor(admin, source: "member-registry", atLeast: 4)
        #expect(check, "the notifier caught up with every registry event after the rebind")
        await suite.stop()
    }

    /// Waits until `gateway health --service notifier` reports the source's events applied
    /// up to `sequence`.
    private func waitForNotifierCursor(_ gateway: Gateway, source: String, atLeast sequence: Int) async throws -> Bool {
        for _ in 0..<100 {
            let health = try await gateway.run(["health", "--service", "notifier"])
            if let range = health.stdout.range(of: "\(source) "),
               let applied = Int(health.stdout[range.upperBound...].prefix { $0.isNumber }), applied >= sequence {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
