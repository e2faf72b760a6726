import XieshangWire

/// What a caller may be: the allow-list gives each key one role, and each service's
/// permission table says which roles may call which method.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    /// Operators: everything, including keys and terms.
    case admin
    /// The secretariat's staff: the daily work on members, meetings, proposals, notices.
    case staff
    /// A committee member: their own proposals, leave requests and inbox.
    case member
    /// A handling unit (承办单位): the proposals assigned to it, its inbox.
    case unit
    /// Another Xieshang service calling on its own behalf.
    case service
    /// The web portal: calls only on behalf of the member or unit signed in there, and is
    /// then that member or unit (`Request.on_behalf_of`), never itself.
    case portal
    /// Anyone on the web, not signed in, through the portal (`on_behalf_of` "public"): only
    /// what the committee publishes (stations, rooms, published meetings' public fields,
    /// topics' public notices), and only where a permission table names this role.
    case `public`

    /// The roles a key may have on an allow-list (the public has no key).
    public static let keyed = allCases.filter { $0 != .public }
    public static let spellings = keyed.map(\.rawValue).joined(separator: ", ")
}

/// Who is calling, as authenticated by the transport (never as claimed in the request).
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// The allow-list's name for the key: a user or service name, or for the member and
    /// unit roles the member's or the unit's id.
    public var name: String
    public var role: Role
    /// The program a member's or unit's call came through (`portal`), nil for their own key.
    public var via: String?

    public init(name: String, role: Role, via: String? = nil) {
        self.name = name
        self.role = role
        self.via = via
    }

    /// Whom a portal call is made for (`member:13`, `unit:4`, or `public` for someone not
    /// signed in); nil for any other spelling or role.
    public static func onBehalfOf(_ spelling: String, via: String) -> Principal? {
        if spelling == "public" { return Principal(name: "public", role: .public, via: via) }
        let parts = spelling.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let role = Role(rawValue: String(parts[0])), role == .member || role == .unit,
              let id = Int64(parts[1]), id > 0, String(id) == parts[1] else { return nil }
        return Principal(name: String(id), role: role, via: via)
    }

    /// What an audit trail records as the actor: `member:13`, or `member:13 via portal`.
    public var actor: String { via.map { "\(description) via \($0)" } ?? description }

    /// The principal of every caller when CURVE is off (`--insecure`): whoever can reach
    /// the port, trusted as an administrator.
    public static let local = Principal(name: "local", role: .admin)

    /// `role:name`, e.g. `staff:wang` or `member:42`: unique across roles, what audit
    /// trails and the idempotency store record.
    public var description: String { "\(role.rawValue):\(name)" }

    /// The member this principal is, for the member role.
    public var memberID: Int64? { role == .member ? Int64(name) : nil }
    /// The handling unit this principal is, for the unit role.
    public var unitID: Int64? { role == .unit ? Int64(name) : nil }
    /// Admin and staff act for the office and may act on behalf of members and units.
    public var isOffice: Bool { role == .admin || role == .staff }
}

extension Principal {
    /// The office, the services, and the member `id` themselves may act for member `id`;
    /// anyone else gets `PERMISSION_DENIED` naming `field`.
    public func requireMember(_ id: Int64, field: String) throws(RPCError) {
        if isOffice || role == .service || memberID == id { return }
        throw denied(field, "\(self) may act only for \(ownName), not for member \(id)")
    }

    /// The office, the services, and the unit `id` itself may act for unit `id`.
    public func requireUnit(_ id: Int64, field: String) throws(RPCError) {
        if isOffice || role == .service || unitID == id { return }
        throw denied(field, "\(self) may act only for \(ownName), not for unit \(id)")
    }

    /// The member a request about `requested` (0: unnamed) is scoped to: a member's key, itself
    /// (naming another is `PERMISSION_DENIED`); anyone else, what was asked.
    public func scopedMember(_ requested: Int64, field: String) throws(RPCError) -> Int64 {
        guard let own = memberID else { return requested }
        try requireMember(requested == 0 ? own : requested, field: field)
        return own
    }

    /// The same for a unit's key.
    public func scopedUnit(_ requested: Int64, field: String) throws(RPCError) -> Int64 {
        guard let own = unitID else { return requested }
        try requireUnit(requested == 0 ? own : requested, field: field)
        return own
    }

    private var ownName: String {
        switch role {
        case .member: "member \(name) (itself)"
        case .unit: "unit \(name) (itself)"
        default: "itself"
        }
    }

    private func denied(_ field: String, _ message: String) -> RPCError {
        RPCError(.permissionDenied, message, violations: [RpcV1.FieldViolation(field: field, description: message)])
    }
}
