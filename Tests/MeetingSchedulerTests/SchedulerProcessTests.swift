import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// member-registry and meeting-scheduler as real processes, driven through the gateway and,
/// for the race, through 50 RPC clients at once.
@Suite("meeting-scheduler with member-registry, as processes", .serialized)
struct SchedulerProcessTests {
    /// A registry with the fifth term, a station, two rooms and the demo's 175 members.
    private func start() async throws -> Deployment {
        try await Deployment.start("scheduler", .scheduling, seed: [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd],
            ["station", "add", "--name", "雄关街道委员工作站"],
            ["room", "add", "--name", "第一协商议事室", "--station", "1", "--capacity", "40", "--has", "all"],
            ["room", "add", "--name", "第二协商议事室", "--station", "1", "--capacity", "20"],
            ["member", "import", demoMembersCSV],
        ])
    }

    private func number(_ object: [String: Any], _ path: String...) -> Int {
        var value: Any? = object
        for key in path { value = (value as? [String: Any])?[key] }
        return (value as? NSNumber)?.intValue ?? -1
    }

    @Test("schedule, publish by group, conflicts, overrides, leave, check-in, close, slots, calendars, restart")
    func meetingLifecycle() async throws {
        let s = try await start()

        // A standing-committee meeting, published by group.
        let scheduled = try await s.json("meeting", "schedule", "--title", "审议年度协商计划", "--kind", "常委会会议",
                                         "--start", "2026-12-01 09:00", "--minutes", "120", "--room", "1",
                                         "--group", "standing-committee")
        let meeting = number(scheduled, "id")
        #expect(scheduled["status"] as? String == "MEETING_STATUS_DRAFT")
        let published = try await s.json("meeting", "publish", "\(meeting)")
        #expect((published["meeting"] as? [String: Any])?["displayName"] as? String == "五届一次常委会会议")
        let standing = try await runCommand(builtExecutable("gateway"), ["member", "resolve", "standing-committee", "--json"], environment: s.environment)
        let standingIDs = ((try standing.json()) as? [NSNumber])?.map(\.intValue) ?? []
        #expect(standingIDs.count == 38)
        let shown = try await s.json("meeting", "show", "\(meeting)")
        let invitees = shown["invitees"] as? [[String: Any]] ?? []
        #expect(invitees.compactMap { ($0["memberID"] as? NSNumber)?.intValue }.sorted() == standingIDs)
        #expect(try await s.gateway("meeting", "publish", "\(meeting)").status == 2)   // publishing twice

        // The room is taken at that time: refused, naming the meeting it collides with.
        let roomClash = try await s.gateway("meeting", "schedule", "--title", "撞车", "--kind", "专委会会议",
                                            "--start", "2026-12-01 10:30", "--minutes", "60", "--room", "1")
        #expect(roomClash.status == 2)
        #expect(roomClash.stderr.contains("meeting \(meeting)"))

        // A council meeting overlapping it: its members are required at both.
        let council = number(try await s.json("meeting", "schedule", "--title", "主席会议", "--kind", "主席会议",
                                               "--start", "2026-12-01 10:00", "--minutes", "60", "--room", "2",
                                               "--group", "chairpersons-council"), "id")
        let memberClash = try await s.gateway("meeting", "publish", "\(council)")
        #expect(memberClash.status == 2)
        #expect(memberClash.stderr.contains("member_ids"))
        // Refused means nothing written: the draft has no invitees yet.
        let refusedDraft = try await s.json("meeting", "show", "\(council)")
        #expect((refusedDraft["invitees"] as? [[String: Any]] ?? []).isEmpty)
        #expect((refusedDraft["meeting"] as? [String: Any])?["status"] as? String == "MEETING_STATUS_DRAFT")
        let overridden = try await s.json("meeting", "publish", "\(council)", "--override", "主席会议成员中途离场")
        #expect((overridden["overridden"] as? [[String: Any]])?.count == 1)

        // Bad input, each refused with the field named.
        let backwards = try await s.gateway("meeting", "schedule", "--title", "x", "--kind", "视察", "--start", "2026-12-03 10:00",
                                            "--end", "2026-12-03 09:00", "--venue", "钢城")
        #expect(backwards.status == 2 && backwards.stderr.contains("end_ms"))
        let noRoom = try await s.gateway("meeting", "schedule", "--title", "x", "--kind", "视察", "--start", "2026-12-03 10:00",
                                         "--minutes", "60", "--room", "99")
        #expect(noRoom.status == 3 && noRoom.stderr.contains("room_id"))
        let noMember = try await s.gateway("meeting", "invite", "\(meeting)", "--member", "9999")
        #expect(noMember.status == 3 && noMember.stderr.contains("member_ids"))
        let longAgenda = try await s.gateway("meeting", "agenda", "\(meeting)", "--item", "审议|100|", "--item", "通报|30|")
        #expect(longAgenda.status == 2 && longAgenda.stderr.contains("items"))
        #expect(try await s.gateway("meeting", "agenda", "\(meeting)", "--item", "审议|90|主席", "--item", "通报|30|").status == 0)

        // Leave and check-in.
        let first = invitees[0], second = invitees[1]
        let firstID = (first["id"] as? NSNumber)!.intValue, secondID = (second["id"] as? NSNumber)!.intValue
        #expect(try await s.gateway("meeting", "leave", "\(meeting)", "--invitee", "\(firstID)", "--type", "出差", "--reason", "赴兰州").status == 0)
        #expect(try await s.gateway("meeting", "approve-leave", "\(meeting)", "--invitee", "\(firstID)").status == 0)
        let code = second["checkInCode"] as? String ?? ""
        #expect(try await s.gateway("meeting", "check-in", "\(meeting)", "--code", code).status == 0)
        #expect(try await s.gateway("meeting", "check-in", "\(meeting)", "--code", code).status == 2)
        let stranger = try await s.gateway("meeting", "check-in", "\(meeting)", "--code", "000000x")
        #expect(stranger.status == 3)
        let participant = try await s.json("meeting", "invite", "\(meeting)", "--participant", "王大爷|新华社区|resident")
        let participantID = ((participant["invitees"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.intValue ?? 0
        #expect(try await s.gateway("meeting", "check-in", "\(meeting)", "--invitee", "\(participantID)").status == 0)

        // Close: the 38 members of the standing committee are 应到, the one on leave among
        // them; one member present; the resident is a participant, not in 应到; the rest
        // absent. One of 38 is no quorum, and the meeting says so.
        let closed = try await s.json("meeting", "close", "\(meeting)", "--minutes", "纪要", "--outcomes", "成果")
        #expect(number(closed, "expected") == 38)
        #expect(number(closed, "present") == 1)
        #expect(number(closed, "onLeave") == 1)
        #expect(number(closed, "absent") == 36)
        let closedMeeting = closed["meeting"] as? [String: Any] ?? [:]
        let rate = (closedMeeting["attendanceRate"] as? NSNumber)?.doubleValue ?? 0
        #expect(abs(rate - 1.0 / 38.0) < 1e-9)
        #expect(number(closedMeeting, "attendance", "participants") == 1)
        #expect(closedMeeting["quorumRequired"] as? Bool == true)
        #expect(closedMeeting["quorumMet"] as? Bool != true)
        let closedText = try await s.gateway("meeting", "show", "\(meeting)")
        #expect(closedText.stdout.contains("应到 38，实到 1，请假 1，缺席 36") && closedText.stdout.contains("未达法定人数"))
        // The report's figures from the scheduler: one standing-committee meeting held.
        let stats = try await s.json("meeting", "stats")
        let standingStats = (stats["byKind"] as? [[String: Any]])?.first { $0["kind"] as? String == "MEETING_KIND_STANDING_COMMITTEE" }
        #expect((standingStats?["held"] as? NSNumber)?.intValue == 1)
        #expect((standingStats?["expected"] as? NSNumber)?.intValue == 38)   // members only, the one on leave included
        #expect((standingStats?["present"] as? NSNumber)?.intValue == 1)
        #expect((standingStats?["onLeave"] as? NSNumber)?.intValue == 1)
        #expect((standingStats?["absent"] as? NSNumber)?.intValue == 36)
        #expect((standingStats?["withoutQuorum"] as? NSNumber)?.intValue == 1)
        let memberStats = stats["members"] as? [[String: Any]] ?? []
        #expect(memberStats.count == 38)
        #expect(memberStats.first { ($0["memberID"] as? NSNumber)?.intValue == (first["memberID"] as? NSNumber)?.intValue }?["onLeave"] as? NSNumber == 1)
        let late = try await s.gateway("meeting", "leave", "\(meeting)", "--invitee", "\(secondID)", "--type", "生病", "--reason", "x")
        #expect(late.status == 2 && late.stderr.contains("closed"))
        #expect(try await s.gateway("meeting", "change", "\(meeting)", "--title", "改").status == 2)

        // A slot for the council and room 2 on 1 December: the council is busy 10:00–11:00.
        let slot = try await s.json("meeting", "find-slot", "--from", "2026-12-01 09:45", "--to", "2026-12-02 00:00",
                                    "--minutes", "90", "--room", "2", "--group", "chairpersons-council")
        #expect(slot["found"] as? Bool == true)
        #expect(number(slot, "startMs") == Int(CommitteeMs.at("2026-12-01 14:30")))

        // A calendar that a strict parser accepts, with the right events.
        let ics = s.directory + "/committee.ics"
        #expect(try await s.gateway("meeting", "ical", "--committee", "--output", ics).status == 0)
        let parsed = try await runCommand("/usr/bin/env", ["python3", "-c", """
            import icalendar, sys
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            for e in cal.walk('VEVENT'):
                print(e['UID'], e['STATUS'], e['SEQUENCE'], e['DTSTART'].dt.isoformat(), e['SUMMARY'])
            """, ics])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        #expect(parsed.stdout.contains("meeting-\(meeting)@xieshang CONFIRMED 1 2026-12-01T09:00:00+08:00 五届一次常委会会议"))
        #expect(parsed.stdout.contains("meeting-\(council)@xieshang CONFIRMED 0 2026-12-01T10:00:00+08:00 五届一次主席会议"))

        // Open registration: two seats, a third member waits and moves up when one withdraws.
        let forum = number(try await s.json("meeting", "schedule", "--title", "社区养老协商", "--kind", "协商议事活动",
                                             "--start", "2026-12-08 14:30", "--minutes", "90", "--room", "2",
                                             "--open-registration", "--capacity", "2"), "id")
        _ = try await s.json("meeting", "publish", "\(forum)")
        var places: [String] = []
        for member in ["101", "102", "103"] {
            let enrolled = try await s.json("meeting", "enroll", "\(forum)", "--member", member)
            places.append((enrolled["invitee"] as? [String: Any])?["attendance"] as? String ?? "")
        }
        #expect(places == ["ATTENDANCE_REGISTERED", "ATTENDANCE_REGISTERED", "ATTENDANCE_WAITLISTED"])
        // Registering twice, or giving up a place never taken: refused, saying why in Chinese too.
        let twice = try await s.gateway("meeting", "enroll", "\(forum)", "--member", "102")
        #expect(twice.status == 2 && twice.stderr.contains("说明：报名「社区养老协商」的状态已是「已报名」，无需再报名。"), "\(twice.stderr)")
        let none = try await s.gateway("meeting", "enroll", "\(forum)", "--member", "104", "--withdraw")
        #expect(none.status == 2 && none.stderr.contains("说明：没有报名或候补「社区养老协商」，无需退出。"), "\(none.stderr)")
        _ = try await s.json("meeting", "enroll", "\(forum)", "--member", "101", "--withdraw")
        let forumInvitees = try await s.json("meeting", "show", "\(forum)")["invitees"] as? [[String: Any]] ?? []
        let third = forumInvitees.first { ($0["memberID"] as? NSNumber)?.intValue == 103 }
        #expect(third?["attendance"] as? String == "ATTENDANCE_REGISTERED")

        // A member's own calendar has their meetings.
        let mine = try await s.gateway("meeting", "ical", "--member", "\(standingIDs[0])")
        #expect(mine.stdout.contains("UID:meeting-\(meeting)@xieshang"))
        #expect(!mine.stdout.contains("UID:meeting-\(forum)@xieshang"))

        // SIGKILL the scheduler and start it again: everything is there.
        let before = try await s.gateway("meeting", "list", "--json")
        let detail = try await s.gateway("meeting", "show", "\(meeting)", "--json")
        await s.scheduler.stop(signal: SIGKILL)
        try await s.scheduler.start()
        #expect(try await s.gateway("meeting", "list", "--json").stdout == before.stdout)
        #expect(try await s.gateway("meeting", "show", "\(meeting)", "--json").stdout == detail.stdout)

        await s.scheduler.stop()
        await s.registry.stop()
    }

    @Test("50 clients race for the same room and time: exactly one wins")
    func roomRace() async throws {
        let s = try await start()
        let outcomes = RaceOutcomes()
        let endpoint = s.scheduler.rpcEndpoint
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let client = try testClient([endpoint], caller: "racer-\(index)", timeout: .seconds(20))
                    var meeting = MeetingV1.Meeting()
                    meeting.title = "第\(index)号申请"
                    meeting.kind = .grassroots
                    meeting.startMs = CommitteeMs.at("2026-12-10 14:30")
                    meeting.endMs = CommitteeMs.at("2026-12-10 16:30")
                    meeting.roomID = 1
                    var request = MeetingV1.ScheduleMeetingRequest()
                    request.meeting = meeting
                    do {
                        let response = try await client.call(MeetingV1.Meetings.schedule, request)
                        outcomes.wins.withLock { $0.append(response.meeting?.id ?? 0) }
                    } catch let error as RPCError {
                        outcomes.refusals.withLock { $0.append(error.code) }
                    }
                    await client.close()
                }
            }
            try await group.waitForAll()
        }
        #expect(outcomes.wins.withLock { $0.count } == 1)
        #expect(outcomes.refusals.withLock { $0 } == Array(repeating: StatusCode.failedPrecondition, count: 49))
        let all = try await runCommand(builtExecutable("gateway"), ["meeting", "list", "--room", "1", "--json"], environment: s.environment)
        #expect((try all.json() as? [Any])?.count == 1)
        await s.scheduler.stop()
        await s.registry.stop()
    }

    @Test("with the registry down, publishing to a group its copy knows goes on; one it does not know is UNAVAILABLE; the rest works, and it recovers")
    func registryOutage() async throws {
        let s = try await start()
        let draft = number(try await s.json("meeting", "schedule", "--title", "双月协商座谈会", "--kind", "双月协商座谈会",
                                             "--start", "2026-12-15 14:30", "--minutes", "120", "--venue", "市政协会议室",
                                             "--group", "sector:经济界"), "id")
        let unknown = number(try await s.json("meeting", "schedule", "--title", "界别协商会", "--kind", "双月协商座谈会",
                                               "--start", "2026-12-16 14:30", "--minutes", "120", "--venue", "市政协会议室",
                                               "--group", "sector:航天界"), "id")
        #expect(try await s.gatewayCLI().schedulerCopyAnswers())
        await s.registry.stop()
        // A sector the copy does not know is the registry's to judge, and it is down.
        let down = try await runCommand(builtExecutable("gateway"), ["meeting", "publish", "\(unknown)", "--timeout", "5"], environment: s.environment)
        #expect(down.status == 4)
        #expect(down.stderr.contains("member-registry is unavailable"), "\(down.stderr)")
        // What needs no registry still works, and the sector it knows is published from the copy.
        #expect(try await s.gateway("meeting", "show", "\(draft)").status == 0)
        #expect(try await s.gateway("meeting", "list").status == 0)
        #expect(try await s.gateway("meeting", "agenda", "\(draft)", "--item", "企业减负|60|").status == 0)
        let published = try await s.json("meeting", "publish", "\(draft)")
        #expect(number(published, "meeting", "inviteeCount") == 15)
        try await s.registry.start()
        // Back: the registry itself refuses the sector it does not list.
        var refused = try await s.gateway("meeting", "publish", "\(unknown)")
        for _ in 0..<50 where refused.status == 4 {
            try await Task.sleep(for: .milliseconds(200))
            refused = try await s.gateway("meeting", "publish", "\(unknown)")
        }
        #expect(refused.status == 2 && refused.stderr.contains("航天界"), "\(refused.stderr)")
        await s.scheduler.stop()
        await s.registry.stop()
    }
}

enum CommitteeMs {
    static func at(_ text: String) -> Int64 {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return Int64(formatter.date(from: text)!.timeIntervalSince1970 * 1000)
    }
}

final class RaceOutcomes: Sendable {
    let wins = Mutex<[Int64]>([])
    let refusals = Mutex<[StatusCode]>([])
}
