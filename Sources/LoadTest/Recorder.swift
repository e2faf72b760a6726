import Foundation
import Histogram
import Synchronization
import XieshangRPC
import XieshangWire

/// What happened to the operations of a run: latency histograms (µs) per operation,
/// errors by status code, business refusals (conflicts) apart from errors.
final class Recorder: Sendable {
    struct Totals: Sendable {
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var errors: [String: Int] = [:]
        var refusals = 0
        var completed = 0
    }

    private let state = Mutex<(operations: [String: Totals], interval: Totals, recording: Bool)>(([:], Totals(), false))

    /// Starts counting (after the warm-up).
    func startRecording() { state.withLock { $0.recording = true } }

    func record(_ operation: String, micros: UInt64, outcome: Outcome) {
        state.withLock { state in
            guard state.recording else { return }
            // In place: a histogram taken out of the dictionary and put back would be copied
            // whole (hundreds of kilobytes) on every call.
            Self.add(micros, outcome, to: &state.operations[operation, default: Totals()])
            Self.add(micros, outcome, to: &state.interval)
        }
    }

    private static func add(_ micros: UInt64, _ outcome: Outcome, to totals: inout Totals) {
        switch outcome {
        case .ok:
            _ = totals.histogram.record(max(micros, 1))
            totals.completed += 1
        case .refused:
            _ = totals.histogram.record(max(micros, 1))
            totals.refusals += 1
            totals.completed += 1
        case .error(let code):
            totals.errors[code, default: 0] += 1
        }
    }

    /// The last second's totals, for the progress line; resets them.
    func takeInterval() -> Totals {
        state.withLock { state in
            defer { state.interval = Totals() }
            return state.interval
        }
    }

    var operations: [String: Totals] { state.withLock { $0.operations } }

    enum Outcome: Sendable {
        case ok
        case refused
        case error(String)
    }

    /// A business refusal is the scheduler saying no for a reason of the domain (a room or a
    /// member taken); everything else that is not OK is an error.
    static func outcome(of error: any Error) -> Outcome {
        guard let error = error as? RPCError else { return .error("CLIENT: \(error)") }
        if error.code == .failedPrecondition && error.violations.contains(where: { $0.field.hasSuffix("room_id") || $0.field == "member_ids" }) {
            return .refused
        }
        return .error(error.code.protoName)
    }
}
