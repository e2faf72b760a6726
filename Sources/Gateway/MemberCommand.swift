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

extension ChineseLabelled {
    static var labelledValues: [String] { allCases.filter { $0.rawValue != 0 }.map(\.identifier) }
}

struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member",
        abstract: "Committee members (委员): add, change, find, resign, assign to rooms, import and export.",
        subcommands: [Add.self, Update.self, Get.self, List.self, Search.self, Resign.self, Restore.self, Assign.self,
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
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a member to the current term.",
            discussion: "Example: gateway member add --number 0001 --name 张伟 --sector 教育界 --role 常委 --phone 13800000001")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fields: Fields
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        func validate() throws {
            if fields.memberNumber == nil { throw ValidationError("--number is required") }
            if fields.name == nil { throw ValidationError("--name is required") }
            if fields.sector == nil { throw ValidationError("--sector is required") }
        }

        func run() async throws {
            try await runReportingFailures {
                var member = MemberV1.Member()
                member.term = term
                fields.apply(to: &member)
                var request = MemberV1.CreateMemberRequest()
                request.member = member
                let created = try await connection.withRegistry { try await $0.call(MemberV1.Members.create, request) }
                try show(created.member, connection)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a member's details; fields not given keep their values.",
            discussion: "Example: gateway member update 12 --phone 13900000002 --committee 提案委员会 --committee 经济委员会")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @OptionGroup var fields: Fields

        func run() async throws {
            try await runReportingFailures {
                let updated = try await connection.withRegistry { client in
                    var get = MemberV1.GetMemberRequest()
                    get.id = id
                    var member = try await client.call(MemberV1.Members.get, get, options: .read).member ?? MemberV1.Member()
                    fields.apply(to: &member)
                    var request = MemberV1.UpdateMemberRequest()
                    request.member = member
                    return try await client.call(MemberV1.Members.update, request)
                }
                try show(updated.member, connection)
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one member.", discussion: "Example: gateway member get 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64

        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.GetMemberRequest()
                request.id = id
                let response = try await connection.withRegistry { try await $0.call(MemberV1.Members.get, request, options: .read) }
                try show(response.member, connection)
            }
        }
    }

    struct Filters: ParsableArguments {
        @Option(help: "Sector (界别).") var sector: String?
        @Option(help: "Special committee (专委会).") var committee: String?
        @Option(help: "At least this role, e.g. 常委 (standing-member).") var role: MemberV1.Role?
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

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List members, filtered.",
            discussion: "Example: gateway member list --role 常委 --status 在任 --all")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var filters: Filters

        func run() async throws {
            try await runReportingFailures { try await listMembers(filters.request(), all: filters.all, connection) }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find members whose name or work unit contains the text (Chinese works).",
            discussion: "Example: gateway member search 第一中学")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Text to look for in names and work units.") var text: String
        @OptionGroup var filters: Filters

        func validate() throws {
            if text.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the search text must not be empty") }
        }

        func run() async throws {
            try await runReportingFailures { try await listMembers(filters.request(query: text), all: filters.all, connection) }
        }
    }

    struct Resign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a member left: resigned (请辞), removed (撤销) or deceased (去世).",
            discussion: "Example: gateway member resign 12 --reason 工作调动 --date 2026-03-01")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "Why (required).") var reason: String
        @Option(help: "请辞, 撤销 or 去世 (default resigned).") var status: MemberV1.MemberStatus = .resigned
        @Option(help: "When, YYYY-MM-DD (default today).") var date: String?

        func validate() throws {
            if status == .active { throw ValidationError("use `gateway member restore` to make a member active again") }
        }

        func run() async throws {
            try await runReportingFailures { try await changeStatus(id, status, reason, date, connection) }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a member who left active (在任) again.",
            discussion: "Example: gateway member restore 12 --reason 误操作更正")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "Why (required).") var reason: String

        func run() async throws {
            try await runReportingFailures { try await changeStatus(id, .active, reason, nil, connection) }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a member to a consultation room (下沉).", discussion: "Example: gateway member assign 12 --room 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "The room's id.") var room: Int64

        func run() async throws {
            try await runReportingFailures { try await assignment(MemberV1.Members.assignRoom, id, room, connection) }
        }
    }

    struct Unassign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a member out of a consultation room.", discussion: "Example: gateway member unassign 12 --room 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "The room's id.") var room: Int64

        func run() async throws {
            try await runReportingFailures { try await assignment(MemberV1.Members.unassignRoom, id, room, connection) }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who changed what about a member, and when.", discussion: "Example: gateway member history 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64

        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.MemberHistoryRequest()
                request.memberID = id
                let response = try await connection.withRegistry { try await $0.call(MemberV1.Members.history, request, options: .read) }
                if connection.json { return try printJSON(response.entries) }
                var table = Table("时间 time", "操作人 actor", "操作 action", "原因 reason", "变更 changes")
                for entry in response.entries {
                    let changes = entry.changes.map { "\($0.field): \($0.oldValue.isEmpty ? "∅" : $0.oldValue) → \($0.newValue.isEmpty ? "∅" : $0.newValue)" }
                    table.add(formatTime(entry.atMs), entry.actor, entry.action, entry.reason, changes.joined(separator: "; "))
                }
                table.print()
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import members from a CSV file (columns in the README); nothing is written if any row is bad.",
            discussion: "Example: gateway member import members.csv --dry-run")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The CSV file (UTF-8, with or without BOM).") var file: String
        @Flag(help: "Write the good rows even when some rows are bad.") var importValidRows = false
        @Flag(help: "Check the file and count what would change, without writing.") var dryRun = false
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        /// The most of a file one message carries (a message may carry 4 MiB).
        static let partBytes = 3 << 20

        func run() async throws {
            try await runReportingFailures {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("cannot read \(file)")
                }
                let lines = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                progress("read \(file): \(data.count) bytes, about \(max(lines - 1, 0)) rows")
                var request = MemberV1.ImportMembersRequest()
                request.importValidRows = importValidRows
                request.dryRun = dryRun
                request.term = term
                let bytes = [UInt8](data)
                let response = try await connection.withRegistry { client in
                    // A file larger than one message goes in parts of one upload; the
                    // registry imports it whole, all or nothing, when the last part arrives.
                    var offset = 0
                    if bytes.count > Self.partBytes {
                        request.uploadID = UUID().uuidString.lowercased()
                        request.more = true
                        while bytes.count - offset > Self.partBytes {
                            request.csv = Array(bytes[offset..<(offset + Self.partBytes)])
                            let kept = try await client.call(MemberV1.Members.import, request, options: CallOptions(timeout: .seconds(60)))
                            offset += Self.partBytes
                            progress("sent \(kept.receivedBytes) of \(bytes.count) bytes")
                        }
                        request.more = false
                    }
                    request.csv = Array(bytes[offset...])
                    progress("sent to member-registry for validation\(dryRun ? " (dry run)" : ""); waiting…")
                    return try await client.call(MemberV1.Members.import, request, options: CallOptions(timeout: .seconds(300)))
                }
                if connection.json { return try printJSON(response) }
                print("rows: \(response.rows)  created: \(response.created)  updated: \(response.updated)  unchanged: \(response.unchanged)  bad rows: \(Set(response.problems.map(\.line)).count)")
                if !response.problems.isEmpty {
                    var table = Table("行 line", "列 field", "问题 problem")
                    for p in response.problems { table.add(String(p.line), p.field, p.reason) }
                    table.print()
                }
                if dryRun {
                    print("dry run: nothing was written")
                    // Scripts check a file with --dry-run: a file with bad rows is not good.
                    if !response.problems.isEmpty { throw ExitCode(2) }
                } else if !response.problems.isEmpty && !importValidRows {
                    print("nothing was written: fix the rows above, or pass --import-valid-rows to write the good rows")
                    throw ExitCode(2)
                } else {
                    print(response.written ? "written" : "nothing to change")
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the term's members as CSV (re-imports unchanged).",
            discussion: "Example: gateway member export --output members.csv")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.ExportMembersRequest()
                request.term = term
                // Page by page, so that any committee's size fits.
                var csv: [UInt8] = []
                var count = 0
                try await connection.withRegistry { client in
                    repeat {
                        let page = try await client.call(MemberV1.Members.export, request, options: .read)
                        csv += page.csv
                        count += Int(page.count)
                        request.pageToken = page.nextPageToken
                    } while !request.pageToken.isEmpty
                }
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: Data(csv)) else {
                        throw ValidationError("cannot write \(output)")
                    }
                    progress("wrote \(count) members to \(output)")
                } else {
                    print(String(decoding: csv, as: UTF8.self), terminator: "")
                }
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
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

        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.ResolveGroupRequest()
                request.kind = kind
                request.term = term
                switch kind {
                case .station, .room: request.id = Int64(target ?? "") ?? 0
                default: request.name = target ?? ""
                }
                let ids = try await connection.withRegistry { try await $0.call(MemberV1.Members.resolveGroup, request, options: .read) }.memberIDs
                if connection.json { return try printJSON(ids) }
                print("\(kind.label)\(target.map { " " + $0 } ?? ""): \(ids.count) members")
                if !ids.isEmpty { print(ids.map(String.init).joined(separator: " ")) }
            }
        }
    }

    struct Sectors: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the sectors (界别), or add one.", discussion: "Example: gateway member sectors --add 环境资源界")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Add this sector.") var add: String?
        func run() async throws { try await runReportingFailures { try await catalog(.sector, add, connection) } }
    }

    struct Committees: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the special committees (专委会), or add one.", discussion: "Example: gateway member committees")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Add this special committee.") var add: String?
        func run() async throws { try await runReportingFailures { try await catalog(.specialCommittee, add, connection) } }
    }
}

