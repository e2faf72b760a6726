import Foundation
import Testing
import XieshangTestSupport

/// A room's convener runs the room's own 协商议事活动 with their own key — and nothing more:
/// the five services as processes, with CURVE keys, members 12 (convener of room 1), 20
/// (head of station 2) and 14 (a member of room 1, convener of nothing).
@Suite("a convener runs their room's activities, and only those", .serialized)
struct ConvenerActivityTests {
    static func minute(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        return formatter.string(from: date)
    }

    static func id(_ object: [String: Any]) -> Int { (object["id"] as? NSNumber)?.intValue ?? 0 }

    @Test("schedule, invite, publish, check in and close in their room; refused elsewhere, for other kinds and for other members")
    func convenerRunsAnActivity() async throws {
        let c = try await HostileMemberTests.Committee.start("convener-activity")
        for arguments in [["station", "add", "--name", "新华街道委员工作站", "--address", "新华路1号", "--district", "雄关区"],
                          ["station", "add", "--name", "胜利街道委员工作站", "--address", "胜利路1号", "--district", "雄关区"],
                          ["room", "add", "--name", "新华社区协商议事室", "--station", "1", "--capacity", "30", "--has", "all"],
                          ["room", "add", "--name", "胜利社区协商议事室", "--station", "2", "--capacity", "20", "--has", "all"],
                          ["member", "update", "12", "--function", "召集人:1"],
                          ["member", "update", "20", "--function", "站长:2"],
                          ["member", "assign", "14", "--room", "1"],
                          ["member", "assign", "20", "--room", "1"]] {
            let result = try await c.staff.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let convener = c.member(12), member14 = c.member(14), head = c.member(20)
        func activity(_ title: String, startingIn minutes: Int, room: Int = 1, kind: String = "协商议事活动", extra: [String] = []) -> [String] {
            ["meeting", "schedule", "--title", title, "--kind", kind, "--start", Self.minute(Date().addingTimeInterval(Double(minutes) * 60)),
             "--minutes", "60", "--room", "\(room)", "--organiser", "新华社区"] + extra
        }

        // The convener schedules in their room, inviting its members by group.
        let scheduled = try await convener.json(activity("加装电梯议事会", startingIn: 30, extra: ["--group", "room:1"]))
        let meeting = Self.id(scheduled)
        #expect(meeting > 0 && scheduled["status"] as? String == "MEETING_STATUS_DRAFT", "\(scheduled)")

        // Refused: a member who convenes nothing, another room, another kind, other groups, long ago.
        let stranger = try await member14.run(activity("冒名活动", startingIn: 90))
        #expect(stranger.status == 5 && stranger.stderr.contains("does not convene room 1"), "\(stranger.stderr)")
        let otherRoom = try await convener.run(activity("别家的活动", startingIn: 90, room: 2))
        #expect(otherRoom.status == 5, "\(otherRoom.stderr)")
        let otherKind = try await convener.run(activity("常委会会议", startingIn: 90, kind: "常委会会议"))
        #expect(otherKind.status == 5 && otherKind.stderr.contains("only a 协商议事活动"), "\(otherKind.stderr)")
        let allMembers = try await convener.run(activity("全体委员活动", startingIn: 90, extra: ["--group", "all"]))
        #expect(allMembers.status == 2 && allMembers.stderr.contains("room's own members"), "\(allMembers.stderr)")
        let longAgo = try await convener.run(activity("去年的活动", startingIn: -10 * 24 * 60))
        #expect(longAgo.status == 2 && longAgo.stderr.contains("at most 7 days"), "\(longAgo.stderr)")

        // The draft: the convener reads it, drafts included in their room's list; member 14 does not.
        #expect(try await convener.run(["meeting", "show", "\(meeting)"]).status == 0)
        #expect(try await member14.run(["meeting", "show", "\(meeting)"]).status == 3, "a draft is not found for others")
        let listed = try await convener.run(["meeting", "list", "--room", "1", "--json"])
        #expect(listed.stdout.contains("加装电梯议事会"), "\(listed.stdout)")
        #expect(try await member14.run(["meeting", "list", "--room", "1", "--json"]).stdout.contains("加装电梯议事会") == false)
        // The office's draft in the same room stays the office's, even to the convener.
        let officeDraft = Self.id(try await c.staff.json(activity("办公室的专委会会议", startingIn: 3 * 60, kind: "专委会会议")))
        #expect(try await convener.run(["meeting", "show", "\(officeDraft)"]).status == 3)
        #expect(try await convener.run(["meeting", "publish", "\(officeDraft)"]).status == 3, "as if it did not exist")
        #expect(try await convener.run(["meeting", "list", "--room", "1", "--json"]).stdout.contains("办公室的专委会会议") == false)
        // Booking over it: the room is taken then, and that is all the refusal says of the
        // office's draft; over the convener's own draft, it names the activity.
        let overOffice = try await convener.run(activity("撞上办公室安排的活动", startingIn: 3 * 60 + 30))
        #expect(overOffice.status == 2 && overOffice.stderr.contains("another booking") && overOffice.stderr.contains("已有其他安排")
                && !overOffice.stderr.contains("办公室的专委会会议") && !overOffice.stderr.contains("meeting \(officeDraft) "), "\(overOffice.stderr)")
        let overOwn = try await convener.run(activity("撞上自己安排的活动", startingIn: 60))
        #expect(overOwn.status == 2 && overOwn.stderr.contains("已安排了「加装电梯议事会」"), "\(overOwn.stderr)")
        // Nor may a convener name it as the consultation of their room's topic: it is not
        // found, word for word as an id never used; their own activity is.
        let parking = Self.id(try await convener.json(["topic", "create", "--title", "议事室门前停车难", "--room", "1",
                                                      "--theme", "基层民主", "--source", "民情大走访"]))
        for (step, notes) in [("decided", "列入本季度议题"), ("researched", "走访住户30户")] {
            let advanced = try await convener.run(["topic", "advance", "\(parking)", step, "--notes", notes])
            #expect(advanced.status == 0, "\(step): \(advanced.stderr)")
        }
        let namedDraft = try await convener.run(["topic", "advance", "\(parking)", "consulted", "--meeting", "\(officeDraft)"])
        let namedNothing = try await convener.run(["topic", "advance", "\(parking)", "consulted", "--meeting", "99999"])
        #expect(namedDraft.status == 3 && namedNothing.status == 3, "\(namedDraft.stderr) / \(namedNothing.stderr)")
        #expect(namedDraft.stderr.replacingOccurrences(of: "\(officeDraft)", with: "N") == namedNothing.stderr.replacingOccurrences(of: "99999", with: "N"),
                "\(namedDraft.stderr) / \(namedNothing.stderr)")
        let namedOwn = try await convener.run(["topic", "advance", "\(parking)", "consulted", "--meeting", "\(meeting)", "--notes", "居民代表8人参加"])
        #expect(namedOwn.status == 0, "\(namedOwn.stderr)")
        let staffOver = try await c.staff.run(activity("办公室撞上的安排", startingIn: 3 * 60 + 30))
        #expect(staffOver.status == 2 && staffOver.stderr.contains("办公室的专委会会议"), "the office reads its own drafts: \(staffOver.stderr)")

