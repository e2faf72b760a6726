import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

struct TermCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "term", abstract: "The committee's terms (届).", subcommands: [Add.self, List.self, SetCurrent.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a term; the first one, or one given --current, becomes the current term.",
            discussion: "Example: gateway term add --number 5 --start 2022-01-15 --end 2027-01-14")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The term's number (第五届: 5).") var number: Int32
        @Option(help: "First day, YYYY-MM-DD.") var start: String
        @Option(help: "Last day, YYYY-MM-DD.") var end: String
        @Flag(help: "Make it the current term.") var current = false

        func run() async throws {
            try await runReportingFailures {
                var term = MemberV1.Term()
                term.number = number
                term.startDate = start
                term.endDate = end
                term.current = current
                var request = MemberV1.CreateTermRequest()
                request.term = term
                let created = try await connection.withRegistry { try await $0.call(MemberV1.Terms.create, request) }
                try showTerms(created.term.map { [$0] } ?? [], connection)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the terms.", discussion: "Example: gateway term list")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await runReportingFailures {
                let terms = try await connection.withRegistry { try await $0.call(MemberV1.Terms.list, MemberV1.ListTermsRequest(), options: .read) }
                try showTerms(terms.terms, connection)
            }
        }
    }

    struct SetCurrent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-current", abstract: "Make a term the current one.", discussion: "Example: gateway term set-current 6")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The term's number.") var number: Int32

        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.SetCurrentTermRequest()
                request.number = number
                let term = try await connection.withRegistry { try await $0.call(MemberV1.Terms.setCurrent, request) }
                try showTerms(term.term.map { [$0] } ?? [], connection)
            }
        }
    }
}

func showTerms(_ terms: [MemberV1.Term], _ connection: ConnectionOptions) throws {
    if connection.json { return try printJSON(terms) }
    var table = Table("届 term", "开始 start", "结束 end", "当前 current")
    for t in terms { table.add("第\(t.number)届", t.startDate, t.endDate, t.current ? "是" : "") }
    table.print()
}

struct StationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station", abstract: "Member work stations (委员工作站).", subcommands: [Add.self, Update.self, Get.self, List.self])

    struct Fields: ParsableArguments {
        @Option(help: "Name, e.g. 雄关街道委员工作站.") var name: String?
        @Option(help: "Address.") var address: String?
        @Option(help: "District (区/县).") var district: String?

        func apply(to s: inout MemberV1.Station) {
            if let name { s.name = name }
            if let address { s.address = address }
            if let district { s.district = district }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a work station.", discussion: "Example: gateway station add --name 雄关街道委员工作站 --district 雄关区")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fields: Fields
        func validate() throws { if fields.name == nil { throw ValidationError("--name is required") } }
        func run() async throws { try await runReportingFailures { try await saveStation(0, fields, connection) } }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a work station.", discussion: "Example: gateway station update 1 --address 雄关东路 8 号")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The station's id.") var id: Int64
        @OptionGroup var fields: Fields
        func run() async throws { try await runReportingFailures { try await saveStation(id, fields, connection) } }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a work station.", discussion: "Example: gateway station get 1")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The station's id.") var id: Int64
        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.GetStationRequest()
                request.id = id
                let station = try await connection.withRegistry { try await $0.call(MemberV1.Stations.get, request, options: .read) }
                try showStations(station.station.map { [$0] } ?? [], connection)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the work stations.", discussion: "Example: gateway station list")
        @OptionGroup var connection: ConnectionOptions
        func run() async throws {
            try await runReportingFailures {
                let list = try await connection.withRegistry { try await $0.call(MemberV1.Stations.list, MemberV1.ListStationsRequest(), options: .read) }
                try showStations(list.stations, connection)
            }
        }
    }
}

func saveStation(_ id: Int64, _ fields: StationCommand.Fields, _ connection: ConnectionOptions) async throws {
    let saved = try await connection.withRegistry { client in
        var station = MemberV1.Station()
        if id != 0 {
            var get = MemberV1.GetStationRequest()
            get.id = id
            station = try await client.call(MemberV1.Stations.get, get, options: .read).station ?? station
        }
        fields.apply(to: &station)
        var request = MemberV1.SaveStationRequest()
        request.station = station
        return try await client.call(MemberV1.Stations.save, request)
    }
    try showStations(saved.station.map { [$0] } ?? [], connection)
}

func showStations(_ stations: [MemberV1.Station], _ connection: ConnectionOptions) throws {
    if connection.json { return try printJSON(stations) }
    var table = Table("id", "名称 name", "区县 district", "地址 address")
    for s in stations { table.add(String(s.id), s.name, s.district, s.address) }
    table.print()
}

