import ArgumentParser
import Foundation
import XieshangRPC
import XieshangWire

struct RoomCommand: AsyncParsableCommand, RegistryPlace {
    static let configuration = CommandConfiguration(
        commandName: "room", abstract: "Consultation rooms (协商议事室) and their 六有 checklist.",
        subcommands: [PlaceAdd<Self>.self, PlaceUpdate<Self>.self, PlaceGet<Self>.self, List.self])

    static let noun = "consultation room"
    static let examples = (add: "gateway room add --name 新华社区协商议事室 --station 1 --capacity 30 \\\n             --has all",
                           update: "gateway room update 3 --has site,sign,rules", get: "gateway room get 3")

    static let haves = ["site", "sign", "facilities", "rules", "records", "fixed-members"]

    struct Fields: PlaceFields {
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

        func requireForAdd() throws {
            if name == nil { throw ValidationError("--name is required") }
            if station == nil { throw ValidationError("--station is required") }
            if capacity == nil { throw ValidationError("--capacity is required") }
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

    static func get(_ id: Int64, with client: RPCClient) async throws -> MemberV1.Room? {
        var request = MemberV1.GetRoomRequest()
        request.id = id
        return try await client.call(MemberV1.Rooms.get, request, options: .read).room
    }

    static func save(_ room: MemberV1.Room, with client: RPCClient) async throws -> MemberV1.Room? {
        var request = MemberV1.SaveRoomRequest()
        request.room = room
        return try await client.call(MemberV1.Rooms.save, request).room
    }

    static func table(_ rooms: [MemberV1.Room]) -> Table {
        var table = Table("id", "名称 name", "工作站 station", "座位 seats", "六有 six-haves", "下沉委员 members", "地址 address")
        for r in rooms {
            let six = r.sixHaves ?? MemberV1.SixHaves()
            let met = [six.site, six.sign, six.facilities, six.rules, six.records, six.fixedMembers].filter { $0 }.count
            table.add(String(r.id), r.name, String(r.stationID), String(r.capacity), met == 6 ? "六有 ✓" : "\(met)/6",
                      String(r.memberCount), r.address)
        }
        return table
    }
}