// MARK: - Shared steps

func progress(_ text: String) {
    Terminal.error(text)
}

func formatTime(_ ms: Int64) -> String { CommitteeClock.second(ms) }

func show(_ member: MemberV1.Member?, _ connection: ConnectionOptions) throws {
    guard let m = member else { return }
    if connection.json { return try printJSON(m) }
    var table = Table("字段 field", "值 value")
    for (field, value) in [
        ("id", String(m.id)), ("届 term", String(m.term)), ("编号 number", m.memberNumber), ("姓名 name", m.name),
        ("性别 gender", m.gender.label), ("民族 ethnicity", m.ethnicity), ("出生 birth", m.birthDate), ("党派 party", m.party),
        ("界别 sector", m.sector), ("专委会 committees", m.committees.joined(separator: "、")), ("工作单位 work unit", m.workUnit),
        ("职务 position", m.position), ("电话 phone", m.phone), ("邮箱 e-mail", m.email), ("职务层级 role", m.role.label),
        ("状态 status", "\(m.status.label) \(m.statusDate) \(m.statusReason)".trimmingCharacters(in: .whitespaces)),
        ("增补 added", m.addedDuringTerm ? "是" : "否"), ("议事室 rooms", m.roomIDs.map(String.init).joined(separator: ", ")),
    ] { table.add(field, value) }
    table.print()
}

