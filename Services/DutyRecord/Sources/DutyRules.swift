import Foundation
import XieshangLabels
import XieshangWire

/// The committee's scoring rules: for every kind of duty, its name and points. They are the
/// committee's to set (`duty-record --rules FILE`, lines `kind | 名称 | points`); without a
/// file, `standard` (docs/DOMAIN.md, "履职").
public struct DutyRules: Sendable, Equatable {
    public let rules: [DutyV1.Rule]

    /// Every kind there is, in order.
    public static let kinds = DutyV1.DutyKind.allCases.filter { $0 != .unspecified }

    /// Today's rules, written down.
    public static let standard = DutyRules(rules: [
        (.meetingAttended, 2), (.meetingLeave, 0), (.meetingAbsent, -3), (.consultationActivity, 3),
        (.proposalLed, 5), (.proposalCosigned, 1),
        (.opinionSubmitted, 1), (.opinionAdoptedCity, 3), (.opinionAdoptedProvince, 5), (.opinionAdoptedNational, 10), (.opinionInstructed, 5),
        (.plenarySpeech, 5), (.writtenSpeech, 2), (.inspection, 2), (.research, 2), (.researchReport, 3), (.training, 1),
        (.assistance, 2), (.other, 1),
    ].map { (kind: DutyV1.DutyKind, points: Int32) in
        var rule = DutyV1.Rule()
        rule.kind = kind
        rule.name = kind.label
        rule.points = points
        return rule
    })

    public init(rules: [DutyV1.Rule]) {
        self.rules = rules.sorted { $0.kind.rawValue < $1.kind.rawValue }
    }

    public func rule(_ kind: DutyV1.DutyKind) -> DutyV1.Rule {
        rules.first { $0.kind == kind } ?? DutyV1.Rule()
    }

    public func points(_ kind: DutyV1.DutyKind) -> Int32 { rule(kind).points }

    /// The rules as the file writes them: what a version is compared by.
    public var text: String {
        rules.map { "\($0.kind.identifier) | \($0.name) | \($0.points)" }.joined(separator: "\n")
    }

    /// Reads a rules file: one line per kind, `kind | name | points` (the kind by its
    /// identifier or the default name), `#` comments and blank lines ignored; every kind once.
    public static func load(_ path: String) throws -> DutyRules {
        guard let rows = ConfigurationTable.read(path) else {
            throw DutyRulesError(message: "cannot read the rules file \(path)")
        }
        var rules: [DutyV1.Rule] = []
        for row in rows {
            let where_ = "\(path):\(row.line)"
            let parts = row.fields
            guard parts.count == 3 else { throw DutyRulesError(message: "\(where_): write `kind | 名称 | points`") }
            guard let kind = DutyV1.DutyKind(parsing: parts[0]) else {
                throw DutyRulesError(message: "\(where_): unknown kind \"\(parts[0])\"; one of \(kinds.map(\.identifier).joined(separator: ", "))")
            }
            guard !parts[1].isEmpty else { throw DutyRulesError(message: "\(where_): the name must not be empty") }
            guard let points = Int32(parts[2]), (-100...100).contains(points) else {
                throw DutyRulesError(message: "\(where_): points must be a whole number from -100 to 100, not \"\(parts[2])\"")
            }
            guard !rules.contains(where: { $0.kind == kind }) else { throw DutyRulesError(message: "\(where_): \(kind.identifier) is given twice") }
            var rule = DutyV1.Rule()
            rule.kind = kind
            rule.name = parts[1]
            rule.points = points
            rules.append(rule)
        }
        let missing = kinds.filter { kind in !rules.contains { $0.kind == kind } }
        guard missing.isEmpty else {
            throw DutyRulesError(message: "\(path): no rule for \(missing.map(\.identifier).joined(separator: ", ")) (give 0 points to count a kind for nothing)")
        }
        return DutyRules(rules: rules)
    }
}

public struct DutyRulesError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
