import XieshangWire

/// An error a domain layer can throw from a handler to choose its status code. The one
/// place that maps a service's domain errors to codes is its conformance to this.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

/// The methods a server answers, each with its typed handler.
public struct RPCHandlers: Sendable {
    struct Entry: Sendable {
        let requestType: String
        let responseType: String
        let mutating: Bool
        let invoke: @Sendable ([UInt8], RPCCallContext, WireLimits) async -> Result<[UInt8], RPCError>
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Registers the handler of `method`. `mutating` marks methods that change state (they
    /// are listed as such by Reflection/Describe and are expected to use the idempotency
    /// store); a second registration of the same method replaces the first.
    public mutating func register<Request: WireMessage, Response: WireMessage>(
        _ method: WireMethod<Request, Response>,
        mutating: Bool = false,
        _ handler: @escaping @Sendable (Request, RPCCallContext) async throws -> Response
    ) {
        entries[method.name] = Entry(
            requestType: Request.wireName, responseType: Response.wireName, mutating: mutating
        ) { body, context, limits in
            let request: Request
            do throws(WireError) {
                request = try Request(decoding: body, limits: limits)
            } catch {
                let message = "request body is not a valid \(Request.wireName): \(error.message)"
                guard let field = error.field else { return .failure(RPCError(.invalidArgument, message)) }
                // One field's fault (too long, a forbidden character): name it, as validation does.
                return .failure(RPCError(.invalidArgument, message, violations: [RpcV1.FieldViolation(field: field, description: error.message, reason: error.code.reason)]))
            }
            do {
                return .success(try await handler(request, context).encode())
            } catch let error as RPCError {
                return .failure(error)
            } catch let error as any RPCErrorConvertible {
                return .failure(error.rpcError)
            } catch let error as WireError {
                return .failure(RPCError(.internal, "the reply could not be encoded: \(error.message)"))
            } catch is CancellationError {
                return .failure(RPCError(.cancelled, "the server stopped before the call finished"))
            } catch {
                return .failure(RPCError(.internal, "internal error: \(error)"))
            }
        }
    }

    /// The registered methods, sorted by name.
    public var methods: [RpcV1.MethodInfo] {
        entries.sorted { $0.key < $1.key }.map { name, entry in
            var info = RpcV1.MethodInfo()
            info.name = name
            info.requestType = entry.requestType
            info.responseType = entry.responseType
            info.mutating = entry.mutating
            return info
        }
    }
}

/// One way to be a service: its permission table and its methods, registered into the
/// server's handlers (grpc-swift-2's `RegistrableRPCService` is the model). `ServiceHost`
/// takes one; every method it registers must be in its table, or the server does not start.
public protocol RPCService: Sendable {
    /// Who may call which method (and who reads the events: `event.v1.Events/Since`).
    static var permissions: MethodPermissions { get }
    /// Adds the service's methods to `handlers`.
    func register(into handlers: inout RPCHandlers)
}

extension RPCService {
    /// The service's methods on their own.
    public var handlers: RPCHandlers {
        var handlers = RPCHandlers()
        register(into: &handlers)
        return handlers
    }
}