func listMembers(_ request: MemberV1.ListMembersRequest, all: Bool, _ connection: ConnectionOptions) async throws {
    var request = request
    var members: [MemberV1.Member] = []
    var total: Int32 = 0
    var next = ""
    try await connection.withRegistry { client in
        repeat {
            let page = try await client.call(MemberV1.Members.list, request, options: .read)
            members += page.members
            total = page.total
            next = page.nextPageToken
            request.pageToken = next
        } while all && !next.isEmpty
    }
    if connection.json {
        struct Page: Encodable { let members: [MemberV1.Member]; let total: Int32; let nextPageToken: String }
        return try printJSON(Page(members: members, total: total, nextPageToken: next))
    }
    var table = Table("id", "编号 number", "姓名 name", "性别", "界别 sector", "职务层级 role", "状态 status", "工作单位 work unit")
    for m in members {
        table.add(String(m.id), m.memberNumber, m.name, m.gender.label, m.sector, m.role.label, m.status.label, m.workUnit)
    }
    table.print()
    print("\(members.count) of \(total)\(next.isEmpty ? "" : "; next page: --page-token \(next)")")
}

func changeStatus(_ id: Int64, _ status: MemberV1.MemberStatus, _ reason: String, _ date: String?, _ connection: ConnectionOptions) async throws {
    var request = MemberV1.ChangeStatusRequest()
    request.id = id
    request.status = status
    request.reason = reason
    request.date = date ?? ""
    let response = try await connection.withRegistry { try await $0.call(MemberV1.Members.changeStatus, request) }
    try show(response.member, connection)
}

func assignment(
    _ method: WireMethod<MemberV1.RoomAssignmentRequest, MemberV1.RoomAssignmentResponse>, _ id: Int64, _ room: Int64,
    _ connection: ConnectionOptions
) async throws {
    var request = MemberV1.RoomAssignmentRequest()
    request.memberID = id
    request.roomID = room
    let response = try await connection.withRegistry { try await $0.call(method, request) }
    try show(response.member, connection)
}

func catalog(_ kind: MemberV1.CatalogKind, _ add: String?, _ connection: ConnectionOptions) async throws {
    let names: [String] = try await connection.withRegistry { client in
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
    if connection.json { return try printJSON(names) }
    for name in names { print(name) }
}
