import XieshangRPC
import XieshangWire
import XieshangZMQ

/// A SUB socket on one or more services' event sockets (replicas of one), with someone's key
/// or none (a service run insecure): what a consumer, or an attacker, hears.
public final class EventTap: @unchecked Sendable {
    public let name: String
    private let socket: ZMQSocket

    public init(_ name: String = "tap", context: ZMQContext, endpoints: [String], security: ClientSecurity? = nil) throws {
        self.name = name
        socket = try context.socket(.sub)
        try socket.applyHygiene(maxMessageBytes: 4 << 20, lingerMs: 0)
        try socket.set(ZMQOption.subscribe, [UInt8]())
        try security?.apply(to: socket)
        for endpoint in endpoints { try socket.connect(endpoint) }
    }

    /// The events received within `timeout` (all of them, stopping early once `until` holds).
    public func receive(for timeout: Duration, until done: ([EventV1.Event]) -> Bool = { _ in false }) throws -> [EventV1.Event] {
        var events: [EventV1.Event] = []
        var poller = ZMQPoller([.socket(socket)])
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            guard try poller.poll(timeoutMs: 50)[0] else { continue }
            while let frames = try socket.receive() {
                if let last = frames.last, let event = try? EventV1.Event(decoding: last) { events.append(event) }
            }
            if done(events) { break }
        }
        return events
    }

    public func close() { socket.close(linger: 0) }
}

/// A service's whole outbox as `Events/Since` gives it from its first event (an insecure
/// service, or one whose allow-list lets the tests' caller read events).
public func eventsSince(_ endpoint: String) async throws -> EventV1.SinceResponse {
    let client = try testClient([endpoint])
    var request = EventV1.SinceRequest()
    request.afterSequence = 0
    let response = try await client.call(EventV1.Events.since, request, options: .read)
    await client.close()
    return response
}
