import Foundation
import XieshangRPC
import XieshangService
import XieshangLabels
import XieshangWire

/// The registry's RPC methods over its store. Mutations run once per request id, write an
/// audit entry and an outbox event in the same transaction.
public struct RegistryHandlers: RPCService {
    let database: ServiceDatabase
    let outbox: EventOutbox

    public init(database: ServiceDatabase, outbox: EventOutbox) {
        self.database = database
        self.outbox = outbox
    }

    /// Who may call what (docs/ARCHITECTURE.md, "Security"). The directory (terms, lists, stations,
    /// rooms, units) is readable by every authenticated caller; members' records by the
    /// office, the services, and each member for their own; changes by the office only.
    public static var permissions: MethodPermissions {
        var p = MethodPermissions()
        p.allow(MethodPermissions.everyone,
                MemberV1.Terms.list.name, MemberV1.Catalog.list.name, MemberV1.Stations.get.name, MemberV1.Stations.list.name,
                MemberV1.Rooms.get.name, MemberV1.Rooms.list.name, MemberV1.Units.get.name, MemberV1.Units.list.name)
        // The public (through the portal) reads where the committee's rooms and stations are.
        p.allow([.public], MemberV1.Stations.get.name, MemberV1.Stations.list.name, MemberV1.Rooms.get.name, MemberV1.Rooms.list.name)
        p.allow(MethodPermissions.officeAndServices.union([.member]), MemberV1.Members.get.name)
        p.allow(MethodPermissions.officeAndServices,
                MemberV1.Members.list.name, MemberV1.Members.batchGet.name, MemberV1.Members.resolveGroup.name)
        p.allow(MethodPermissions.office,
                MemberV1.Members.export.name, MemberV1.Members.history.name,
                MemberV1.Members.create.name, MemberV1.Members.update.name, MemberV1.Members.changeStatus.name,
                MemberV1.Members.requestResignation.name, MemberV1.Members.decide.name,
                MemberV1.Members.assignRoom.name, MemberV1.Members.unassignRoom.name, MemberV1.Members.import.name,
                MemberV1.Catalog.add.name, MemberV1.Terms.create.name, MemberV1.Terms.setCurrent.name,
                MemberV1.Stations.save.name, MemberV1.Rooms.save.name, MemberV1.Units.save.name)
        // The events carry what the methods guard (non-public proposals among them): only
        // their consumers, the notifier and the duty record, read them, not every service's key.
        p.allow([.admin], EventV1.Events.since.name)
        // meeting-scheduler keeps the directory and the members it invites in a read model.
        p.allow(services: ["notifier", "duty-record", "meeting-scheduler"], EventV1.Events.since.name)
        return p
    }

    /// A unit as `principal` reads it: its name, kind and whether it is active are the
    /// directory; its contact person, phone and e-mail (a civil servant's own) are for the
    /// office, the services and the unit itself.
    static func visibleUnit(_ unit: MemberV1.Unit, to principal: Principal) -> MemberV1.Unit {
        if principal.isOffice || principal.role == .service || principal.unitID == unit.id { return unit }
        var visible = unit
        visible.contactPerson = ""
        visible.phone = ""
        visible.email = ""
        return visible
    }

    public func register(into h: inout RPCHandlers) {
        Self.registerMembers(into: &h, database: database, outbox: outbox)
        Self.registerDecisions(into: &h, database: database, outbox: outbox)
        Self.registerCatalogs(into: &h, database: database, outbox: outbox)
        Self.registerPlaces(into: &h, database: database, outbox: outbox)
    }

    /// The audit entry and the outbox event of one change to a member.
    static func record(
        _ db: any SQLSession, _ outbox: EventOutbox, _ context: RPCCallContext, _ type: WireEvent<MemberV1.MemberEvent>, _ member: MemberV1.Member,
        action: String, reason: String = "", room: Int64 = 0, changes: [MemberV1.FieldChange]
    ) throws {
        try MemberStore.audit(db, member: member.id, actor: context.principal.actor, action: action, reason: reason, changes: changes)
        var event = MemberV1.MemberEvent()
        event.member = member
        event.roomID = room
        event.reason = reason
        try outbox.append(type, event, in: db, traceID: context.traceID)
    }
}
