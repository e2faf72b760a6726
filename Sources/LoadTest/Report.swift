import Foundation
import Histogram

/// The final figures of a run.
struct Report {
    struct Row: Encodable {
        let operation: String
        let completed: Int
        let refusals: Int
        let errors: [String: Int]
        let throughput: Double
        let p50Ms: Double
        let p90Ms: Double
        let p99Ms: Double
        let p999Ms: Double
        let maxMs: Double
        let meanMs: Double
    }

    struct Document: Encodable {
        let mode: String
        let seconds: Double
        let throughput: Double
        let errorRate: Double
        let operations: [Row]
    }

    let document: Document

    init(recorder: Recorder, seconds: Double, mode: String) {
        var rows: [Row] = []
        var all = Recorder.Totals()
        for (name, totals) in recorder.operations.sorted(by: { $0.key < $1.key }) {
            let h = totals.histogram
            func ms(_ p: Double) -> Double { h.totalCount == 0 ? 0 : Double(h.valueAtPercentile(p)) / 1000 }
            rows.append(Row(operation: name, completed: totals.completed, refusals: totals.refusals, errors: totals.errors,
                            throughput: Double(totals.completed) / seconds, p50Ms: ms(50), p90Ms: ms(90), p99Ms: ms(99), p999Ms: ms(99.9),
                            maxMs: h.totalCount == 0 ? 0 : Double(h.max) / 1000, meanMs: h.totalCount == 0 ? 0 : h.mean / 1000))
            all.histogram.add(h)
            all.completed += totals.completed
            for (code, count) in totals.errors { all.errors[code, default: 0] += count }
        }
        let errors = all.errors.values.reduce(0, +)
        let total = all.completed + errors
        document = Document(mode: mode, seconds: seconds, throughput: Double(all.completed) / seconds,
                            errorRate: total == 0 ? 0 : Double(errors) / Double(total), operations: rows)
    }

    func printTable() {
        print("\(document.mode), \(document.seconds) s measured: \(String(format: "%.1f", document.throughput)) ops/s, error rate \(String(format: "%.4f", document.errorRate))")
        let header = ["operation", "done", "ops/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "refusals", "errors"]
        var lines = [header]
        for r in document.operations {
            lines.append([r.operation, String(r.completed), String(format: "%.1f", r.throughput), String(format: "%.2f", r.p50Ms),
                          String(format: "%.2f", r.p90Ms), String(format: "%.2f", r.p99Ms), String(format: "%.2f", r.p999Ms),
                          String(format: "%.2f", r.maxMs), String(r.refusals),
                          r.errors.isEmpty ? "0" : r.errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")])
        }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        for line in lines {
            print(line.enumerated().map { index, cell in
                index == 0 || index == line.count - 1 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  "))
        }
    }

    func printJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(document), as: UTF8.self))
    }

    func violations(maxP99Ms: Double?, minThroughput: Double?, maxErrorRate: Double?) -> [String] {
        var violations: [String] = []
        if let maxP99Ms {
            for r in document.operations where r.p99Ms > maxP99Ms {
                violations.append("\(r.operation) p99 \(String(format: "%.2f", r.p99Ms)) ms > \(maxP99Ms) ms")
            }
        }
        if let minThroughput, document.throughput < minThroughput {
            violations.append("throughput \(String(format: "%.1f", document.throughput))/s < \(minThroughput)/s")
        }
        if let maxErrorRate, document.errorRate > maxErrorRate {
            violations.append("error rate \(String(format: "%.4f", document.errorRate)) > \(maxErrorRate)")
        }
        return violations
    }
}
