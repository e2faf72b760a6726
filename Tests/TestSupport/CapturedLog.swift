import Logging
import Synchronization

/// Keeps what a logger is given, for a test to read what an operator would see (and to keep a
/// test's expected errors out of the run's output).
public final class CapturedLog: Sendable {
    public struct Line: Sendable {
        public let level: Logger.Level
        public let message: String
        /// The logger's metadata (`logger[metadataKey:]`, as `Logger.with(context)` sets it)
        /// and the line's own, the line's winning.
        public let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    public init() {}

    /// A logger whose every line, at every level, this keeps.
    public func logger(_ label: String = "test") -> Logger {
        Logger(label: label) { _ in Handler(log: self) }
    }

    public var all: [Line] { lines.withLock { $0 } }

    fileprivate func keep(_ line: Line) { lines.withLock { $0.append(line) } }

    /// A value, as log handlers are: a logger's copy keeps its own metadata.
    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, line in line }
            log.keep(Line(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
