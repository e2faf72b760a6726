import ArgumentParser
import Foundation
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct ICal: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "ical", abstract: "An iCalendar (.ics) file of a member's, a room's or the committee's meetings.",
            discussion: "Example: gateway meeting ical --member 5 --output 张伟.ics")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "A member's meetings.") var member: Int64?
        @Option(help: "A room's meetings.") var room: Int64?
        @Flag(help: "Every meeting of the committee.") var committee = false
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func validate() throws {
            if [member != nil, room != nil, committee].filter({ $0 }).count != 1 {
                throw ValidationError("give exactly one of --member, --room, --committee")
            }
        }

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.calendar, options: .read) { request in
                request.scope = member != nil ? .member : room != nil ? .room : .committee
                request.id = member ?? room ?? 0
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
            }
            guard let output else { return .document(response.ics) }
            guard FileManager.default.createFile(atPath: output, contents: Data(response.ics.utf8)) else {
                throw ValidationError("cannot write \(output)")
            }
            progress("wrote \(response.events) meetings to \(output)")
            return .none
        }
    }
}
