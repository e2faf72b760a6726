import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

/// The security review's findings, each played as the attacker would: a member's or a
/// unit's valid key against the five services as processes, with CURVE keys.
@Suite("a hostile member with a valid key: reads, refusals, bytes and files", .serialized)
struct HostileMemberTests {
    /// The suite with keys for staff, three members and two units, the demo's members, two
    /// units and a room.
    struct Committee {
        let directory: String
        let keys: String
        let suite: SuiteProcesses
        var admin: Gateway { suite.gateway(identity: "admin") }
        var staff: Gateway { admin.identity("wang") }
        func member(_ id: Int) -> Gateway { admin.identity("m\(id)") }
        func unit(_ id: Int) -> Gateway { admin.identity("u\(id)") }

        static func start(_ name: String) async throws -> Committee {
            let directory = try temporaryDirectory(name)
            let suite = try await SuiteProcesses.startWithKeys(in: directory)
            let keys = try #require(suite.keys)
            let committee = Committee(directory: directory, keys: keys, suite: suite)
            let admin = committee.admin
            #expect(try await admin.run(["keys", "generate", "wang", "m12", "m14", "m20", "u1", "u2", "--dir", keys]).status == 0)
            for (name, role, principal) in [("wang", "staff", "wang"), ("m12", "member", "12"), ("m14", "member", "14"),
                                            ("m20", "member", "20"), ("u1", "unit", "1"), ("u2", "unit", "2")] {
                #expect(try await admin.run(["keys", "allow", name, "--role", role, "--principal", principal, "--dir", keys]).status == 0)
            }
            try await Task.sleep(for: .milliseconds(1500))
            for arguments in [
                ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
                ["member", "import", demoMembersCSV],
                ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门", "--contact", "李科长", "--phone", "0937-6221234"],
                ["unit", "add", "--name", "市教育局", "--kind", "政府部门"],
            ] {
                let result = try await committee.staff.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
            return committee
        }
    }

    // MARK: - Item 3: what each role reads

