import XieshangZMQ

/// Which roles may call which method of one service. Every method a service registers
/// must be in its table (the server refuses to start otherwise), so a new method is never
/// open by accident. Health/Check and Reflection/Describe are open to every caller that
/// authenticated; the runtime's Backup methods to administrators alone, in every service.
public struct MethodPermissions: Sendable {
    private var table: [String: Set<Role>] = [:]
    /// For methods only some services may call: their principal names.
    private var services: [String: Set<String>] = [:]

    public init() {}

    /// Every role that signs in with a key. Not the public: a table names it where it may read.
    public static let everyone = Set(Role.allCases).subtracting([.public])
    /// The secretariat and administrators.
    public static let office: Set<Role> = [.admin, .staff]
    /// The office and the other services.
    public static let officeAndServices: Set<Role> = [.admin, .staff, .service]

    /// Lets `roles` call `methods` (method names, e.g. `"member.v1.Members/Get"`).
    public mutating func allow(_ roles: Set<Role>, _ methods: String...) {
        for method in methods { table[method, default: []].formUnion(roles) }
    }

    /// Lets only the services named (their principal names on the allow-list, e.g.
    /// `notifier`) call `methods` with the service role; other services may not.
    public mutating func allow(services names: Set<String>, _ methods: String...) {
        for method in methods {
            table[method, default: []].insert(.service)
            services[method, default: []].formUnion(names)
        }
    }

    public func allows(_ role: Role, _ method: String) -> Bool {
        if Self.open.contains(method) { return true }
        if Self.administration.contains(method) { return role == .admin }
        return table[method]?.contains(role) ?? false
    }

    /// Whether `principal` may call `method`: its role, and for a method limited to some
    /// services, its name.
    public func allows(_ principal: Principal, _ method: String) -> Bool {
        guard allows(principal.role, method) else { return false }
        if principal.role == .service, !Self.open.contains(method), let names = services[method] {
            return names.contains(principal.name)
        }
        return true
    }

    public func roles(_ method: String) -> Set<Role> {
        Self.open.contains(method) ? Set(Role.allCases) : Self.administration.contains(method) ? [.admin] : table[method] ?? []
    }

    /// Who may call `method`, for a refusal's message: e.g. `admin, service:notifier`.
    public func describe(_ method: String) -> String {
        roles(method).map(\.rawValue).sorted().map { role in
            guard role == Role.service.rawValue, !Self.open.contains(method), let names = services[method] else { return role }
            return names.sorted().map { "service:\($0)" }.joined(separator: ", ")
        }.joined(separator: ", ")
    }

    /// Whether `principal` may read this service's events, live on its event socket or
    /// through `event.v1.Events/Since`: one rule, the table's entry for Since.
    public func mayConsumeEvents(_ principal: Principal) -> Bool {
        allows(principal, Self.eventsMethod)
    }

    /// The method whose entry decides who reads the events.
    public static let eventsMethod = "event.v1.Events/Since"

    /// Methods every authenticated caller may call.
    static let open: Set<String> = ["rpc.v1.Health/Check", "rpc.v1.Reflection/Describe"]

    /// Methods every service has that only administrators may call: a backup holds every
    /// record of the service.
    static let administration: Set<String> = ["rpc.v1.Backup/Take", "rpc.v1.Backup/Read"]

    /// The registered methods that have no entry in this table.
    public func missing(in methods: [String]) -> [String] {
        methods.filter { !Self.open.contains($0) && !Self.administration.contains($0) && table[$0] == nil }.sorted()
    }
}

/// A server's CURVE identity and the ZAP handler that authenticates its clients.
public struct ServerSecurity: Sendable {
    public var keyPair: ZMQCurve.KeyPair
    public var zap: ZAPHandler

    public init(keyPair: ZMQCurve.KeyPair, zap: ZAPHandler) {
        self.keyPair = keyPair
        self.zap = zap
    }

    /// Makes `socket` a CURVE server whose handshakes the ZAP handler decides, and which
    /// refuses every handshake when no ZAP handler answers. Event sockets pass
    /// `ZAPHandler.eventsDomain`, where only the event consumers' keys connect.
    public func apply(to socket: ZMQSocket, domain: String = ZAPHandler.domain) throws(ZMQError) {
        try socket.set(ZMQOption.zapDomain, domain)
        try socket.set(ZMQOption.zapEnforceDomain, Int32(1))
        try socket.curveServer(secretKey: keyPair.secretKey)
    }
}

/// A client's CURVE identity and the public key of the server it calls.
public struct ClientSecurity: Sendable {
    public var keyPair: ZMQCurve.KeyPair
    public var serverKey: String

    public init(keyPair: ZMQCurve.KeyPair, serverKey: String) {
        self.keyPair = keyPair
        self.serverKey = serverKey
    }

    public func apply(to socket: ZMQSocket) throws(ZMQError) {
        try socket.curveClient(publicKey: keyPair.publicKey, secretKey: keyPair.secretKey, serverKey: serverKey)
    }
}