struct RoomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "Consultation rooms (协商议事室) and their 六有 checklist.",
        subcommands: [Add.self, Update.self, Get.self, List.self])

    static let haves = ["site", "sign", "facilities", "rules", "records", "fixed-members"]

    struct Fields: ParsableArguments {
        @Option(help: "Name, e.g. 新华社区协商议事室.") var name: String?
        @Option(help: "The work station it belongs to (id).") var station: Int64?
        @Option(help: "Seats.") var capacity: Int32?
        @Option(help: "Address.") var address: String?
        @Option(help: "District (区/县).") var district: String?
        @Option(help: "The 六有 it meets, comma separated: site,sign,facilities,rules,records,fixed-members (or all, none).") var has: String?

        func validate() throws {
            guard let has else { return }
            let items = has.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for item in items where item != "all" && item != "none" && !RoomCommand.haves.contains(item) {
                throw ValidationError("--has: \"\(item)\" is not one of \(RoomCommand.haves.joined(separator: ", ")), all, none")
            }
        }

        func apply(to r: inout MemberV1.Room) {
            if let name { r.name = name }
            if let station { r.stationID = station }
            if let capacity { r.capacity = capacity }
            if let address { r.address = address }
            if let district { r.district = district }
            if let has {
                let items = Set(has.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                let all = items.contains("all")
                var six = MemberV1.SixHaves()
                six.site = all || items.contains("site")
                six.sign = all || items.contains("sign")
                six.facilities = all || items.contains("facilities")
                six.rules = all || items.contains("rules")
                six.records = all || items.contains("records")
                six.fixedMembers = all || items.contains("fixed-members")
                r.sixHaves = six
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a consultation room to a work station.",
            discussion: "Example: gateway room add --name 新华社区协商议事室 --station 1 --capacity 30 --has all")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fields: Fields
        func validate() throws {
            if fields.name == nil { throw ValidationError("--name is required") }
            if fields.station == nil { throw ValidationError("--station is required") }
            if fields.capacity == nil { throw ValidationError("--capacity is required") }
        }
        func run() async throws { try await runReportingFailures { try await saveRoom(0, fields, connection) } }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a consultation room.", discussion: "Example: gateway room update 3 --has site,sign,rules")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The room's id.") var id: Int64
        @OptionGroup var fields: Fields
        func run() async throws { try await runReportingFailures { try await saveRoom(id, fields, connection) } }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a consultation room.", discussion: "Example: gateway room get 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The room's id.") var id: Int64
        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.GetRoomRequest()
                request.id = id
                let room = try await connection.withRegistry { try await $0.call(MemberV1.Rooms.get, request, options: .read) }
                try showRooms(room.room.map { [$0] } ?? [], connection)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List consultation rooms.", discussion: "Example: gateway room list --station 1")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only this work station's rooms.") var station: Int64?
        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.ListRoomsRequest()
                request.stationID = station ?? 0
                let list = try await connection.withRegistry { try await $0.call(MemberV1.Rooms.list, request, options: .read) }
                try showRooms(list.rooms, connection)
            }
        }
    }
}

func saveRoom(_ id: Int64, _ fields: RoomCommand.Fields, _ connection: ConnectionOptions) async throws {
    let saved = try await connection.withRegistry { client in
        var room = MemberV1.Room()
        if id != 0 {
            var get = MemberV1.GetRoomRequest()
            get.id = id
            room = try await client.call(MemberV1.Rooms.get, get, options: .read).room ?? room
        }
        fields.apply(to: &room)
        var request = MemberV1.SaveRoomRequest()
        request.room = room
        return try await client.call(MemberV1.Rooms.save, request)
    }
    try showRooms(saved.room.map { [$0] } ?? [], connection)
}

func showRooms(_ rooms: [MemberV1.Room], _ connection: ConnectionOptions) throws {
    if connection.json { return try printJSON(rooms) }
    var table = Table("id", "名称 name", "工作站 station", "座位 seats", "六有 six-haves", "下沉委员 members", "地址 address")
    for r in rooms {
        let six = r.sixHaves ?? MemberV1.SixHaves()
        let met = [six.site, six.sign, six.facilities, six.rules, six.records, six.fixedMembers].filter { $0 }.count
        table.add(String(r.id), r.name, String(r.stationID), String(r.capacity), met == 6 ? "六有 ✓" : "\(met)/6",
                  String(r.memberCount), r.address)
    }
    table.print()
}

