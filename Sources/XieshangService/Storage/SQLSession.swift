import Foundation
import GRDB
import GRDBSQLite
import Logging
import Synchronization
import XieshangRPC
import XieshangWire

/// Which engine a service's database is on (`--database`).
public enum SQLEngine: String, Sendable {
    case sqlite
    case postgres
}

/// A value bound to a statement or read from a row, the same on both engines.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// What can be bound to a `?` and read back from a column.
public protocol SQLValueConvertible {
    var sqlValue: SQLValue { get }
    /// Nil when the stored value is not one of this type (a programming error: the column's
    /// type is the schema's).
    init?(sqlValue: SQLValue)
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .real(let value): self.init(exactly: value)
        default: return nil
        }
    }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self.init(value)
    }
}

extension Int32: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self.init(exactly: value)
    }
}

extension UInt64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(clamping: self)) }
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self.init(exactly: value)
    }
}

extension Bool: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = value != 0
    }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
    public init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Data: SQLValueConvertible {
    public var sqlValue: SQLValue { .blob([UInt8](self)) }
    public init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self.init(value)
    }
}

extension Array: SQLValueConvertible where Element == UInt8 {
    public var sqlValue: SQLValue { .blob(self) }
    public init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
    public init?(sqlValue: SQLValue) {
        if sqlValue == .null {
            self = .none
        } else if let value = Wrapped(sqlValue: sqlValue) {
            self = .some(value)
        } else {
            return nil
        }
    }
}

/// The columns of a result, by name: one for all its rows.
public final class SQLColumns: Sendable {
    public let names: [String]
    @usableFromInline let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }
}

/// One row of a result, its columns by name.
public struct SQLRow: Sendable {
    public let shape: SQLColumns
    public let values: [SQLValue]

    public init(_ shape: SQLColumns, values: [SQLValue]) {
        self.shape = shape
        self.values = values
    }

    public init(columns: [String], values: [SQLValue]) {
        self.init(SQLColumns(columns), values: values)
    }

    public var columns: [String] { shape.names }

    /// The column's value; a missing column or a value of another type is a programming
    /// error (the SQL and the schema are the code's own) and stops the process.
    /// (Inlinable, so that a store's read is specialised for its type where it is written:
    /// unspecialised, each value read asked the runtime for `Optional<Value>`'s metadata,
    /// 3% of a loaded scheduler's instructions.)
    @inlinable
    public subscript<Value: SQLValueConvertible>(_ name: String) -> Value {
        guard let index = shape.positions[name] else {
            preconditionFailure("no column \(name) in a row of \(columns)")
        }
        return self[index]
    }

    @inlinable
    public subscript<Value: SQLValueConvertible>(_ index: Int) -> Value {
        guard let value = Value(sqlValue: values[index]) else {
            preconditionFailure("column \(columns[index]) holds \(values[index]), not a \(Value.self)")
        }
        return value
    }
}

/// A connection inside a transaction, on either engine: what a store that runs on both
/// SQLite and PostgreSQL writes its SQL against. The SQL is written once for both:
/// `?` placeholders, `ON CONFLICT … DO …`, `COALESCE`, a new row's key through `insert(_:_:returning:)`
/// (SQLite runs `RETURNING` through a temporary table per statement, so a hot path avoids it);
/// where the two differ (the schema, a sequence), the store asks `engine`.
public protocol SQLSession: AnyObject {
    var engine: SQLEngine { get }
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> Int
    /// Runs a query; returns its rows.
    func rows(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> [SQLRow]
    /// Runs an `INSERT` of one row (written without `RETURNING`) into a table whose integer
    /// primary key is `key`, and returns the new row's key: on PostgreSQL the statement is run
    /// with `RETURNING key`; on SQLite, where `key` must be the table's `INTEGER PRIMARY KEY`
    /// (its rowid), it is the row SQLite just inserted. SQLite runs a `RETURNING` clause
    /// through a temporary table it builds and frees for each statement (a tenth of a loaded
    /// scheduler's instructions went to making them), so an insert asks for the rowid.
    func insert(_ sql: String, _ arguments: [any SQLValueConvertible], returning key: String) throws -> Int64
    /// Runs `body` in a savepoint: a throw rolls back what it did and rethrows; the rest
    /// of the transaction stands.
    func savepoint<T>(_ body: () throws -> T) throws -> T
    /// Runs `action` once the transaction commits (not at all if it rolls back).
    func afterCommit(_ action: @escaping @Sendable () -> Void)
}

extension SQLSession {
    @discardableResult
    public func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    public func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }

    /// The first row, or nil.
    public func row(_ sql: String, _ arguments: [any SQLValueConvertible] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    /// The first column of every row.
    @inlinable
    public func column<Value: SQLValueConvertible>(_ sql: String, _ arguments: [any SQLValueConvertible] = [], as type: Value.Type = Value.self) throws -> [Value] {
        try rows(sql, arguments).map { $0[0] as Value }
    }

    /// The first column of the first row, or nil when there is no row (or it is NULL).
    @inlinable
    public func value<Value: SQLValueConvertible>(_ sql: String, _ arguments: [any SQLValueConvertible] = [], as type: Value.Type = Value.self) throws -> Value? {
        guard let row = try row(sql, arguments), let first = row.values.first, first != .null else { return nil }
        return row[0] as Value
    }
}

/// The columns of each cached statement, built once: asking SQLite for the names and
/// hashing them into a `SQLColumns` for every query cost more than some queries' rows (2.6%
/// of the scheduler's CPU under load). A statement is known by its identity, held weakly, so
/// one freed and another made at its address is not taken for it.
final class StatementShapes: Sendable {
    /// Sendable by hand: the statement is only compared by identity, never used.
    private struct Entry: @unchecked Sendable {
        weak var statement: Statement?
        let shape: SQLColumns
    }
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    func shape(of statement: Statement) -> SQLColumns {
        let key = ObjectIdentifier(statement)
        let width = statement.columnCount
        if let entry = entries.withLock({ $0[key] }), entry.statement === statement, entry.shape.names.count == width {
            return entry.shape
        }
        let shape = SQLColumns(statement.columnNames)
        let entry = Entry(statement: statement, shape: shape)
        entries.withLock { entries in
            // Statements go when their connection closes: forget them now and then.
            if entries.count >= 4_096 { entries = entries.filter { $0.value.statement != nil } }
            entries[key] = entry
        }
        return shape
    }
}

/// A GRDB connection as an `SQLSession`: the SQLite side of a store written for both.
public final class SQLiteSession: SQLSession {
    /// The GRDB connection, for the SQLite-only stores.
    public let db: Database

    public init(_ db: Database) { self.db = db }

    /// Every connection's statements' columns, in one place.
    static let shapes = StatementShapes()

    public var engine: SQLEngine { .sqlite }

    @discardableResult
    public func execute(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> Int {
        SQLStatementTally.shared.add()
        let statement = try db.cachedStatement(sql: sql)
        try Self.bind(arguments, to: statement)
        try statement.execute()
        Self.fullScans.check(statement)
        return db.changesCount
    }

    /// Statements that read a whole table, told once each.
    static let fullScans = FullScans()

    public func rows(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> [SQLRow] {
        SQLStatementTally.shared.add()
        let statement = try db.cachedStatement(sql: sql)
        let shape = Self.shapes.shape(of: statement)
        // Read through GRDB's cursor of values (it steps the statement as GRDB does: its
        // checks and errors), each row's values taken by position while SQLite is on it.
        try Self.bind(arguments, to: statement)
        let cursor = try StatementValues.fetchCursor(statement)
        var rows: [SQLRow] = []
        while let row = try cursor.next() {
            rows.append(SQLRow(shape, values: row.values))
        }
        Self.fullScans.check(statement)
        return rows
    }

    public func insert(_ sql: String, _ arguments: [any SQLValueConvertible], returning key: String) throws -> Int64 {
        let changed = try execute(sql, arguments)
        guard changed == 1 else {
            throw RPCError(.internal, "an insert that returns its key wrote \(changed == 0 ? "no row" : "\(changed) rows")")
        }
        return db.lastInsertedRowID
    }

    /// Inside a transaction (a group commit's, where every call takes one), through the
    /// connection's cached statements: GRDB's savepoint compiles its `SAVEPOINT` and `RELEASE`
    /// afresh each time (3% of a loaded scheduler's instructions). Outside one, GRDB's (which
    /// opens a transaction instead).
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        guard db.isInsideTransaction else {
            var result: T?
            try db.inSavepoint {
                result = try body()
                return .commit
            }
            return result!
        }
        try db.cachedStatement(sql: "SAVEPOINT xieshang").execute()
        let result: T
        do {
            result = try body()
        } catch {
            // Undone, and the savepoint released, as GRDB does; the body's error is the one
            // told (a rollback that fails here is a transaction already ended by SQLite).
            do {
                try db.cachedStatement(sql: "ROLLBACK TRANSACTION TO SAVEPOINT xieshang").execute()
                try db.cachedStatement(sql: "RELEASE SAVEPOINT xieshang").execute()
            } catch {}
            throw error
        }
        try db.cachedStatement(sql: "RELEASE SAVEPOINT xieshang").execute()
        return result
    }

    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        db.afterNextTransaction(onCommit: { _ in action() })
    }

