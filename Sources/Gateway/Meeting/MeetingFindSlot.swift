import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct FindSlot: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "find-slot", abstract: "The earliest time in working hours when a room and members are all free.",
            discussion: "Example: gateway meeting find-slot --from 2026-12-01 --to 2026-12-15 \\\n             --minutes 90 --room 3 --group chairpersons-council")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment
        @Option(help: "Until.") var to: Moment
        @Option(help: "Length in minutes.") var minutes: Int32
        @Option(help: "A room that must be free.") var room: Int64?
        @Option(help: "A member who must be free; repeat for several.") var member: [Int64] = []
        @Option(help: "A group whose active members must be free.") var group: [GroupArgument] = []

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.findSlot, options: .read) { request in
                request.fromMs = from.ms
                request.toMs = to.ms
                request.durationMinutes = minutes
                request.roomID = room ?? 0
                request.memberIDs = member
                request.groups = group.map(\.group)
            }
            var output = Output(response)
            output.line(response.found ? "earliest free slot: \(CommitteeClock.range(response.startMs, response.endMs))" : "no free slot in that window")
            if !response.found { output.exitCode = 3 }
            return output
        }
    }
}
