import Logging
import Synchronization

/// A log handler that keeps what it is given, for a test to read what an operator would see
/// (and to keep a test's expected errors out of the run's output).
public final class CapturedLog: LogHandler, Sendable {
    public struct Line: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])

    public init() {}

    /// A logger whose every line, at every level, this keeps.
    public func logger(_ label: String = "test") -> Logger {
        Logger(label: label) { _ in self }
    }

    public var all: [Line] { lines.withLock { $0 } }

    public var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    public var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    public func log(event: LogEvent) {
        let line = Line(level: event.level, message: event.message.description,
                        metadata: (event.metadata ?? [:]).mapValues { "\($0)" })
        lines.withLock { $0.append(line) }
    }
}
