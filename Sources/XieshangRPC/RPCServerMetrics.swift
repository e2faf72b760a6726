import Synchronization
import XieshangWire

/// Counters a server keeps: requests by method and status, in-flight work, latency, and
/// frames dropped because they could not be answered.
public final class RPCServerMetrics: Sendable {
    /// Upper bounds of the latency buckets, in microseconds (the last bucket is open).
    public static let latencyBucketsMicros: [Int] = (0..<20).map { 50 << $0 }

    public struct Snapshot: Sendable {
        /// Completed requests, by method then status code name.
        public var requests: [String: [String: Int]]
        public var inFlight: Int
        public var droppedFrames: Int
        /// Replies that could not be sent (the caller had gone).
        public var undeliveredReplies: Int
        /// Counts per bucket of `latencyBucketsMicros`, plus one for longer.
        public var latencyBuckets: [Int]

        public func count(_ method: String, _ code: StatusCode) -> Int {
            requests[method]?[code.protoName] ?? 0
        }

        /// The latency under which a fraction (0…1) of requests finished, in microseconds.
        public func latencyQuantileMicros(_ q: Double) -> Int? {
            let total = latencyBuckets.reduce(0, +)
            guard total > 0 else { return nil }
            var seen = 0
            for (index, count) in latencyBuckets.enumerated() {
                seen += count
                if Double(seen) >= q * Double(total) {
                    return index < RPCServerMetrics.latencyBucketsMicros.count ? RPCServerMetrics.latencyBucketsMicros[index] : Int.max
                }
            }
            return Int.max
        }
    }

    private struct State {
        var requests: [String: [String: Int]] = [:]
        var droppedFrames = 0
        var undeliveredReplies = 0
        var latencyBuckets = [Int](repeating: 0, count: RPCServerMetrics.latencyBucketsMicros.count + 1)
    }

    private let state = Mutex(State())
    let inFlight = Atomic<Int>(0)
    /// The request bodies' bytes in flight.
    let inFlightBytes = Atomic<Int>(0)
    /// Told of every request served (a metrics exporter's counters and histograms).
    private let observer = Mutex<(any RPCRequestObserver)?>(nil)

    public init() {}

    /// The name requests for methods the server does not have are counted under.
    public static let unregisteredMethod = "(unregistered)"

    /// Tells `observer` of every request served from now on.
    public func observe(with observer: any RPCRequestObserver) {
        self.observer.withLock { $0 = observer }
    }

    func record(method: String, code: StatusCode, latency: Duration) {
        let micros = Int(latency.components.seconds) * 1_000_000 + Int(latency.components.attoseconds / 1_000_000_000_000)
        let bucket = Self.latencyBucketsMicros.firstIndex { micros <= $0 } ?? Self.latencyBucketsMicros.count
        state.withLock {
            $0.requests[method, default: [:]][code.protoName, default: 0] += 1
            $0.latencyBuckets[bucket] += 1
        }
        observer.withLock { $0 }?.served(method: method, code: code, latency: latency)
    }

    func droppedFrame() { state.withLock { $0.droppedFrames += 1 } }
    func undeliveredReply() { state.withLock { $0.undeliveredReplies += 1 } }

    public func snapshot() -> Snapshot {
        state.withLock {
            Snapshot(
                requests: $0.requests, inFlight: inFlight.load(ordering: .relaxed),
                droppedFrames: $0.droppedFrames, undeliveredReplies: $0.undeliveredReplies,
                latencyBuckets: $0.latencyBuckets)
        }
    }
}

/// Hears of each request a server served: its method, status and how long it took.
public protocol RPCRequestObserver: Sendable {
    func served(method: String, code: StatusCode, latency: Duration)
}
