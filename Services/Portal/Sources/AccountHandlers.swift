import Foundation
import XieshangRPC
import XieshangService
import XieshangWire

/// `portal.v1.Accounts`: the office invites members and units, lists the accounts and
/// disables one at once (docs/ARCHITECTURE.md, "The portal").
public struct AccountHandlers: RPCService {
    let database: ServiceDatabase
    let suite: SuiteLink
    /// The portal's address as people reach it (`https://xieshang.example.cn`), for the link.
    let publicURL: @Sendable () -> String

    public init(database: ServiceDatabase, suite: SuiteLink, publicURL: @escaping @Sendable () -> String) {
        self.database = database
        self.suite = suite
        self.publicURL = publicURL
    }

    public static var permissions: MethodPermissions {
        var p = MethodPermissions()
        p.allow(MethodPermissions.office, PortalV1.Accounts.invite.name, PortalV1.Accounts.list.name, PortalV1.Accounts.setState.name)
        // The portal publishes no events: its (empty) stream is the administrator's alone.
        p.allow([.admin], EventV1.Events.since.name)
        return p
    }

    public func register(into h: inout RPCHandlers) {
        // Not replayed from a stored reply: that would keep the code in the database. A retry
        // makes a new invitation, which voids the one whose reply was lost.
        h.register(PortalV1.Accounts.invite) { request, _ in
            let (kind, subject, name) = try await subject(of: request)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let made = try await database.writeSession { db in
                try AccountStore.invite(db, kind: kind, subject: subject, name: name, now: now)
            }
            var response = PortalV1.InviteResponse()
            response.account = made.account.wire(invitationEnd: made.expiresAtMs)
            var base = publicURL()
            while base.hasSuffix("/") { base.removeLast() }
            response.link = "\(base)/invite?t=\(made.token)"
            response.code = made.code
            response.expiresAtMs = made.expiresAtMs
            return response
        }
        h.register(PortalV1.Accounts.list) { request, _ in
            if case .unrecognized(let value) = request.kind {
                throw RPCError(.invalidArgument, "no account kind \(value)", violations: [RpcV1.FieldViolation(field: "kind", description: "member, unit or unspecified")])
            }
            if case .unrecognized(let value) = request.state {
                throw RPCError(.invalidArgument, "no account state \(value)", violations: [RpcV1.FieldViolation(field: "state", description: "invited, active, disabled or unspecified")])
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var response = PortalV1.ListAccountsResponse()
            response.accounts = try await database.readSession { db in
                try AccountStore.accounts(db, kind: request.kind, state: request.state, now: now)
            }
            return response
        }
        h.register(PortalV1.Accounts.setState, mutating: true) { request, context in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            return try await database.idempotentSession(context) { db -> PortalV1.SetAccountStateResponse in
                guard let account = try AccountStore.setDisabled(db, login: request.login, disabled: request.disabled) else {
                    throw RPCError(.notFound, "no portal account \"\(request.login)\" (gateway portal list)",
                                   violations: [RpcV1.FieldViolation(field: "login", description: "no such account")])
                }
                var response = PortalV1.SetAccountStateResponse()
                response.account = account.wire(invitationEnd: try AccountStore.invitationEnd(db, account: account.id, now: now))
                return response
            }.reply
        }
    }

    /// The member or unit an invitation is for, checked with member-registry on their behalf
    /// (their own record is what they may read).
    private func subject(of request: PortalV1.InviteRequest) async throws -> (PortalV1.AccountKind, Int64, String) {
        switch (request.memberID, request.unitID) {
        case (let member, 0) where member > 0:
            var get = MemberV1.GetMemberRequest()
            get.id = member
            guard let found = try await suite.call(MemberV1.Members.get, get, for: "member:\(member)", read: true).member else {
                throw RPCError(.notFound, "no member \(member)")
            }
            guard found.status == .active else {
                throw RPCError(.failedPrecondition, "member \(member) is not active (\(found.status)); only active members are invited",
                               violations: [RpcV1.FieldViolation(field: "member_id", description: "not active")])
            }
            return (.member, member, found.name)
        case (0, let unit) where unit > 0:
            var get = MemberV1.GetUnitRequest()
            get.id = unit
            guard let found = try await suite.call(MemberV1.Units.get, get, for: "unit:\(unit)", read: true).unit else {
                throw RPCError(.notFound, "no unit \(unit)")
            }
            return (.unit, unit, found.name)
        default:
            throw RPCError(.invalidArgument, "name one member (member_id) or one unit (unit_id)",
                           violations: [RpcV1.FieldViolation(field: "member_id", description: "one of member_id or unit_id, above 0")])
        }
    }
}
