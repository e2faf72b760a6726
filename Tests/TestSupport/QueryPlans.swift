import Foundation
import GRDB
import XieshangService

/// The SQL a service's sources write out, planned by SQLite against the service's own schema:
/// a statement that reads a whole table no index serves costs more each year of the
/// committee's data (the sixteenth session found a member's meetings, a proposal's save and
/// the plan's list doing so). A test names the scans it accepts, each for a reason; any other
/// fails it.
public struct QueryPlans {
    /// A statement and the tables SQLite would read from start to end for it.
    public struct Scan: CustomStringConvertible, Sendable {
        public let file: String
        public let sql: String
        public let tables: [String]
        public var description: String { "\(file): scans \(tables.joined(separator: ", ")): \(sql)" }
    }

    /// Plans the statements of the service whose sources are at `folder` (relative to the
    /// repository, e.g. `Services/MeetingScheduler/Sources`; found from the calling test's
    /// file).
    public init(service folder: String, migrations: ServiceMigrations, testFile: String = #filePath) async throws {
        var root = URL(fileURLWithPath: testFile).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path), root.path != "/" {
            root.deleteLastPathComponent()
        }
        try await self.init(sources: root.appendingPathComponent(folder).path, migrations: migrations)
    }

    /// A test's failure message for `scans`.
    public static func report(_ scans: [Scan]) -> String {
        "\(scans.count) statements read a whole table (add an index their terms can use, or accept the scan with its reason):\n"
            + scans.map(\.description).joined(separator: "\n")
    }

    /// How many statements were planned (a test checks it found them).
    public let planned: Int
    /// Those that scan a table, with what they scan.
    public let scans: [Scan]

    /// Plans every statement written out in the Swift files of `folder` (a string literal,
    /// one line or a `"""` block, that begins with SELECT, INSERT, UPDATE, DELETE or WITH and
    /// builds nothing in) against a database migrated with `migrations`. Statements SQLite
    /// cannot prepare there (PostgreSQL's own forms) are passed over.
    public init(sources folder: String, migrations: ServiceMigrations) async throws {
        let database = try ServiceDatabase.inMemory(migrations: migrations)
        let statements = try Self.statements(in: folder)
        (planned, scans) = try await database.read { db -> (Int, [Scan]) in
            let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            var planned = 0
            var scans: [Scan] = []
            for (file, sql) in statements {
                guard let statement = try? db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql) else { continue }
                // Every parameter NULL: the plan does not depend on the values.
                statement.setUncheckedArguments(StatementArguments(Array(repeating: nil as (any DatabaseValueConvertible)?, count: 100)))
                let details = try Row.fetchAll(statement).map { $0["detail"] as String }
                planned += 1
                // "SCAN meetings", "SCAN m USING INDEX …" (the whole index): a table read from
                // start to end; and "SEARCH i USING AUTOMATIC … INDEX", an index SQLite builds
                // by reading the whole table on every run. Other SEARCHes are lookups; a
                // subquery's or a CTE's scan is no table. SQLite names a table by its alias.
                let aliases = Self.aliases(in: sql)
                let scanned = details.compactMap { detail -> String? in
                    let words = detail.split(separator: " ")
                    guard words.count >= 2, words[0] == "SCAN" || (words[0] == "SEARCH" && detail.contains("USING AUTOMATIC")) else { return nil }
                    let table = aliases[String(words[1])] ?? String(words[1])
                    return tables.contains(table) ? table : nil
                }
                if !scanned.isEmpty { scans.append(Scan(file: file, sql: sql, tables: scanned)) }
            }
            return (planned, scans)
        }
    }

    /// The tables a statement names by an alias (`FROM invitees i JOIN meetings AS m`).
    static func aliases(in sql: String) -> [String: String] {
        let notAliases: Set<String> = ["WHERE", "ON", "JOIN", "LEFT", "INNER", "CROSS", "ORDER", "GROUP", "LIMIT", "SET", "USING", "WHEN", "UNION", "VALUES"]
        guard let pattern = try? NSRegularExpression(pattern: #"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)"#, options: [.caseInsensitive]) else { return [:] }
        var aliases: [String: String] = [:]
        for match in pattern.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)) {
            guard let table = Range(match.range(at: 1), in: sql), let alias = Range(match.range(at: 2), in: sql),
                  !notAliases.contains(sql[alias].uppercased()) else { continue }
            aliases[String(sql[alias])] = String(sql[table])
        }
        return aliases
    }

    /// The statements the files of `folder` write out.
    static func statements(in folder: String) throws -> [(file: String, sql: String)] {
        let keywords = ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
        let block = try NSRegularExpression(pattern: #""""\n(.*?)\n[ \t]*""""#, options: [.dotMatchesLineSeparators])
        let line = try NSRegularExpression(pattern: #""((?:SELECT|INSERT|UPDATE|DELETE|WITH) [^"\\]*)""#)
        var found: [(String, String)] = []
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".swift") }.sorted()
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for regex in [block, line] {
                for match in regex.matches(in: text, range: range) {
                    guard let body = Range(match.range(at: 1), in: text) else { continue }
                    let sql = text[body].split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                    guard !sql.contains("\\("), keywords.contains(where: { sql.hasPrefix($0 + " ") }) else { continue }
                    found.append((file, sql))
                }
            }
        }
        return found
    }

    /// The scans not accepted: each accepted scan is named by its table and a piece of its SQL.
    public func unaccepted(_ accepted: [(table: String, sql: String)]) -> [Scan] {
        scans.filter { scan in
            !scan.tables.allSatisfy { table in accepted.contains { $0.table == table && scan.sql.contains($0.sql) } }
        }
    }
}
