import XieshangRPC
import XieshangService
import XieshangWire

/// The notifier's methods: the inbox, preferences and deliveries, and the events its
/// consumers set aside.
public struct NotifierService: RPCService {
    let database: ServiceDatabase
    let registry: RPCClient
    let configuration: NotifierConfiguration

    public init(database: ServiceDatabase, registry: RPCClient, configuration: NotifierConfiguration) {
        self.database = database
        self.registry = registry
        self.configuration = configuration
    }

    public static var permissions: MethodPermissions { InboxHandlers.permissions }

    public func register(into handlers: inout RPCHandlers) {
        InboxHandlers.register(into: &handlers, database: database)
        DeliveryHandlers.register(into: &handlers, database: database, registry: registry, configuration: configuration)
        EventConsumer.registerSetAside(in: &handlers, database: database)
    }
}
