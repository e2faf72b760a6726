import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

/// Creates (or finds) the rooms and members a run uses, through member-registry.
struct Setup {
    let client: RPCClient
    let log: (String) -> Void

    func fixture(rooms roomCount: Int, members memberCount: Int, useExisting: Bool, horizonDays: Int) async throws -> Fixture {
        // Meetings go from tomorrow (midnight, China time) over the horizon.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let day: Int64 = 86_400_000
        let firstDay = ((now + 8 * 3_600_000) / day + 1) * day - 8 * 3_600_000
        if useExisting {
            let rooms = try await client.call(MemberV1.Rooms.list, MemberV1.ListRoomsRequest(), options: .read).rooms.map(\.id)
            var active = MemberV1.ListMembersRequest()
            active.status = .active
            let members = try await memberIDs(active)
            guard !rooms.isEmpty, members.count >= 2 else {
                throw SetupError("the registry has \(rooms.count) rooms and \(members.count) active members; need a room and two members")
            }
            log("using \(rooms.count) existing rooms and \(members.count) members")
            return Fixture(rooms: rooms, members: members, firstDayMs: firstDay, horizonDays: try await withinTerm(horizonDays, from: firstDay))
        }
        let run = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        let terms = try await client.call(MemberV1.Terms.list, MemberV1.ListTermsRequest(), options: .read).terms
        if !terms.contains(where: \.current) {
            var term = MemberV1.Term()
            term.number = (terms.map(\.number).max() ?? 0) + 1
            term.startDate = "2024-01-01"
            term.endDate = "2099-12-31"
            term.current = true
            var create = MemberV1.CreateTermRequest()
            create.term = term
            _ = try await client.call(MemberV1.Terms.create, create)
            log("created term \(term.number)")
        }
        var station = MemberV1.Station()
        station.name = "负载测试工作站 \(run)"
        var saveStation = MemberV1.SaveStationRequest()
        saveStation.station = station
        let stationID = try await client.call(MemberV1.Stations.save, saveStation).station?.id ?? 0
        var rooms: [Int64] = []
        for index in 1...roomCount {
            var room = MemberV1.Room()
            room.name = "负载测试议事室 \(run)-\(index)"
            room.stationID = stationID
            room.capacity = 50
            var save = MemberV1.SaveRoomRequest()
            save.room = room
            rooms.append(try await client.call(MemberV1.Rooms.save, save).room?.id ?? 0)
        }
        let unit = "负载测试单位\(run)"
        var csv = "member_number,name,sector,work_unit\n"
        for index in 1...memberCount { csv += "LT\(run)-\(index),负载测试委员\(index),经济界,\(unit)\n" }
        var importRequest = MemberV1.ImportMembersRequest()
        importRequest.csv = Array(csv.utf8)
        let imported = try await client.call(MemberV1.Members.import, importRequest, options: CallOptions(timeout: .seconds(120)))
        guard imported.problems.isEmpty else { throw SetupError("the registry refused the load test's members: \(imported.problems.first!.reason)") }
        var imports = MemberV1.ListMembersRequest()
        imports.query = unit
        let members = try await memberIDs(imports)
        log("created station \(stationID), \(rooms.count) rooms and \(members.count) members (run \(run))")
        return Fixture(rooms: rooms, members: members, firstDayMs: firstDay, horizonDays: try await withinTerm(horizonDays, from: firstDay))
    }

    /// The horizon cut to the current term: the scheduler refuses a meeting outside its
    /// term, and a load test measures meetings, not refusals.
    /// The ids of every member the listing finds, page after page.
    private func memberIDs(_ listing: MemberV1.ListMembersRequest) async throws -> [Int64] {
        var list = listing
        list.pageSize = 500
        var members: [Int64] = []
        repeat {
            let page = try await client.call(MemberV1.Members.list, list, options: .read)
            members += page.members.map(\.id)
            list.pageToken = page.nextPageToken
        } while !list.pageToken.isEmpty
        return members
    }

    func withinTerm(_ horizonDays: Int, from firstDay: Int64) async throws -> Int {
        let terms = try await client.call(MemberV1.Terms.list, MemberV1.ListTermsRequest(), options: .read).terms
        guard let current = terms.first(where: \.current) else { throw SetupError("the registry has no current term") }
        guard let end = CommitteeClock.parse(current.endDate) else { return horizonDays }
        let days = Int((end - firstDay) / 86_400_000) + 1
        guard days >= 1 else {
            throw SetupError("the current term \(current.number) ended on \(current.endDate): add the next term (gateway term add --current)")
        }
        if days < horizonDays { log("meetings within term \(current.number): the next \(days) days (it ends on \(current.endDate))") }
        return min(horizonDays, days)
    }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
