import Foundation
import XieshangLabels
import XieshangService
import XieshangWire

/// The member CSV that staff import and export (RFC 4180, UTF-8, a BOM accepted).
///
/// Columns, in export order; `member_number`, `name` and `sector` are required, any other
/// may be left out of an import. Enums take the Chinese label or the English identifier;
/// committees are separated by `;` (or `；`, `、`); `added_during_term` is 是/否.
public enum MemberCSV {
    public static let columns = [
        "member_number", "name", "gender", "ethnicity", "birth_date", "party", "sector",
        "committees", "work_unit", "position", "phone", "email", "role", "status",
        "status_date", "status_reason", "added_during_term", "joined_date",
    ]
    public static let required: Set<String> = ["member_number", "name", "sector"]

    public struct Row: Sendable {
        public var line: Int
        public var member: MemberV1.Member
        public var problems: [(field: String, problem: String)]
        /// The columns the file has; an update leaves the other fields as they are.
        public var columns: Set<String> = []
    }

    public enum ParseError: Error {
        case notUTF8
        case header(String)
    }

    /// Parses a file into members, one per row, with each row's problems in its cells.
    /// Catalog and uniqueness checks are the caller's.
    public static func parse(_ data: [UInt8]) throws(ParseError) -> [Row] {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        let records = records(text)
        guard let header = records.first else { throw .header("the file is empty") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let unknown = names.filter { !columns.contains($0) }
        if !unknown.isEmpty { throw .header("unknown column(s) \(unknown.joined(separator: ", ")); expected \(columns.joined(separator: ","))") }
        let missing = required.subtracting(names)
        if !missing.isEmpty { throw .header("missing required column(s) \(missing.sorted().joined(separator: ", "))") }
        if Set(names).count != names.count { throw .header("a column appears twice") }

        return records.dropFirst().compactMap { record -> Row? in
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { return nil }
            var row = Row(line: record.line, member: MemberV1.Member(), problems: [], columns: Set(names))
            if record.fields.count != names.count {
                row.problems.append(("row", "has \(record.fields.count) fields, the header has \(names.count)"))
                return row
            }
            for (name, raw) in zip(names, record.fields) {
                // A cell the export marked against formula injection comes back as it was.
                let value = CSV.restore(raw.trimmingCharacters(in: .whitespaces))
                if value.contains("\u{0}") {
                    row.problems.append((name, "contains a NUL character"))
                    continue
                }
                // A file is held to the same text rules as a call (WireTextPolicy): no control,
                // bidi or zero-width characters in single-line fields, and their lengths.
                let rule = WireTextPolicy.xieshang.rule(message: MemberV1.Member.wireName, field: name)
                if let refused = WireTextPolicy.refusal(in: value, multiline: rule.multiline) {
                    row.problems.append((name, "holds \(refused)"))
                    continue
                }
                if value.utf8.count > rule.maxBytes {
                    row.problems.append((name, "is \(value.utf8.count) bytes, over its limit of \(rule.maxBytes)"))
                    continue
                }
                assign(name, value, to: &row)
            }
            return row
        }
    }

    private static func assign(_ column: String, _ value: String, to row: inout Row) {
        func parseEnum<E: ChineseLabelled>(_ type: E.Type) -> E? {
            if value.isEmpty { return nil }
            guard let parsed = E(parsing: value) else {
                row.problems.append((column, "\"\(value)\" is not one of \(E.spellings)"))
                return nil
            }
            return parsed
        }
        switch column {
        case "member_number": row.member.memberNumber = value
        case "name": row.member.name = value
        case "gender": if let g = parseEnum(MemberV1.Gender.self) { row.member.gender = g }
        case "ethnicity": row.member.ethnicity = value
        case "birth_date": row.member.birthDate = value
        case "party": row.member.party = value
        case "sector": row.member.sector = value
        case "committees":
            row.member.committees = value.split(whereSeparator: { ";；、".contains($0) })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "work_unit": row.member.workUnit = value
        case "position": row.member.position = value
        case "phone": row.member.phone = value
        case "email": row.member.email = value
        case "role": if let r = parseEnum(MemberV1.Role.self) { row.member.role = r }
        case "status": if let s = parseEnum(MemberV1.MemberStatus.self) { row.member.status = s }
        case "status_date": row.member.statusDate = value
        case "status_reason": row.member.statusReason = value
        case "added_during_term":
            switch value.lowercased() {
            case "", "否", "no", "false", "0": row.member.addedDuringTerm = false
            case "是", "yes", "true", "1": row.member.addedDuringTerm = true
            default: row.problems.append((column, "\"\(value)\" is not 是 or 否"))
            }
        case "joined_date": row.member.joinedDate = value
        default: break
        }
    }

    /// `existing` with the fields of the file's columns taken from `row`.
    public static func merge(_ row: MemberV1.Member, columns: Set<String>, into existing: MemberV1.Member) -> MemberV1.Member {
        var m = existing
        for column in columns {
            switch column {
            case "member_number": m.memberNumber = row.memberNumber
            case "name": m.name = row.name
            case "gender": m.gender = row.gender
            case "ethnicity": m.ethnicity = row.ethnicity
            case "birth_date": m.birthDate = row.birthDate
            case "party": m.party = row.party
            case "sector": m.sector = row.sector
            case "committees": m.committees = row.committees
            case "work_unit": m.workUnit = row.workUnit
            case "position": m.position = row.position
            case "phone": m.phone = row.phone
            case "email": m.email = row.email
            case "role": m.role = row.role
            case "status": m.status = row.status
            case "status_date": m.statusDate = row.statusDate
            case "status_reason": m.statusReason = row.statusReason
            case "added_during_term": m.addedDuringTerm = row.addedDuringTerm
            case "joined_date": m.joinedDate = row.joinedDate
            default: break
            }
        }
        return m
    }

    /// The members as a file with every column, in the order given, that imports unchanged.
    public static func export(_ members: [MemberV1.Member]) -> [UInt8] {
        Array((header + members.map(line).joined()).utf8)
    }

    /// The export's first line: every column's name.
    public static var header: String { columns.joined(separator: ",") + "\r\n" }

    /// One member as a line of the export.
    public static func line(_ m: MemberV1.Member) -> String {
        CSV.line([
            m.memberNumber, m.name, m.gender.label, m.ethnicity, m.birthDate, m.party, m.sector,
            m.committees.joined(separator: ";"), m.workUnit, m.position, m.phone, m.email,
            m.role.label, m.status.label, m.statusDate, m.statusReason, m.addedDuringTerm ? "是" : "否",
            m.joinedDate,
        ])
    }

    /// RFC 4180 records with the line each starts on (quoted fields may span lines).
    static func records(_ text: String) -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var atFieldStart = true
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            records.append((recordLine, fields))
            fields = []
            field = ""
            atFieldStart = true
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.unicodeScalars.append("\"") }
                        else { quoted = false; pending = following }
                    } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                atFieldStart = false
            case ",":
                fields.append(field)
                field = ""
                atFieldStart = true
            case "\r":
                if let following = next(), following != "\n" { pending = following }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(c)
                atFieldStart = false
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