        // Invitations: the room's members and non-member participants, not a member from elsewhere.
        let outsider = try await convener.run(["meeting", "invite", "\(meeting)", "--member", "13"])
        #expect(outsider.status == 5 && outsider.stderr.contains("not assigned to room 1"), "\(outsider.stderr)")
        let invited = try await convener.run(["meeting", "invite", "\(meeting)", "--member", "14", "--participant", "王大爷|新华社区|resident"])
        #expect(invited.status == 0, "a member of the room, by id, and a resident: \(invited.stderr)")
        #expect(try await member14.run(["meeting", "invite", "\(meeting)", "--participant", "冒名者|无|resident"]).status == 3)
        // A room's worth: a convener may not fill an activity with thousands of names.
        let crowd = try await convener.run(["meeting", "invite", "\(meeting)"] + (1...300).flatMap { ["--participant", "居民\($0)|新华社区|resident"] })
        #expect(crowd.status == 2 && crowd.stderr.contains("more than 300 invitees"), "\(crowd.stderr)")
        // Names past what a convener's activity may hold are refused before any is looked up
        // (strangers to the room, who would otherwise be PERMISSION_DENIED after the lookups).
        let strangers = try await convener.run(["meeting", "invite", "\(meeting)"] + (1001...1301).flatMap { ["--member", "\($0)"] })
        #expect(strangers.status == 2 && strangers.stderr.contains("more than 300 invitees"), "\(strangers.stderr)")
        let afterCrowd = (try await convener.json(["meeting", "show", "\(meeting)"]))["invitees"] as? [[String: Any]] ?? []
        #expect(afterCrowd.count == 2, "nothing of the refused invitation was kept: \(afterCrowd.count)")
        let published = try await convener.run(["meeting", "publish", "\(meeting)"])
        #expect(published.status == 0, "\(published.stderr)")
        let shown = try await convener.json(["meeting", "show", "\(meeting)"])
        let invitees = shown["invitees"] as? [[String: Any]] ?? []
        #expect(Set(invitees.compactMap { ($0["memberID"] as? NSNumber)?.intValue }) == [0, 14, 20], "the room's members, by group, and the resident: \(invitees)")
        #expect(invitees.allSatisfy { ($0["required"] as? Bool ?? false) == false }, "a convener's invitations are optional: \(invitees)")
        #expect(invitees.allSatisfy { ($0["checkInCode"] as? String ?? "").isEmpty }, "the convener reads no one's check-in code")

