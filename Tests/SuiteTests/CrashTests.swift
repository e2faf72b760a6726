import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// Crashes in the middle of work: what was acknowledged survives, nothing is applied twice.
@Suite("crashes under load, as processes", .serialized)
struct CrashTests {
    final class Outcome: Sendable {
        let numbers = Mutex<[Int64: String]>([:])
        let refusals = Mutex<[String]>([])
    }

    /// A valid members CSV of `count` rows (the demo file's first member, renumbered and
    /// renamed), written under `directory`.
    static func membersCSV(count: Int, in directory: String) throws -> String {
        let lines = try String(contentsOfFile: demoMembersCSV, encoding: .utf8).split(separator: "\n")
        let columns = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var fields = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var out = [String(lines[0])]
        for index in 0..<count {
            fields[columns.firstIndex(of: "member_number")!] = String(90_000 + index)
            fields[columns.firstIndex(of: "name")!] = "委员\(index)"
            fields[columns.firstIndex(of: "phone")!] = String(13_900_000_000 + index)
            out.append(fields.joined(separator: ","))
        }
        let path = directory + "/members-\(count).csv"
        try (out.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Files one proposal, keeping its request id across retries until it is acknowledged.
    static func file(_ id: Int64, _ client: RPCClient, _ outcome: Outcome) async throws {
        var file = ProposalV1.ActRequest()
        file.id = id
        file.action = .file
        var options = CallOptions(timeout: .seconds(10))
        options.requestID = "file-\(id)"
        let started = ContinuousClock.now
        while true {
            do throws(RPCError) {
                let reply = try await client.call(ProposalV1.Proposals.act, file, options: options)
                outcome.numbers.withLock { $0[id] = reply.proposal?.number ?? "" }
                return
            } catch where error.code == .unavailable || error.code == .deadlineExceeded {
                // Down, or the reply lost in the crash: the same request id again.
                if ContinuousClock.now - started > .seconds(60) {
                    outcome.refusals.withLock { $0.append("\(id): gave up: \(error.message)") }
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                outcome.refusals.withLock { $0.append("\(id): \(error.code.protoName) \(error.message)") }
                return
            }
        }
    }

    @Test("proposal-tracker SIGKILLed three times while 40 proposals are filed: every filing lands once, numbers unique and gap-free")
    func filingAcrossCrashes() async throws {
        let directory = try temporaryDirectory("crash-tracker")
        let (registry, scheduler, tracker) = try await SuiteProcesses.startCore(in: directory)
        let gateway = Gateway(registry: registry.rpcEndpoint)
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)
        #expect(try await gateway.run(["member", "import", demoMembersCSV]).status == 0)

        // The test retries by itself (same request id), so that it sees each crash.
        let client = try testClient([tracker.rpcEndpoint], caller: "crash-test", attempts: 1)
        var ids: [Int64] = []
        let count = 40 * soakFactor
        for index in 0..<count {
            var proposal = ProposalV1.Proposal()
            proposal.title = "关于第\(index + 1)件事的建议"
            proposal.body = "正文"
            proposal.`public` = true
            proposal.proposerMemberID = Int64(10 + index % 160)
            var create = ProposalV1.CreateProposalRequest()
            create.proposal = proposal
            let id = try await client.call(ProposalV1.Proposals.create, create).proposal?.id ?? 0
            var submit = ProposalV1.ActRequest()
            submit.id = id
            submit.action = .submit
            var member = ProposalV1.Actor()
            member.kind = .member
            member.id = proposal.proposerMemberID
            submit.actor = member
            _ = try await client.call(ProposalV1.Proposals.act, submit)
            ids.append(id)
        }

        // Eight staff file them at once; each filing keeps its request id across its own
        // retries, until it is acknowledged. Meanwhile the tracker is killed three times.
        let outcome = Outcome()
        let allIDs = ids
        let filing = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        // Paced over about two seconds, so the crashes fall among the filings.
                        for id in allIDs where Int(id) % 8 == worker {
                            try await Self.file(id, client, outcome)
                            try await Task.sleep(for: .milliseconds(400))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var acknowledgedAtKills: [Int] = []
        for _ in 0..<(3 * soakFactor) {
            // Each kill waits for the filings to move on since the last one (or to finish),
            // so that the crashes fall among them however slow the machine is; then a
            // random moment more.
            let before = acknowledgedAtKills.last ?? 0
            let waitedSince = ContinuousClock.now
            while ContinuousClock.now - waitedSince < .seconds(120) {
                let now = outcome.numbers.withLock { $0.count }
                if now > before || now == count { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...100)))
            acknowledgedAtKills.append(outcome.numbers.withLock { $0.count })
            await tracker.stop(signal: SIGKILL)
            try await Task.sleep(for: .milliseconds(200))
            try await tracker.start()
        }
        try await filing.value
        let refused = outcome.refusals.withLock { $0 }

        // A filing applied before a crash and retried after it returned the stored reply,
        // never "already filed": every one of the 40 was acknowledged.
        #expect(refused.isEmpty, "\(refused)")
        // The crashes fell among the filings (some acknowledged, some not yet). Whether a
        // caller noticed one depends on timing: a tracker back within the client's connect
        // grace answers the waiting call as if nothing happened.
        #expect(acknowledgedAtKills.contains { $0 > 0 && $0 < count }, "kills at \(acknowledgedAtKills) of \(count) acknowledged")
        let acknowledged = outcome.numbers.withLock { $0 }
        #expect(acknowledged.count == count)
        // What the tracker holds after the crashes agrees, and the numbers are 1…40, once each.
        var stored: [Int64: String] = [:]
        for id in ids {
            var get = ProposalV1.GetProposalRequest()
            get.id = id
            let proposal = try await client.call(ProposalV1.Proposals.get, get, options: .read).proposal
            #expect(proposal?.state == .filed)
            stored[id] = proposal?.number ?? ""
        }
        #expect(stored == acknowledged)
        let sequence = stored.values.compactMap { $0.split(separator: "-").last.flatMap { Int($0) } }.sorted()
        #expect(sequence == Array(1...count), "\(sequence)")
        // Each filing is in the proposal's history once.
        var history = ProposalV1.HistoryRequest()
        history.id = ids[0]
        let transitions = try await client.call(ProposalV1.Proposals.history, history, options: .read).transitions
        #expect(transitions.filter { $0.action == .file }.count == 1)

        await client.close()
        await tracker.stop()
        await scheduler.stop()
        await registry.stop()
    }

    @Test("member-registry SIGKILLed during a CSV import: afterwards the import is all there or not at all")
    func importAllOrNothing() async throws {
        let directory = try temporaryDirectory("crash-import")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let gateway = Gateway(registry: registry.rpcEndpoint)
        #expect(try await gateway.run(["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd]).status == 0)
        // 3000 members in one file: long enough to be killed in the middle.
        let csv = try Self.membersCSV(count: 3_000, in: directory)
        let dry = try await gateway.run(["member", "import", csv, "--dry-run"], timeout: Gateway.bulkTimeout)
        #expect(dry.status == 0 && dry.stdout.contains("created: 3000"), "the file is valid: \(dry.stdout) \(dry.stderr)")

        var outcomes: [Int] = []
        for delay in [40, 120, 250] {
            let importing = Task { try await gateway.run(["member", "import", csv, "--timeout", "5"], timeout: Gateway.bulkTimeout) }
            try await Task.sleep(for: .milliseconds(delay))
            await registry.stop(signal: SIGKILL)
            _ = try await importing.value
            try await registry.start()
            let listed = try await gateway.json(["member", "list", "--page-size", "1"])
            let total = (listed["total"] as? NSNumber)?.intValue ?? -1
            outcomes.append(total)
            #expect(total == 0 || total == 3_000, "after a kill \(delay) ms into the import: \(total) members")
            if total == 3_000 { break }
        }
        // The import can always be completed afterwards, exactly once.
        #expect(try await gateway.run(["member", "import", csv], timeout: Gateway.bulkTimeout).status == 0)
        #expect(((try await gateway.json(["member", "list", "--page-size", "1"]))["total"] as? NSNumber)?.intValue == 3_000)
        let check = try await runCommand("/usr/bin/sqlite3", [directory + "/registry/member-registry.sqlite", "PRAGMA integrity_check"])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(outcomes) \(check.stdout) \(check.stderr)")
        await registry.stop()
    }
}