    /// Binds `values` to the statement's parameters, in order, straight through SQLite's C API
    /// (a text or blob copied by SQLite, as GRDB binds them): going through GRDB's
    /// `StatementArguments`, every value was boxed twice, mapped by unspecialised generic code
    /// and checked again (a tenth of a loaded scheduler's instructions). GRDB is told the
    /// statement's arguments are set (an empty set, unchecked: it resets the statement and
    /// clears its old bindings), so that running it without arguments only resets it again and
    /// keeps these. A count that does not match the statement's is refused, as GRDB refuses it.
    static func bind(_ values: [any SQLValueConvertible], to statement: Statement) throws {
        let handle = statement.sqliteStatement
        guard Int(sqlite3_bind_parameter_count(handle)) == values.count else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "wrong number of statement arguments: \(values.count)", sql: statement.sql)
        }
        statement.setUncheckedArguments(StatementArguments())
        for (offset, value) in values.enumerated() {
            let index = CInt(offset + 1)
            let code: CInt
            switch value.sqlValue {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let value): code = sqlite3_bind_int64(handle, index, value)
            case .real(let value): code = sqlite3_bind_double(handle, index, value)
            case .text(var value):
                code = value.withUTF8 { text in
                    guard let start = text.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, Self.transient) }
                    return start.withMemoryRebound(to: CChar.self, capacity: text.count) {
                        sqlite3_bind_text(handle, index, $0, CInt(text.count), Self.transient)
                    }
                }
            case .blob(let value):
                // An empty blob is an empty blob (a null pointer would bind NULL).
                code = value.isEmpty ? sqlite3_bind_zeroblob(handle, index, 0)
                    : value.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, CInt($0.count), Self.transient) }
            }
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errstr(code)), sql: statement.sql)
            }
        }
    }

    /// SQLite's "copy the value now" destructor.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}

/// Tells the operator, once a statement, when it read 10,000 rows or more of a table from
/// start to end (SQLite's count of full-scan steps): the sign of a query that no index serves,
/// which costs more as the committee's data grows and which a caller may be able to make the
/// service repeat. Such a query has been a partial index SQLite could not use because the
/// query did not say its condition (`member_id != 0`), or a table keyed for one lookup and
/// searched by another. A listing of a whole table is reported too, once.
///
/// Every such run is counted (the `xieshang_sql_full_scans_total` metric); the first of each
/// statement is logged through the logger the service's host hands in (`report(to:)`). What
/// is found before that (a migration's statements) waits for it.
final class FullScans: Sendable {
    static let threshold: Int32 = 10_000
    private struct State {
        var toldOf: Set<String> = []
        var logger: Logger?
        /// Found before there was a logger: told when one comes.
        var waiting: [(sql: String, steps: Int32)] = []
    }
    private let state = Mutex(State())
    private let runs = Atomic<Int>(0)

    /// How many statements have read a whole table past the threshold (every run, not once each).
    var count: Int { runs.load(ordering: .relaxed) }

    /// Logs what is found from now on, and what was found before, through `logger`.
    func report(to logger: Logger) {
        let waiting = state.withLock { state in
            state.logger = logger
            defer { state.waiting = [] }
            return state.waiting
        }
        for found in waiting { Self.tell(found.sql, steps: found.steps, logger) }
    }

    /// Reads and resets the statement's count; counts it and tells of it if it passed the threshold.
    func check(_ statement: Statement) {
        let steps = sqlite3_stmt_status(statement.sqliteStatement, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1)
        guard steps >= Self.threshold else { return }
        runs.add(1, ordering: .relaxed)
        let sql = Self.shape(of: statement.sql)
        let logger = state.withLock { state -> Logger?? in
            // Bounded: a service has a few hundred statements, and built ones are told by their
            // shape (an IN list of any length is one statement).
            guard state.toldOf.count < 1_000, state.toldOf.insert(sql).inserted else { return .none }
            if state.logger == nil { state.waiting.append((sql, steps)) }
            return .some(state.logger)
        }
        if case .some(.some(let logger)) = logger { Self.tell(sql, steps: steps, logger) }
    }

    private static func tell(_ sql: String, steps: Int32, _ logger: Logger) {
        logger.warning("a statement read \(steps) rows scanning a whole table (an index may be missing; told once a statement)",
                       metadata: ["sql": "\(sql.split(whereSeparator: \.isWhitespace).joined(separator: " "))"])
    }

