import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Resolve: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The active members of a group: all, standing-committee, chairpersons-council, sector NAME, committee NAME, station ID, room ID.",
            discussion: "Example: gateway member resolve sector 教育界")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "all, standing-committee, chairpersons-council, sector, committee, station or room (or 全体委员, 常委会, …).") var kind: MemberV1.GroupKind
        @Argument(help: "The sector or committee name, or the station or room id.") var target: String?
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        func validate() throws {
            switch kind {
            case .sector, .specialCommittee:
                if target == nil { throw ValidationError("\(kind.identifier) needs a name") }
            case .station, .room:
                guard let target, Int64(target) != nil else { throw ValidationError("\(kind.identifier) needs a numeric id") }
            default:
                if target != nil { throw ValidationError("\(kind.identifier) takes no name or id") }
            }
        }

        func perform() async throws -> Output {
            var request = MemberV1.ResolveGroupRequest()
            request.kind = kind
            request.term = term
            switch kind {
            case .station, .room: request.id = Int64(target ?? "") ?? 0
            default: request.name = target ?? ""
            }
            let ids = try await connection.call(MemberV1.Members.resolveGroup, request, options: .read).memberIDs
            var output = Output(ids)
            output.line("\(kind.label)\(target.map { " " + $0 } ?? ""): \(ids.count) members")
            if !ids.isEmpty { output.line(ids.map(String.init).joined(separator: " ")) }
            return output
        }
    }
}
