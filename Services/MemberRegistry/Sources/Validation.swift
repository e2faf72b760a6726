import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

/// Checks of single values, shared by the RPC handlers and the CSV import.
public enum Check {
    /// A calendar date written `YYYY-MM-DD` that exists.
    public static func isDate(_ text: String) -> Bool { dateProblem(text) == nil }

    /// Why `text` is not a date the registry keeps (YYYY-MM-DD, a real day, 1900–2200),
    /// said as the rest of a sentence that starts with the text: nil when it is one.
    public static func dateProblem(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return "is not a date (YYYY-MM-DD)" }
        let days = [31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= days[month - 1] else { return "is not a day of \(parts[0])-\(parts[1])" }
        guard (1900...2200).contains(year) else { return "is outside the years 1900 to 2200" }
        return nil
    }

    /// A mainland mobile number (11 digits from 1[3-9]) or a landline with its area code
    /// (0931-8123456, 09318123456).
    public static func isPhone(_ text: String) -> Bool {
        let digits = text.replacingOccurrences(of: "-", with: "")
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        if digits.count == 11, digits.hasPrefix("1"), let second = digits.dropFirst().first, "3456789".contains(second) {
            return !text.contains("-")
        }
        return digits.hasPrefix("0") && (10...12).contains(digits.count)
    }

    public static func isEmail(_ text: String) -> Bool { EmailAddress.isValid(text) }
}

/// The rules a member's editable fields must follow. Catalog membership is checked against
/// the lists passed in, so this stays pure.
public struct MemberRules {
    public var sectors: Set<String>
    public var committees: Set<String>

    public init(sectors: Set<String>, committees: Set<String>) {
        self.sectors = sectors
        self.committees = committees
    }

    /// Every problem of the member's editable fields, with field paths under `prefix`.
    /// The most functions one member holds beside their rank (a person chairs a committee,
    /// heads a station and convenes a few rooms, not hundreds).
    public static let maxFunctions = 20

    public func problems(_ m: MemberV1.Member, prefix: String = "member.") -> [(field: String, problem: String)] {
        var problems: [(String, String)] = []
        func add(_ field: String, _ problem: String) { problems.append((prefix + field, problem)) }
        let number = m.memberNumber.trimmingCharacters(in: .whitespaces)
        if number.isEmpty { add("member_number", RPCError.FieldProblem.empty) }
        else if number.count > 32 { add("member_number", "must be at most 32 characters") }
        let name = m.name.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { add("name", RPCError.FieldProblem.empty) }
        else if name.count > 64 { add("name", "must be at most 64 characters") }
        if case .unrecognized(let value) = m.gender { add("gender", "unknown gender \(value)") }
        if !m.birthDate.isEmpty, let problem = Check.dateProblem(m.birthDate) { add("birth_date", "\"\(m.birthDate)\" \(problem)") }
        if m.sector.isEmpty { add("sector", RPCError.FieldProblem.empty) }
        else if !sectors.contains(m.sector) { add("sector", "unknown sector \"\(m.sector)\"") }
        for committee in m.committees where !committees.contains(committee) {
            add("committees", "unknown special committee \"\(committee)\"")
        }
        if Set(m.committees).count != m.committees.count { add("committees", "lists a committee twice") }
        if !m.phone.isEmpty && !Check.isPhone(m.phone) { add("phone", "\"\(m.phone)\" is not a phone number") }
        if !m.email.isEmpty, let problem = EmailAddress.problem(m.email) { add("email", "\"\(m.email)\" is not an e-mail address: it \(problem)") }
        switch m.role {
        case .unrecognized(let value): add("role", "unknown role \(value)")
        default: break
        }
        if !m.joinedDate.isEmpty, let problem = Check.dateProblem(m.joinedDate) { add("joined_date", "\"\(m.joinedDate)\" \(problem)") }
        if !m.statusDate.isEmpty, let problem = Check.dateProblem(m.statusDate) { add("status_date", "\"\(m.statusDate)\" \(problem)") }
        if case .unrecognized(let value) = m.status { add("status", "unknown status \(value)") }
        for (index, function) in m.functions.enumerated() {
            let field = "functions[\(index)]"
            switch function.kind {
            case .committeeDirector, .committeeDeputyDirector:
                if !committees.contains(function.committee) { add(field, "unknown special committee \"\(function.committee)\"") }
            case .stationHead:
                if function.stationID <= 0 { add(field, "name the work station") }
            case .roomConvener, .roomCouncilChair:
                if function.roomID <= 0 { add(field, "name the consultation room") }
            case .unspecified, .unrecognized:
                add(field, "unknown function")
            }
        }
        if Set(m.functions).count != m.functions.count { add("functions", "lists a function twice") }
        if m.functions.count > Self.maxFunctions { add("functions", "at most \(Self.maxFunctions) functions") }
        return problems
    }

    /// The member with its text fields trimmed and its defaults filled in.
    public static func normalized(_ m: MemberV1.Member) -> MemberV1.Member {
        var m = m
        // Identifiers are compared as NFKC: a fullwidth ５００１ typed on a Chinese keyboard
        // and 5001 are one member number, not two people (and likewise a phone number).
        m.memberNumber = m.memberNumber.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        m.name = m.name.trimmingCharacters(in: .whitespaces)
        m.ethnicity = m.ethnicity.trimmingCharacters(in: .whitespaces)
        m.party = m.party.trimmingCharacters(in: .whitespaces)
        m.sector = m.sector.trimmingCharacters(in: .whitespaces)
        // Sorted, as the store returns them, so equal sets compare equal.
        m.committees = m.committees.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.sorted()
        m.workUnit = m.workUnit.trimmingCharacters(in: .whitespaces)
        m.position = m.position.trimmingCharacters(in: .whitespaces)
        m.phone = m.phone.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        m.email = m.email.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        if m.role == .unspecified { m.role = .member }
        if m.status == .unspecified { m.status = .active }
        return m
    }
}