        // Member 14 may not check in, close or cancel it; the convener checks in who came.
        let fourteen = invitees.first { ($0["memberID"] as? NSNumber)?.intValue == 14 }.map(Self.id) ?? 0
        #expect(try await member14.run(["meeting", "check-in", "\(meeting)", "--invitee", "\(fourteen)"]).status == 5)
        #expect(try await member14.run(["meeting", "cancel", "\(meeting)", "--reason", "捣乱"]).status == 5)
        let checkedIn = try await convener.run(["meeting", "check-in", "\(meeting)", "--invitee", "\(fourteen)"])
        #expect(checkedIn.status == 0, "\(checkedIn.stderr)")
        // It has not started: closing it early is the office's, with a reason.
        let early = try await convener.run(["meeting", "close", "\(meeting)", "--record-reason", "提前开了"])
        #expect(early.status == 2, "\(early.stderr)")

        // An activity held an hour ago, recorded now: check in, close; the duty record counts
        // 参加协商议事活动 for who came and nothing against who did not.
        let held = Self.id(try await convener.json(activity("议事会（补记）", startingIn: -90, extra: ["--group", "room:1"])))
        #expect(try await convener.run(["meeting", "publish", "\(held)"]).status == 0)
        let heldInvitees = (try await convener.json(["meeting", "show", "\(held)"]))["invitees"] as? [[String: Any]] ?? []
        let came = heldInvitees.first { ($0["memberID"] as? NSNumber)?.intValue == 14 }.map(Self.id) ?? 0
        #expect(try await convener.run(["meeting", "check-in", "\(held)", "--invitee", "\(came)"]).status == 0)
        #expect(try await member14.run(["meeting", "close", "\(held)"]).status == 5)
        let closed = try await convener.run(["meeting", "close", "\(held)", "--minutes", "同意加装"])
        #expect(closed.status == 0, "\(closed.stderr)")
        let audit = try await c.staff.json(["meeting", "show", "\(held)"])
        let notes = ((audit["meeting"] as? [String: Any])?["recordNotes"] as? [String]) ?? (audit["recordNotes"] as? [String]) ?? []
        #expect(notes.contains { $0.contains("member:12") && $0.contains("scheduled it") }, "\(audit)")
        #expect(notes.contains { $0.contains("member:12") && $0.contains("attesting 1 present") }, "\(notes)")
        let year = String(Self.minute(Date().addingTimeInterval(-90 * 60)).prefix(4))
        var fourteenKinds: [String] = []
        var twentyKinds: [String] = ["?"]
        for _ in 0..<100 {
            fourteenKinds = ((try await c.staff.json(["duty", "show", "14", "--year", year]))["entries"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            twentyKinds = ((try await c.staff.json(["duty", "show", "20", "--year", year]))["entries"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            if !fourteenKinds.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(fourteenKinds == ["DUTY_KIND_CONSULTATION_ACTIVITY"], "member 14 came: \(fourteenKinds)")
        #expect(twentyKinds.isEmpty, "member 20 was invited by a convener and did not come: nothing against them, \(twentyKinds)")

        // Topics follow the same rule: a room's topic under another station, or an unknown
        // room, is refused; the head of station 2 records topics of its room 2, not of room 1.
        let topic = ["topic", "create", "--title", "楼道照明", "--theme", "基层民主", "--source", "来信来访"]
        let elsewhere = try await convener.run(topic + ["--room", "1", "--station", "2"])
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("belongs to station 1"), "\(elsewhere.stderr)")
        #expect(try await convener.run(topic + ["--room", "99"]).status == 3)
        let headsTopic = try await head.run(topic + ["--room", "2"])
        #expect(headsTopic.status == 0, "\(headsTopic.stderr)")
        #expect(try await head.run(topic + ["--room", "1"]).status == 5)

        // The head of station 2 runs the activities of its rooms (room 2), not room 1's.
        let station = try await head.run(activity("胜利社区议事", startingIn: 60, room: 2))
        #expect(station.status == 0, "\(station.stderr)")
        #expect(try await head.run(["meeting", "publish", "\(meeting)"]).status == 5)

        // A convener's bookings are bounded: 30 activities not yet held in the room; the
        // office still books it.
        for day in 1...29 {
            let booked = try await head.run(activity("议事 \(day)", startingIn: day * 24 * 60, room: 2))
            #expect(booked.status == 0, "\(day): \(booked.stderr)")
        }
        let thirtyFirst = try await head.run(activity("第三十一次", startingIn: 40 * 24 * 60, room: 2))
        #expect(thirtyFirst.status == 2 && thirtyFirst.stderr.contains("activities not yet held"), "\(thirtyFirst.stderr)")
        #expect(try await c.staff.run(activity("办公室安排", startingIn: 41 * 24 * 60, room: 2)).status == 0)
        await c.suite.stop()
    }
}