    /// A statement's text with each list of two or more `?` parameters (an IN list) written `?, …`.
    static func shape(of sql: String) -> String {
        sql.replacing(/\?(\s*,\s*\?)+/, with: "?, …")
    }

    /// Whether `sql` has been told of (for tests).
    func told(_ sql: String) -> Bool { state.withLock { $0.toldOf.contains(Self.shape(of: sql)) } }
}

/// How many statements the service's own code has run through its sessions, on either engine
/// (not the transactions' BEGIN, COMMIT and savepoints): divided by the calls, the SQL a call
/// costs (`xieshang_sql_statements_total`).
final class SQLStatementTally: Sendable {
    static let shared = SQLStatementTally()
    private let runs = Atomic<Int>(0)

    func add() { runs.add(1, ordering: .relaxed) }
    var count: Int { runs.load(ordering: .relaxed) }
}

/// All the columns of the row SQLite is on, read straight off the statement: the element of
/// GRDB's fast cursor (`FastDatabaseValueCursor`), which steps a statement as GRDB's other
/// cursors do but makes no `Row`. Each fetch through a `Row` cursor built a dictionary of the
/// statement's lower-cased column names (3.6% of a loaded scheduler's CPU), which
/// `StatementShapes` already keeps once, and each value went through `DatabaseValue` (a blob
/// through `Data` and a second copy).
fileprivate struct StatementValues: DatabaseValueConvertible, StatementColumnConvertible {
    let values: [SQLValue]

    static func fromStatement(_ statement: SQLiteStatement, atUncheckedIndex index: CInt) -> StatementValues? {
        let width = sqlite3_column_count(statement)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(width))
        for column in 0..<width {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                values.append(.integer(sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT:
                values.append(.real(sqlite3_column_double(statement, column)))
            case SQLITE_TEXT:
                // Text first, then its length in bytes (SQLite's order for a value it may convert).
                let text = sqlite3_column_text(statement, column)
                let count = Int(sqlite3_column_bytes(statement, column))
                values.append(.text(text.map { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) } ?? ""))
            case SQLITE_BLOB:
                let bytes = sqlite3_column_blob(statement, column)
                let count = Int(sqlite3_column_bytes(statement, column))
                values.append(.blob(bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []))
            default:
                values.append(.null)
            }
        }
        return StatementValues(values: values)
    }

    // Read only by the fast cursor above (hence private to this file): never from a
    // `DatabaseValue`, never bound (its `databaseValue` is NULL).
    init?(sqliteStatement: SQLiteStatement, index: CInt) {
        guard let row = Self.fromStatement(sqliteStatement, atUncheckedIndex: index) else { return nil }
        self = row
    }

    init(values: [SQLValue]) { self.values = values }

    var databaseValue: DatabaseValue { .null }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StatementValues? { nil }
}

extension SQLValue {
    /// A value SQLite stored.
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let value): self = .integer(value)
        case .double(let value): self = .real(value)
        case .string(let value): self = .text(value)
        case .blob(let value): self = .blob([UInt8](value))
        }
    }
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
    public init?(sqlValue: SQLValue) { self = sqlValue }
}

/// `?, ?, ?` for `count` values (an `IN (…)` list).
public func sqlPlaceholders(count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

extension SQLSession {
    /// Holds a lock named `name` until the transaction ends: replicas on PostgreSQL changing
    /// the same thing (a service's terms, its rules) take turns, each seeing what the other
    /// committed. On SQLite, whose one writer already takes turns, nothing.
    public func serialize(_ name: String) throws {
        guard engine == .postgres else { return }
        try execute("SELECT pg_advisory_xact_lock(hashtext(?))", [name])
    }

    /// Runs `body`, whose failure the caller handles and goes on from (a unique index
    /// refusing a drawn code): in a savepoint on PostgreSQL, where a refused statement spoils
    /// the transaction; as it is on SQLite, where it does not.
    public func guarded<T>(_ body: () throws -> T) throws -> T {
        engine == .postgres ? try savepoint(body) : try body()
    }
}

/// A constraint a statement broke, on either engine.
public struct SQLConstraint {
    public let unique: Bool
    /// PostgreSQL's constraint name, or SQLite's message (which names the columns).
    public let description: String

    public init?(_ error: any Error) {
        if let error = error as? PostgresError, error.sqlState == "23505" {
            unique = true
            description = error.constraint ?? error.message
        } else if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            unique = error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
            description = error.message ?? ""
        } else {
            return nil
        }
    }

    /// A unique index's refusal: PostgreSQL names the index, SQLite the column.
    public func isUnique(named index: String, column: String) -> Bool {
        unique && (description == index || description.contains(column))
    }
}
