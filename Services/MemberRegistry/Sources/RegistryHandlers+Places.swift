import Foundation
import XieshangRPC
import XieshangService
import XieshangLabels
import XieshangWire

extension RegistryHandlers {
    /// Work stations, consultation rooms and handling units.
    static func registerPlaces(into h: inout RPCHandlers, database: ServiceDatabase, outbox: EventOutbox) {
        h.register(MemberV1.Stations.save, mutating: true) { request, context in
            try await database.idempotentSession(context) { db in
                var response = MemberV1.SaveStationResponse()
                response.station = try PlaceStore.saveStation(db, request.station ?? MemberV1.Station())
                return response
            }.reply
        }
        h.register(MemberV1.Stations.get) { request, _ in
            var response = MemberV1.GetStationResponse()
            response.station = try await database.readSession { db in try PlaceStore.station(db, id: request.id) }
            return response
        }
        h.register(MemberV1.Stations.list) { _, _ in
            var response = MemberV1.ListStationsResponse()
            response.stations = try await database.readSession { db in try PlaceStore.stations(db) }
            return response
        }
        h.register(MemberV1.Rooms.save, mutating: true) { request, context in
            try await database.idempotentSession(context) { db in
                var response = MemberV1.SaveRoomResponse()
                let room = try PlaceStore.saveRoom(db, request.room ?? MemberV1.Room())
                response.room = room
                var event = MemberV1.RoomEvent()
                event.room = room
                try outbox.append(DomainEvents.roomSaved, event, in: db, traceID: context.traceID)
                return response
            }.reply
        }
        h.register(MemberV1.Rooms.get) { request, _ in
            var response = MemberV1.GetRoomResponse()
            response.room = try await database.readSession { db in try PlaceStore.room(db, id: request.id) }
            return response
        }
        h.register(MemberV1.Rooms.list) { request, _ in
            var response = MemberV1.ListRoomsResponse()
            response.rooms = try await database.readSession { db in try PlaceStore.rooms(db, station: request.stationID) }
            return response
        }
        h.register(MemberV1.Units.save, mutating: true) { request, context in
            try await database.idempotentSession(context) { db in
                var response = MemberV1.SaveUnitResponse()
                response.unit = try PlaceStore.saveUnit(db, request.unit ?? MemberV1.Unit())
                return response
            }.reply
        }
        h.register(MemberV1.Units.get) { request, context in
            var response = MemberV1.GetUnitResponse()
            response.unit = visibleUnit(try await database.readSession { db in try PlaceStore.unit(db, id: request.id) }, to: context.principal)
            return response
        }
        h.register(MemberV1.Units.list) { request, context in
            var response = MemberV1.ListUnitsResponse()
            response.units = try await database.readSession { db in try PlaceStore.units(db, includeInactive: request.includeInactive) }
                .map { visibleUnit($0, to: context.principal) }
            return response
        }
    }
}
