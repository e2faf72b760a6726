import Synchronization

/// Keeps a failure that repeats from flooding the log: the first of each kind in a window
/// is logged, the rest are counted and reported with the next one logged. During an outage
/// a service under load refuses hundreds of calls a second with the same reason; the
/// operator needs to hear of it once a second, with how many, not hundreds of times.
final class LogThrottle: Sendable {
    let window: Duration
    private let state = Mutex<[String: (since: ContinuousClock.Instant, suppressed: Int)]>([:])

    init(window: Duration = .seconds(1)) {
        self.window = window
    }

    /// Whether to log an occurrence of `kind` now; if so, also how many of the same kind
    /// were held back since the last one logged.
    func admit(_ kind: String, now: ContinuousClock.Instant = .now) -> (log: Bool, suppressed: Int) {
        state.withLock { kinds in
            if let entry = kinds[kind], now - entry.since < window {
                kinds[kind] = (entry.since, entry.suppressed + 1)
                return (false, 0)
            }
            let suppressed = kinds[kind]?.suppressed ?? 0
            kinds[kind] = (now, 0)
            // Forget kinds that have been quiet for a while, so the table stays small.
            if kinds.count > 256 { kinds = kinds.filter { now - $0.value.since < window * 60 } }
            return (true, suppressed)
        }
    }
}
