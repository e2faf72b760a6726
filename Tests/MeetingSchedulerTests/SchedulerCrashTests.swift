import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// loadtest against meeting-scheduler while the test SIGKILLs and restarts it.
@Suite("meeting-scheduler killed under load", .serialized)
struct SchedulerCrashTests {
    @Test("three SIGKILLs during a load test: every acknowledged meeting exists once, no room is double-booked, errors stop after each restart")
    func killedUnderLoad() async throws {
        let directory = try temporaryDirectory("scheduler-crash")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler", arguments: ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint])
        let load = try BackgroundLoad([
            "--scheduler", scheduler.rpcEndpoint, "--registry", registry.rpcEndpoint,
            "--concurrency", "6", "--duration", "\(8 + 6 * soakFactor)", "--warmup", "0", "--mix", "schedule=1",
            "--rooms", "3", "--members", "20", "--timeout-ms", "2000"], in: directory)
        // Once meetings are being scheduled, kill the scheduler three times.
        for _ in 0..<600 where load.acknowledged().count < 10 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(load.acknowledged().count >= 10, "the load started")
        for _ in 0..<(3 * soakFactor) {
            await scheduler.stop(signal: SIGKILL)
            try await Task.sleep(for: .milliseconds(300))
            try await scheduler.start()
            try await Task.sleep(for: .milliseconds(1200))
        }
        #expect(await load.wait() == 0)

        // Errors happened around the kills; once the scheduler is back, none: the same load
        // run again sees no error at all.
        let progress = load.progress()
        let errors = load.errorsPerSecond()
        #expect(errors.count >= 2 + 6 * soakFactor, "\(progress)")
        #expect(errors.reduce(0, +) > 0, "the kills were noticed: \(progress)")
        let after = try load.again(for: 3)
        #expect(await after.wait() == 0)
        #expect(after.ranWithoutErrors, "the error rate is back to zero after the restarts: \(after.progress())")

        // Every acknowledged meeting exists, once.
        let ids = load.acknowledged()
        #expect(Set(ids).count == ids.count)
        let lost = try await load.lostMeetings(scheduler: scheduler.rpcEndpoint)
        #expect(lost.isEmpty, "acknowledged but lost: \(lost)")

        // No room holds two meetings at once (cancelled ones free the room).
        let client = try testClient([scheduler.rpcEndpoint], caller: "crash-test")
        var meetings: [MeetingV1.Meeting] = []
        var list = MeetingV1.ListMeetingsRequest()
        list.fromMs = 0
        list.toMs = 4_102_444_800_000
        list.pageSize = 500
        repeat {
            let page = try await client.call(MeetingV1.Meetings.list, list, options: .read)
            meetings += page.meetings
            list.pageToken = page.nextPageToken
        } while !list.pageToken.isEmpty
        #expect(meetings.count >= ids.count)
        var overlaps: [String] = []
        for (room, booked) in Dictionary(grouping: meetings.filter { $0.roomID != 0 && $0.status != .cancelled }, by: \.roomID) {
            let sorted = booked.sorted { $0.startMs < $1.startMs }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.startMs < a.endMs {
                overlaps.append("room \(room): meetings \(a.id) and \(b.id)")
            }
        }
        #expect(overlaps.isEmpty, "\(overlaps)")
        await client.close()
        await scheduler.stop()
        await registry.stop()
    }
}
