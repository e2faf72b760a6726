import ArgumentParser
import Foundation
import GRDB
import MeetingScheduler
import XieshangService

/// Fills a meeting-scheduler data folder with published meetings, for measuring how the
/// scheduler's latency changes with what it already stores.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-meetings",
        abstract: "Write N published meetings (with two busy members each) into a scheduler's data folder, before it starts.",
        discussion: """
            The meetings lie in rooms 1…--rooms, one after another, half in the past and half \
            beyond the next --horizon-days (where `loadtest run` does not schedule), so they \
            weigh on the indexes without colliding with the run.

            Example: loadtest seed-meetings --data-dir run/bench/scheduler --count 1000000
            """)

    @Option(help: "The scheduler's data folder.") var dataDir: String
    @Option(help: "How many meetings.") var count: Int
    @Option(help: "Rooms 1…N to spread them over.") var rooms: Int = 20
    @Option(help: "Members 1…N to mark busy.") var members: Int = 200
    @Option(help: "Days kept free ahead of today.") var horizonDays: Int = 365

    func validate() throws {
        if count < 0 || count > 10_000_000 { throw ValidationError("--count must be 0 to 10000000") }
        if rooms < 1 || members < 2 { throw ValidationError("--rooms must be at least 1 and --members at least 2") }
    }

    func run() async throws {
        let database = try ServiceDatabase.open(dataDir: dataDir, name: "meeting-scheduler", migrations: SchedulerSchema.migrations)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let hour: Int64 = 3_600_000
        let perRoom = (count + rooms - 1) / rooms
        let pastStart = now - Int64(perRoom / 2 + 1) * 2 * hour
        let futureStart = now + Int64(horizonDays + 2) * 24 * hour
        let started = Date()
        var written = 0
        while written < count {
            let batch = min(50_000, count - written)
            let first = written
            try await database.write { db in
                let meeting = try db.makeStatement(sql: """
                    INSERT INTO meetings (title, kind, term, ordinal, organiser, room_id, room_name, venue, start_ms, end_ms, mode,
                        online_link, status, open_registration, capacity, updated_at_ms, published_at_ms)
                    VALUES (?, 10, 5, ?, '办公室', ?, '', '', ?, ?, 1, '', 2, 0, 0, ?, ?)
                    """)
                let busy = try db.makeStatement(sql: "INSERT OR IGNORE INTO member_busy (member_id, meeting_id, start_ms, end_ms) VALUES (?, ?, ?, ?)")
                for index in first..<(first + batch) {
                    let room = index % rooms + 1
                    let slot = index / rooms
                    let base = slot < perRoom / 2 ? pastStart : futureStart - Int64(perRoom / 2) * 2 * hour
                    let start = base + Int64(slot) * 2 * hour
                    try meeting.execute(arguments: ["历史会议 \(index)", index + 1, room, start, start + hour, now, now])
                    let id = db.lastInsertedRowID
                    for k in 0..<2 {
                        try busy.execute(arguments: [(index * 7 + k * 13) % members + 1, id, start, start + hour])
                    }
                }
            }
            written += batch
            FileHandle.standardError.write(Data("seeded \(written)/\(count)\n".utf8))
        }
        print(String(format: "seeded %d meetings in %.1f s", count, Date().timeIntervalSince(started)))
    }
}
