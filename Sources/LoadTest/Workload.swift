import Foundation
import Synchronization
import XieshangRPC
import XieshangWire

/// The operations a load test mixes, against meeting-scheduler (and a no-op server for the
/// RPC floor).
enum Operation: String, CaseIterable, Sendable {
    /// Schedule a meeting in a room with 2–5 members invited, then publish it (3 calls).
    case schedule
    /// The meetings of a room over one week.
    case queryRoom = "query-room"
    /// A member's schedule over one month.
    case queryMember = "query-member"
    /// The earliest slot for a room and two members in a two-week window.
    case findSlot = "find-slot"
    /// A call that does nothing, to the server of `loadtest serve-noop`.
    case noop
}

/// The rooms and members the workload uses, and a seeded random generator per worker.
struct Fixture: Sendable {
    let rooms: [Int64]
    let members: [Int64]
    /// Meetings are placed on working days from this day on, over `horizonDays`.
    let firstDayMs: Int64
    let horizonDays: Int
}

/// The no-op method of `loadtest serve-noop`.
let noopMethod = WireMethod<RpcV1.HealthCheckRequest, RpcV1.HealthCheckRequest>("bench.v1.Noop/Call")

/// Where `--acknowledged` writes the id of every meeting whose Schedule call was
/// acknowledged, one per line, as it happens (so a crash test can check each one exists).
final class AcknowledgedLog: Sendable {
    private let handle: Mutex<FileHandle>

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw failure("cannot write \(path)")
        }
        self.handle = Mutex(handle)
    }

    func record(_ meetingID: Int64) {
        handle.withLock { $0.write(Data("\(meetingID)\n".utf8)) }
    }
}

struct Workload: Sendable {
    let fixture: Fixture
    let scheduler: RPCClient
    let timeout: Duration
    var acknowledged: AcknowledgedLog? = nil

    /// Runs one operation; throws what the service answered when it was not OK.
    func run(_ operation: Operation, random: inout SplitMix) async throws {
        let options = CallOptions(timeout: timeout)
        switch operation {
        case .noop:
            _ = try await scheduler.call(noopMethod, RpcV1.HealthCheckRequest(), options: options)
        case .schedule:
            var meeting = MeetingV1.Meeting()
            meeting.title = "负载测试会议 \(random.next() % 1_000_000)"
            meeting.kind = .grassroots
            meeting.roomID = fixture.rooms[Int(random.next() % UInt64(fixture.rooms.count))]
            let (start, minutes) = slot(&random)
            meeting.startMs = start
            meeting.endMs = start + Int64(minutes) * 60_000
            var schedule = MeetingV1.ScheduleMeetingRequest()
            schedule.meeting = meeting
            let created = try await scheduler.call(MeetingV1.Meetings.schedule, schedule, options: options).meeting ?? meeting
            acknowledged?.record(created.id)
            var invite = MeetingV1.InviteRequest()
            invite.meetingID = created.id
            invite.memberIDs = (0..<(2 + Int(random.next() % 4))).map { _ in fixture.members[Int(random.next() % UInt64(fixture.members.count))] }
            _ = try await scheduler.call(MeetingV1.Meetings.invite, invite, options: options)
            var publish = MeetingV1.PublishMeetingRequest()
            publish.id = created.id
            _ = try await scheduler.call(MeetingV1.Meetings.publish, publish, options: options)
        case .queryRoom:
            var list = MeetingV1.ListMeetingsRequest()
            list.roomID = fixture.rooms[Int(random.next() % UInt64(fixture.rooms.count))]
            list.fromMs = day(&random)
            list.toMs = list.fromMs + 7 * 86_400_000
            list.pageSize = 100
            _ = try await scheduler.call(MeetingV1.Meetings.list, list, options: CallOptions(timeout: timeout, isRead: true))
        case .queryMember:
            var list = MeetingV1.ListMeetingsRequest()
            list.memberID = fixture.members[Int(random.next() % UInt64(fixture.members.count))]
            list.fromMs = day(&random)
            list.toMs = list.fromMs + 30 * 86_400_000
            list.pageSize = 100
            _ = try await scheduler.call(MeetingV1.Meetings.list, list, options: CallOptions(timeout: timeout, isRead: true))
        case .findSlot:
            var find = MeetingV1.FindSlotRequest()
            find.roomID = fixture.rooms[Int(random.next() % UInt64(fixture.rooms.count))]
            find.memberIDs = (0..<2).map { _ in fixture.members[Int(random.next() % UInt64(fixture.members.count))] }
            find.fromMs = day(&random)
            find.toMs = find.fromMs + 14 * 86_400_000
            find.durationMinutes = 60
            _ = try await scheduler.call(MeetingV1.Meetings.findSlot, find, options: CallOptions(timeout: timeout, isRead: true))
        }
    }

    /// A random day of the horizon (at its midnight in UTC+8).
    private func day(_ random: inout SplitMix) -> Int64 {
        fixture.firstDayMs + Int64(random.next() % UInt64(fixture.horizonDays)) * 86_400_000
    }

    /// A working-hours start on a 15-minute grid and a length of 30–120 minutes.
    private func slot(_ random: inout SplitMix) -> (Int64, Int) {
        let minutes = [30, 60, 90, 120][Int(random.next() % 4)]
        // 08:30–12:00 and 14:30–18:00, China time (UTC+8): starts that fit the length.
        let morning = Array(stride(from: 8 * 60 + 30, through: 12 * 60 - minutes, by: 15))
        let afternoon = Array(stride(from: 14 * 60 + 30, through: 18 * 60 - minutes, by: 15))
        let starts = morning + afternoon
        let minute = starts[Int(random.next() % UInt64(starts.count))]
        return (day(&random) + Int64(minute) * 60_000, minutes)
    }
}

/// The operations' weights, e.g. `schedule=20,query-room=30,query-member=30,find-slot=20`.
struct Mix: Sendable {
    let weights: [(Operation, Int)]

    init?(_ text: String) {
        var weights: [(Operation, Int)] = []
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=")
            guard pair.count == 2, let op = Operation(rawValue: String(pair[0])), let weight = Int(pair[1]), weight >= 0 else { return nil }
            weights.append((op, weight))
        }
        guard weights.reduce(0, { $0 + $1.1 }) > 0 else { return nil }
        self.weights = weights
    }

    func pick(_ random: inout SplitMix) -> Operation {
        let total = weights.reduce(0) { $0 + $1.1 }
        var roll = Int(random.next() % UInt64(total))
        for (op, weight) in weights {
            if roll < weight { return op }
            roll -= weight
        }
        return weights[0].0
    }

    var usesScheduler: Bool { weights.contains { $0.0 != .noop && $0.1 > 0 } }
}
