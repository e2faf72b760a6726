import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

// Flags take the Chinese label or the English identifier: --role 常委 or --role standing-member.
extension MemberV1.Role: ExpressibleByArgument {}
extension MemberV1.Gender: ExpressibleByArgument {}
extension MemberV1.MemberStatus: ExpressibleByArgument {}
extension MemberV1.GroupKind: ExpressibleByArgument {}
extension MemberV1.DecisionKind: ExpressibleByArgument {}

extension ChineseLabelled {
    static var labelledValues: [String] { allCases.filter { $0.rawValue != 0 }.map(\.identifier) }
}

struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Committee members (委员): add, change, find, resign, assign to rooms, import and export.",
        subcommands: [Add.self, Update.self, Get.self, List.self, Search.self, Resign.self, Decide.self, Deceased.self, Restore.self, Assign.self,
                      Unassign.self, History.self, Import.self, Export.self, Resolve.self, Sectors.self, Committees.self])

    /// The editable fields, shared by add and update.
    struct Fields: ParsableArguments {
        @Option(name: .customLong("number"), help: "Member number, unique in the term (委员编号).") var memberNumber: String?
        @Option(help: "Full name (姓名).") var name: String?
        @Option(help: "男 / 女 (male / female).") var gender: MemberV1.Gender?
        @Option(help: "Ethnicity, e.g. 汉族.") var ethnicity: String?
        @Option(help: "Birth date, YYYY-MM-DD.") var birthDate: String?
        @Option(help: "Party affiliation, e.g. 中共, 民盟, 无党派人士.") var party: String?
        @Option(help: "Sector (界别), one of `gateway member sectors`.") var sector: String?
        @Option(name: .customLong("committee"), help: "Special committee (专委会); repeat for several.") var committees: [String] = []
        @Flag(help: "Remove every special committee (with update).") var noCommittees = false
        @Option(help: "Work unit (工作单位).") var workUnit: String?
        @Option(help: "Position (职务).") var position: String?
        @Option(help: "Phone: 11-digit mobile or area code and number.") var phone: String?
        @Option(help: "E-mail address.") var email: String?
        @Option(help: "主席, 副主席, 秘书长, 常委 or 委员 (chair, vice-chair, secretary-general, standing-member, member).") var role: MemberV1.Role?
        @Option(help: "Date the member joined, YYYY-MM-DD.") var joined: String?
        @Flag(help: "Added during the term (增补).") var addedDuringTerm = false
        @Option(name: .customLong("function"), help: "A function beside the rank: 专委会主任:COMMITTEE, 专委会副主任:COMMITTEE, 站长:STATION-ID, 召集人:ROOM-ID or 议事会主席:ROOM-ID; repeat for several (replaces them with update).") var functions: [FunctionArgument] = []
        @Flag(help: "Remove every function (with update).") var noFunctions = false

        func apply(to m: inout MemberV1.Member) {
            if let memberNumber { m.memberNumber = memberNumber }
            if let name { m.name = name }
            if let gender { m.gender = gender }
            if let ethnicity { m.ethnicity = ethnicity }
            if let birthDate { m.birthDate = birthDate }
            if let party { m.party = party }
            if let sector { m.sector = sector }
            if !committees.isEmpty { m.committees = committees }
            if noCommittees { m.committees = [] }
            if let workUnit { m.workUnit = workUnit }
            if let position { m.position = position }
            if let phone { m.phone = phone }
            if let email { m.email = email }
            if let role { m.role = role }
            if let joined { m.joinedDate = joined }
            if addedDuringTerm { m.addedDuringTerm = true }
            if !functions.isEmpty { m.functions = functions.map(\.function) }
            if noFunctions { m.functions = [] }
        }
    }

    struct Filters: ParsableArguments {
        @Option(help: "Sector (界别).") var sector: String?
        @Option(help: "Special committee (专委会).") var committee: String?
        @Option(help: "Exactly this role, e.g. 副主席 (vice-chair); with --and-above, this role or a higher one.") var role: MemberV1.Role?
        @Flag(help: "With --role: that role or a higher one (常委 and above: 常委, 秘书长, 副主席, 主席).") var andAbove = false
        @Option(help: "在任, 请辞, 撤销 or 去世 (active, resigned, removed, deceased).") var status: MemberV1.MemberStatus?
        @Option(help: "Members assigned to rooms of this work station.") var station: Int64?
        @Option(help: "Members assigned to this room.") var room: Int64?
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0
        @Option(help: "Rows per page (1-500, default 50).") var pageSize: Int32 = 50
        @Option(help: "Continue after a previous page.") var pageToken: String?
        @Flag(help: "Fetch every page.") var all = false

        func validate() throws {
            if !(1...500).contains(pageSize) { throw ValidationError("--page-size must be between 1 and 500") }
        }

        func request(query: String = "") -> MemberV1.ListMembersRequest {
            var r = MemberV1.ListMembersRequest()
            r.sector = sector ?? ""
            r.committee = committee ?? ""
            r.role = role ?? .unspecified
            r.roleAndAbove = andAbove
            r.status = status ?? .unspecified
            r.stationID = station ?? 0
            r.roomID = room ?? 0
            r.term = term
            r.pageSize = pageSize
            r.pageToken = pageToken ?? ""
            r.query = query
            return r
        }
    }
}

// MARK: - Shared steps

