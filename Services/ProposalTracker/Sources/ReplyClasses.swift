import Foundation
import XieshangLabels
import XieshangWire

/// What the reply classes A–D mean to this committee: localities differ, so the labels and
/// definitions are configuration (`proposal-tracker --reply-classes FILE`), with the common
/// practice as the default. The report prints them beside the counts.
public struct ReplyClasses: Sendable, Equatable {
    public let definitions: [ProposalV1.ReplyClassDefinition]

    /// The common practice: A solved or adopted, B in a plan, C kept for reference, D cannot
    /// be done, with the reason explained.
    public static let standard = ReplyClasses(definitions: [
        definition("A", "解决采纳", "所提问题已经解决或基本解决，建议已被采纳"),
        definition("B", "列入计划", "所提问题已列入工作计划或规划，拟逐步解决"),
        definition("C", "留作参考", "所提问题因条件限制需以后研究解决，留作工作参考"),
        definition("D", "不能解决", "所提问题因政策或条件限制不能解决，已作解释说明"),
    ])

    /// Reads a file of four lines `A | label | definition` (one per class, A to D; blank
    /// lines and lines starting with # are skipped).
    public static func load(_ path: String) throws -> ReplyClasses {
        guard let rows = ConfigurationTable.read(path) else {
            throw ReplyClassesError("cannot read \(path)")
        }
        var found: [String: ProposalV1.ReplyClassDefinition] = [:]
        for row in rows {
            // A definition may itself hold a `|`: everything after the second is the definition.
            var parts = row.fields
            if parts.count > 3 { parts = [parts[0], parts[1], parts[2...].joined(separator: " | ")] }
            guard parts.count == 3, ["A", "B", "C", "D"].contains(parts[0]), !parts[1].isEmpty, !parts[2].isEmpty else {
                throw ReplyClassesError("\(path):\(row.line): write CLASS | LABEL | DEFINITION, the class one of A, B, C, D")
            }
            guard found[parts[0]] == nil else { throw ReplyClassesError("\(path):\(row.line): class \(parts[0]) is defined twice") }
            found[parts[0]] = definition(parts[0], parts[1], parts[2])
        }
        let missing = ["A", "B", "C", "D"].filter { found[$0] == nil }
        guard missing.isEmpty else { throw ReplyClassesError("\(path): no definition of class \(missing.joined(separator: ", "))") }
        return ReplyClasses(definitions: ["A", "B", "C", "D"].compactMap { found[$0] })
    }

    private static func definition(_ name: String, _ label: String, _ text: String) -> ProposalV1.ReplyClassDefinition {
        var d = ProposalV1.ReplyClassDefinition()
        d.name = name
        d.label = label
        d.definition = text
        return d
    }
}

public struct ReplyClassesError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
