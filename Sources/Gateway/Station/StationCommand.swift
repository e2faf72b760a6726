import ArgumentParser
import XieshangRPC
import XieshangWire

struct StationCommand: AsyncParsableCommand, RegistryPlace {
    static let configuration = CommandConfiguration(
        commandName: "station", abstract: "Member work stations (委员工作站).",
        subcommands: [PlaceAdd<Self>.self, PlaceUpdate<Self>.self, PlaceGet<Self>.self, List.self])

    static let noun = "work station"
    static let examples = (add: "gateway station add --name 雄关街道委员工作站 --district 雄关区",
                           update: "gateway station update 1 --address 雄关东路8号", get: "gateway station get 1")

    struct Fields: PlaceFields {
        @Option(help: "Name, e.g. 雄关街道委员工作站.") var name: String?
        @Option(help: "Address.") var address: String?
        @Option(help: "District (区/县).") var district: String?

        func requireForAdd() throws { if name == nil { throw ValidationError("--name is required") } }

        func apply(to s: inout MemberV1.Station) {
            if let name { s.name = name }
            if let address { s.address = address }
            if let district { s.district = district }
        }
    }

    static func get(_ id: Int64, with client: RPCClient) async throws -> MemberV1.Station? {
        var request = MemberV1.GetStationRequest()
        request.id = id
        return try await client.call(MemberV1.Stations.get, request, options: .read).station
    }

    static func save(_ station: MemberV1.Station, with client: RPCClient) async throws -> MemberV1.Station? {
        var request = MemberV1.SaveStationRequest()
        request.station = station
        return try await client.call(MemberV1.Stations.save, request).station
    }

    static func table(_ stations: [MemberV1.Station]) -> Table {
        var table = Table("id", "名称 name", "区县 district", "地址 address")
        for s in stations { table.add(String(s.id), s.name, s.district, s.address) }
        return table
    }
}