extension Output {
    /// One member, field by field.
    static func member(_ member: MemberV1.Member?) -> Output {
        let m = member ?? MemberV1.Member()
        let status: String = "\(m.status.label) \(m.statusDate) \(m.statusReason)".trimmingCharacters(in: .whitespaces)
        let resignation: String = m.resignationRequest.map { "\($0.date) \($0.reason)（待常委会决定）" } ?? ""
        let rows: [(String, String)] = [
            ("id", String(m.id)), ("届 term", String(m.term)), ("编号 number", m.memberNumber), ("姓名 name", m.name),
            ("性别 gender", m.gender.label), ("民族 ethnicity", m.ethnicity), ("出生 birth", m.birthDate), ("党派 party", m.party),
            ("界别 sector", m.sector), ("专委会 committees", m.committees.joined(separator: "、")), ("工作单位 work unit", m.workUnit),
            ("职务 position", m.position), ("电话 phone", m.phone), ("邮箱 e-mail", m.email), ("职务层级 role", m.role.label),
            ("兼任 functions", m.functions.map(\.label).joined(separator: "、")),
            ("状态 status", status),
            ("申请辞去 resignation", resignation),
            ("常委会决定 decisions", m.decisions.map(\.label).joined(separator: "；")),
            ("增补 added", m.addedDuringTerm ? "是" : "否"), ("议事室 rooms", m.roomIDs.map(String.init).joined(separator: ", ")),
        ]
        var table = Table("字段 field", "值 value")
        for (field, value) in rows { table.add(field, value) }
        return Output(m, table)
    }
}

/// Every active member of the current term, page after page (the report's figures, the
/// portal's invitations).
func everyActiveMember(_ registry: RPCClient) async throws(RPCError) -> [MemberV1.Member] {
    var request = MemberV1.ListMembersRequest()
    request.status = .active
    request.pageSize = 500
    var members: [MemberV1.Member] = []
    repeat {
        let page = try await registry.call(MemberV1.Members.list, request, options: .read)
        members += page.members
        request.pageToken = page.nextPageToken
    } while !request.pageToken.isEmpty
    return members
}

func listMembers(_ request: MemberV1.ListMembersRequest, all: Bool, _ connection: ConnectionOptions) async throws -> Output {
    var request = request
    var members: [MemberV1.Member] = []
    var total: Int32 = 0
    var next = ""
    try await connection.with(.registry) { client in
        repeat {
            let page = try await client.call(MemberV1.Members.list, request, options: .read)
            members += page.members
            total = page.total
            next = page.nextPageToken
            request.pageToken = next
        } while all && !next.isEmpty
    }
    struct Page: Encodable { let members: [MemberV1.Member]; let total: Int32; let nextPageToken: String }
    var table = Table("id", "编号 number", "姓名 name", "性别", "界别 sector", "职务层级 role", "状态 status", "工作单位 work unit")
    for m in members {
        table.add(String(m.id), m.memberNumber, m.name, m.gender.label, m.sector, m.role.label, m.status.label, m.workUnit)
    }
    var output = Output(Page(members: members, total: total, nextPageToken: next), table)
    output.line("\(members.count) of \(total)\(next.isEmpty ? "" : "; next page: --page-token \(next)")")
    return output
}

func changeStatus(_ id: Int64, _ status: MemberV1.MemberStatus, _ reason: String, _ date: String?, _ connection: ConnectionOptions) async throws -> Output {
    var request = MemberV1.ChangeStatusRequest()
    request.id = id
    request.status = status
    request.reason = reason
    request.date = date ?? ""
    return Output.member(try await connection.call(MemberV1.Members.changeStatus, request).member)
}

func assignment(
    _ method: WireMethod<MemberV1.RoomAssignmentRequest, MemberV1.RoomAssignmentResponse>, _ id: Int64, _ room: Int64,
    _ connection: ConnectionOptions
) async throws -> Output {
    var request = MemberV1.RoomAssignmentRequest()
    request.memberID = id
    request.roomID = room
    return Output.member(try await connection.call(method, request).member)
}

func catalog(_ kind: MemberV1.CatalogKind, _ add: String?, _ connection: ConnectionOptions) async throws -> Output {
    let names: [String] = try await connection.with(.registry) { client in
        if let add {
            var request = MemberV1.AddCatalogEntryRequest()
            request.kind = kind
            request.name = add
            return try await client.call(MemberV1.Catalog.add, request).names
        }
        var request = MemberV1.ListCatalogRequest()
        request.kind = kind
        return try await client.call(MemberV1.Catalog.list, request, options: .read).names
    }
    var output = Output(names)
    for name in names { output.line(name) }
    return output
}

/// A function on the command line: `专委会主任:提案委员会`, `站长:1`, `召集人:3` (or the
/// English identifiers: `room-convener:3`).
struct FunctionArgument: ExpressibleByArgument {
    let function: MemberV1.MemberFunction

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = MemberV1.FunctionKind(parsing: parts[0]) else { return nil }
        var function = MemberV1.MemberFunction()
        function.kind = kind
        switch kind {
        case .committeeDirector, .committeeDeputyDirector:
            function.committee = parts[1]
        case .stationHead:
            guard let id = Int64(parts[1]) else { return nil }
            function.stationID = id
        case .roomConvener, .roomCouncilChair:
            guard let id = Int64(parts[1]) else { return nil }
            function.roomID = id
        case .unspecified, .unrecognized:
            return nil
        }
        self.function = function
    }

    static var defaultValueDescription: String { "KIND:TARGET" }
}