struct UnitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit", abstract: "Handling units (承办单位) for proposals.", subcommands: [Add.self, Update.self, Get.self, List.self])

    struct Fields: ParsableArguments {
        @Option(help: "Name, e.g. 市教育局.") var name: String?
        @Option(help: "Kind, e.g. 政府部门.") var kind: String?
        @Option(help: "Contact person.") var contact: String?
        @Option(help: "Contact phone.") var phone: String?
        @Option(help: "Contact e-mail.") var email: String?
        @Flag(inversion: .prefixedNo, help: "Whether it takes proposals.") var active: Bool?

        func apply(to u: inout MemberV1.Unit) {
            if let name { u.name = name }
            if let kind { u.kind = kind }
            if let contact { u.contactPerson = contact }
            if let phone { u.phone = phone }
            if let email { u.email = email }
            if let active { u.active = active }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a handling unit.",
            discussion: "Example: gateway unit add --name 市教育局 --kind 政府部门 --contact 李明 --phone 0937-6212345")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fields: Fields
        func validate() throws { if fields.name == nil { throw ValidationError("--name is required") } }
        func run() async throws { try await runReportingFailures { try await saveUnit(0, fields, connection) } }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a handling unit.", discussion: "Example: gateway unit update 4 --no-active")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The unit's id.") var id: Int64
        @OptionGroup var fields: Fields
        func run() async throws { try await runReportingFailures { try await saveUnit(id, fields, connection) } }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a handling unit.", discussion: "Example: gateway unit get 4")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The unit's id.") var id: Int64
        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.GetUnitRequest()
                request.id = id
                let unit = try await connection.withRegistry { try await $0.call(MemberV1.Units.get, request, options: .read) }
                try showUnits(unit.unit.map { [$0] } ?? [], connection)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List handling units.", discussion: "Example: gateway unit list --all")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Include units that no longer take proposals.") var all = false
        func run() async throws {
            try await runReportingFailures {
                var request = MemberV1.ListUnitsRequest()
                request.includeInactive = all
                let list = try await connection.withRegistry { try await $0.call(MemberV1.Units.list, request, options: .read) }
                try showUnits(list.units, connection)
            }
        }
    }
}

func saveUnit(_ id: Int64, _ fields: UnitCommand.Fields, _ connection: ConnectionOptions) async throws {
    let saved = try await connection.withRegistry { client in
        var unit = MemberV1.Unit()
        unit.active = true
        if id != 0 {
            var get = MemberV1.GetUnitRequest()
            get.id = id
            unit = try await client.call(MemberV1.Units.get, get, options: .read).unit ?? unit
        }
        fields.apply(to: &unit)
        var request = MemberV1.SaveUnitRequest()
        request.unit = unit
        return try await client.call(MemberV1.Units.save, request)
    }
    try showUnits(saved.unit.map { [$0] } ?? [], connection)
}

func showUnits(_ units: [MemberV1.Unit], _ connection: ConnectionOptions) throws {
    if connection.json { return try printJSON(units) }
    var table = Table("id", "名称 name", "类别 kind", "联系人 contact", "电话 phone", "邮箱 e-mail", "状态 active")
    for u in units { table.add(String(u.id), u.name, u.kind, u.contactPerson, u.phone, u.email, u.active ? "承办" : "停用") }
    table.print()
}

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Each reachable service's status, version, uptime and storage.",
        discussion: "Example: gateway health; gateway health --service member-registry (a container's health check)")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Only this service: member-registry, meeting-scheduler, proposal-tracker or notifier.") var service: String?

    func validate() throws {
        if let service, !connection.services.contains(where: { $0.name == service }) {
            throw ValidationError("unknown service \"\(service)\"; known: \(connection.services.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        struct Row: Encodable { let service: String; let endpoint: String; let status: String; let version: String; let uptimeSeconds: Int64; let storage: String }
        var rows: [Row] = []
        var failed = false
        for (name, endpoint) in connection.services where service == nil || service == name {
            do {
                let health = try await connection.withClient(name, endpoint) {
                    try await $0.call(RpcV1.Health.check, RpcV1.HealthCheckRequest(), options: CallOptions(timeout: .seconds(3)))
                }
                rows.append(Row(service: health.service, endpoint: endpoint, status: health.status == .serving ? "serving" : health.status.protoName,
                                version: health.version, uptimeSeconds: health.uptimeMs / 1000,
                                storage: (health.storageOk ? "ok: " : "FAILING: ") + health.storageDetail))
                if !health.storageOk { failed = true }
            } catch let failure as GatewayFailure {
                rows.append(Row(service: name, endpoint: endpoint, status: "unreachable", version: "", uptimeSeconds: 0, storage: failure.error.message))
                failed = true
            }
        }
        if connection.json {
            try printJSON(rows)
        } else {
            var table = Table("服务 service", "地址 endpoint", "状态 status", "版本 version", "运行 uptime", "存储 storage")
            for r in rows { table.add(r.service, r.endpoint, r.status, r.version, r.status == "unreachable" ? "" : "\(r.uptimeSeconds)s", r.storage) }
            table.print()
        }
        if failed { throw ExitCode(4) }
    }
}

struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "The methods a service offers.", discussion: "Example: gateway describe member-registry")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The service: member-registry, meeting-scheduler, proposal-tracker or notifier.") var service: String

    func validate() throws {
        guard connection.services.contains(where: { $0.name == service }) else {
            throw ValidationError("unknown service \"\(service)\"; known: \(connection.services.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        try await runReportingFailures {
            let endpoint = connection.services.first { $0.name == service }!.endpoint
            let described = try await connection.withClient(service, endpoint) {
                try await $0.call(RpcV1.Reflection.describe, RpcV1.DescribeRequest(), options: .read)
            }
            if connection.json { return try printJSON(described) }
            var table = Table("方法 method", "请求 request", "响应 response", "写 mutating")
            for m in described.methods { table.add(m.name, m.requestType, m.responseType, m.mutating ? "yes" : "") }
            table.print()
        }
    }
}