    @Test("meetings: a member not invited, a unit and a stranger's drafts; an invited member sees only their own code and leave")
    func meetingReads() async throws {
        let c = try await Committee.start("hostile-meetings")
        let staff = c.staff
        let scheduled = try await staff.json(["meeting", "schedule", "--title", "常委会会议", "--kind", "常委会会议",
                                              "--start", "2026-12-09 09:00", "--minutes", "120", "--venue", "市政协",
                                              "--mode", "hybrid", "--link", "https://meeting.example.cn/j/secret-link"])
        let meeting = (scheduled["id"] as? NSNumber)?.intValue ?? 0
        #expect(try await staff.run(["meeting", "invite", "\(meeting)", "--member", "12", "--member", "20"]).status == 0)
        #expect(try await staff.run(["meeting", "publish", "\(meeting)"]).status == 0)
        let draft = ((try await staff.json(["meeting", "schedule", "--title", "人事事项（草稿）", "--kind", "主席会议",
                                             "--start", "2026-12-10 09:00", "--minutes", "60", "--venue", "市政协"]))["id"] as? NSNumber)?.intValue ?? 0

        // Member 20 asks leave for an illness, with their own key.
        let own20 = try await c.member(20).json(["meeting", "show", "\(meeting)"])
        let invitee20 = ((own20["invitees"] as? [[String: Any]])?.first { ($0["memberID"] as? NSNumber)?.intValue == 20 }?["id"] as? NSNumber)?.intValue ?? 0
        let leave = try await c.member(20).run(["meeting", "leave", "\(meeting)", "--invitee", "\(invitee20)", "--type", "生病", "--reason", "住院化疗（乳腺癌）"])
        #expect(leave.status == 0, "\(leave.stderr)")
        let full = try await staff.run(["meeting", "show", "\(meeting)", "--json"])
        #expect(full.stdout.contains("住院化疗") && full.stdout.contains("secret-link"), "staff read everything")
        let codes = ((try full.json() as? [String: Any])?["invitees"] as? [[String: Any]] ?? []).compactMap { $0["checkInCode"] as? String }.filter { !$0.isEmpty }
        #expect(codes.count == 2, "staff see both check-in codes")

        // Member 14, not invited: the public fields, no invitees, no link.
        let outsider = try await c.member(14).run(["meeting", "show", "\(meeting)", "--json"])
        #expect(outsider.status == 0, "\(outsider.stderr)")
        #expect(!outsider.stdout.contains("住院化疗") && !outsider.stdout.contains("secret-link"), "\(outsider.stdout)")
        for code in codes { #expect(!outsider.stdout.contains(code), "a check-in code leaked to member 14") }
        #expect(((try outsider.json() as? [String: Any])?["invitees"] as? [Any] ?? []).isEmpty)
        // A unit (an outside department): the same.
        let department = try await c.unit(1).run(["meeting", "show", "\(meeting)", "--json"])
        #expect(department.status == 0 && !department.stdout.contains("住院化疗") && !department.stdout.contains("secret-link"))
        for code in codes { #expect(!department.stdout.contains(code)) }

        // Member 12, invited: the link and the roster, their own code, not member 20's leave or code.
        let invited = try await c.member(12).run(["meeting", "show", "\(meeting)", "--json"])
        #expect(invited.stdout.contains("secret-link"))
        #expect(!invited.stdout.contains("住院化疗"), "another invitee's leave reason leaked: \(invited.stdout)")
        let roster = (try invited.json() as? [String: Any])?["invitees"] as? [[String: Any]] ?? []
        let ownCode = roster.first { ($0["memberID"] as? NSNumber)?.intValue == 12 }?["checkInCode"] as? String ?? ""
        let otherCode = roster.first { ($0["memberID"] as? NSNumber)?.intValue == 20 }?["checkInCode"] as? String ?? ""
        #expect(ownCode.count == 6 && otherCode.isEmpty, "own code \(ownCode), another's \(otherCode)")

        // Drafts do not exist for them: NOT_FOUND (exit 3), and not listed.
        for gateway in [c.member(14), c.unit(1)] {
            let shown = try await gateway.run(["meeting", "show", "\(draft)"])
            #expect(shown.status == 3, "a draft must look like no meeting: \(shown.stderr)")
            let listed = try await gateway.run(["meeting", "list", "--json"])
            #expect(listed.status == 0 && !listed.stdout.contains("人事事项"), "\(listed.stdout)")
        }
        #expect(try await c.member(14).run(["meeting", "list", "--status", "草稿", "--json"]).stdout.contains("人事事项") == false)
        // Another member's schedule and calendar are the office's.
        #expect(try await c.member(14).run(["meeting", "list", "--member", "12"]).status == 5)
        #expect(try await c.member(14).run(["meeting", "ical", "--member", "12"]).status == 5)
        #expect(try await c.unit(1).run(["meeting", "ical", "--member", "12"]).status == 5)
        let ownCalendar = try await c.member(12).run(["meeting", "ical", "--member", "12"])
        #expect(ownCalendar.status == 0 && ownCalendar.stdout.contains("secret-link"), "\(ownCalendar.stderr)")
        let committeeCalendar = try await c.member(14).run(["meeting", "ical", "--committee"])
        #expect(committeeCalendar.status == 0 && committeeCalendar.stdout.contains("常委会会议"))
        #expect(!committeeCalendar.stdout.contains("secret-link") && !committeeCalendar.stdout.contains("人事事项"), "\(committeeCalendar.stdout)")

        // Enrolling in, or asking leave from, a draft: the same NOT_FOUND, nothing about it.
        let enroll = try await c.member(14).run(["meeting", "enroll", "\(draft)", "--member", "14"])
        #expect(enroll.status == 3 && !enroll.stderr.contains("draft") && !enroll.stderr.contains("草稿"), "\(enroll.stderr)")
        await c.suite.stop()
    }

    @Test("proposals and units: a refusal tells nothing of a proposal the caller may not read; a department's contact details are its own")
    func proposalReads() async throws {
        let c = try await Committee.start("hostile-proposals")
        let created = try await c.member(12).json(["proposal", "create", "--member", "12", "--title", "关于某干部问题的反映",
                                                   "--body", "不宜公开的内容", "--not-public", "涉及个人"])
        let proposal = (created["id"] as? NSNumber)?.intValue ?? 0
        #expect(try await c.member(12).run(["proposal", "act", "\(proposal)", "submit"]).status == 0)
        #expect(try await c.staff.run(["proposal", "act", "\(proposal)", "file"]).status == 0)
        #expect(try await c.staff.run(["proposal", "act", "\(proposal)", "assign", "--lead-unit", "1"]).status == 0)

        for (who, gateway) in [("member 14", c.member(14)), ("unit 2", c.unit(2))] {
            for arguments in [["proposal", "show", "\(proposal)"], ["proposal", "history", "\(proposal)"],
                              ["proposal", "act", "\(proposal)", "cosign"], ["proposal", "act", "\(proposal)", "sign-for"],
                              ["proposal", "act", "\(proposal)", "withdraw", "--reason", "x"]] {
                let refused = try await gateway.run(arguments)
                #expect(refused.status == 5, "\(who) \(arguments): \(refused.stderr)")
                for secret in ["不宜公开", "assigned", "已交办", "filed", "立案", "unit 1", "市住房和城乡建设局", "member 12"] {
                    #expect(!refused.stderr.contains(secret), "\(who) \(arguments) was told \"\(secret)\": \(refused.stderr)")
                }
            }
        }
        #expect(try await c.unit(1).run(["proposal", "show", "\(proposal)"]).status == 0)
        #expect(try await c.member(12).run(["proposal", "show", "\(proposal)"]).status == 0)

        // A department's contact person and phone: the office and the unit itself.
        let seenByMember = try await c.member(14).run(["unit", "get", "1", "--json"])
        #expect(seenByMember.status == 0 && seenByMember.stdout.contains("市住房和城乡建设局"))
        #expect(!seenByMember.stdout.contains("6221234") && !seenByMember.stdout.contains("李科长"), "\(seenByMember.stdout)")
        #expect(!(try await c.unit(2).run(["unit", "list", "--json"])).stdout.contains("6221234"))
        #expect(try await c.unit(1).run(["unit", "get", "1", "--json"]).stdout.contains("6221234"))
        #expect(try await c.staff.run(["unit", "get", "1", "--json"]).stdout.contains("6221234"))

        // Health says whether a service is well; its detail (files, cursors) is the office's.
        let memberHealth = try await c.member(14).run(["health", "--service", "member-registry", "--json"])
        #expect(memberHealth.status == 0 && !memberHealth.stdout.contains(".sqlite"), "\(memberHealth.stdout)")
        #expect(try await c.staff.run(["health", "--service", "member-registry", "--json"]).stdout.contains(".sqlite"))
        await c.suite.stop()
    }

    // MARK: - The per-role read matrix, walked

    @Test("the README's read matrix holds for every method of the five services, for every role")
    func readMatrix() async throws {
        let c = try await Committee.start("hostile-matrix")
        let matrix = try ReadMatrix.fromREADME()
        #expect(matrix.rows.count >= 60, "the README's matrix lists every method: \(matrix.rows.count)")
        // The service role: the scheduler's key is the one other services' reads are made with.
        // The service role by a key that consumes no events (the matrix's Events/Since row names the ones that do).
        let keyFor: [String: String] = ["admin": "admin", "staff": "wang", "member": "m14", "unit": "u2", "service": "proposal-tracker"]
        let endpoints = ["member-registry": c.suite.registry.rpcEndpoint, "meeting-scheduler": c.suite.scheduler.rpcEndpoint,
                         "proposal-tracker": c.suite.tracker.rpcEndpoint, "notifier": c.suite.notifier.rpcEndpoint,
                         "duty-record": c.suite.duty.rpcEndpoint]
        var described: Set<String> = []
        for (service, endpoint) in endpoints {
            for (role, identity) in keyFor {
                let client = try keyedClient(c.keys, as: identity, calling: service, at: endpoint)
                let methods = try await client.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest(), options: .read).methods.map(\.name)
                for method in methods {
                    described.insert(method)
                    guard let row = matrix.rows[method] else {
                        Issue.record("\(service) has \(method), which the README's matrix does not list")
                        continue
                    }
                    let expected = row[role] ?? "—"
                    // Refused at the door: the permission table's refusal, before any handler.
                    var atTheDoor = false
                    var answer = "OK"
                    do {
                        _ = try await client.call(method: method, body: [], options: CallOptions(timeout: .seconds(3)))
                    } catch {
                        atTheDoor = error.code == .permissionDenied && error.message.contains("may not call")
                        answer = "\(error.code): \(error.message)"
                    }
                    if expected.hasPrefix("—") {
                        #expect(atTheDoor, "\(role) at \(method): the matrix says refused, the service said \(answer)")
                    } else {
                        #expect(!atTheDoor, "\(role) at \(method): the matrix says \"\(expected)\", the service refused at the door")
                    }
                }
                await client.close()
            }
            // The portal's key: nothing as itself; as member 14 or unit 2, exactly what their
            // own keys get, refusals and their reasons included.
            let portal = try keyedClient(c.keys, as: "portal", calling: service, at: endpoint)
            let own = ["member:14": try keyedClient(c.keys, as: "m14", calling: service, at: endpoint),
                       "unit:2": try keyedClient(c.keys, as: "u2", calling: service, at: endpoint)]
            let methods = try await own["member:14"]!.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest(), options: .read).methods.map(\.name)
            func answer(_ client: RPCClient, _ method: String, as person: String?) async -> String {
                var options = CallOptions(timeout: .seconds(3))
                options.onBehalfOf = person
                do {
                    return "OK " + (try await client.call(method: method, body: [], options: options)).map { String($0) }.joined(separator: ",")
                } catch {
                    return "\(error.code): \(error.message)"
                }
            }
            for method in methods {
                do {
                    _ = try await portal.call(method: method, body: [], options: CallOptions(timeout: .seconds(3)))
                    Issue.record("the portal as itself called \(method)")
                } catch {
                    #expect(error.code == .permissionDenied && error.message.contains("on behalf of"), "the portal as itself at \(method): \(error)")
                }
                for (person, client) in own {
                    let theirs = await answer(client, method, as: nil)
                    let viaPortal = await answer(portal, method, as: person)
                    if method == RpcV1.Health.check.name {
                        // Its uptime moves between two calls: the same answer, not the same bytes.
                        #expect(theirs.hasPrefix("OK") && viaPortal.hasPrefix("OK"), "\(method) for \(person): \(theirs) / \(viaPortal)")
                    } else {
                        #expect(theirs == viaPortal, "\(method) for \(person): own key \(theirs), through the portal \(viaPortal)")
                    }
                }
                // The public (not signed in): the matrix's `public` column.
                var options = CallOptions(timeout: .seconds(3))
                options.onBehalfOf = "public"
                var refused = false
                do {
                    _ = try await portal.call(method: method, body: [], options: options)
                } catch {
                    refused = error.code == .permissionDenied && error.message.contains("may not call")
                }
                let expected = matrix.rows[method]?["public"] ?? "—"
                #expect(refused == expected.hasPrefix("—"), "public at \(method): the matrix says \"\(expected)\", refused at the door: \(refused)")
            }
            for client in [portal] + Array(own.values) { await client.close() }
        }
        for method in matrix.rows.keys where !described.contains(method) {
            Issue.record("the README's matrix lists \(method), which no service has")
        }
        await c.suite.stop()
    }
}

/// The README's "What each role reads" table: method × role → what is returned ("—" when
/// refused at the door).
struct ReadMatrix {
    var rows: [String: [String: String]] = [:]

    static func fromREADME() throws -> ReadMatrix {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let start = text.range(of: "<!-- read-matrix -->"), let end = text.range(of: "<!-- /read-matrix -->") else {
            throw ProcessFailure(description: "README.md has no read matrix between <!-- read-matrix --> markers")
        }
        var matrix = ReadMatrix()
        var roles: [String] = []
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "method" { roles = Array(cells.dropFirst()); continue }
            guard let method = cells.first, method.hasPrefix("`") else { continue }
            let name = method.trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            matrix.rows[name] = Dictionary(uniqueKeysWithValues: zip(roles, cells.dropFirst()))
        }
        return matrix
    }
}
