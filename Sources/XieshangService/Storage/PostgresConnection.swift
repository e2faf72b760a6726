import CPostgres
import Foundation
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// One connection to PostgreSQL through libpq (loaded on first use). Used by one thread at a
/// time: a `PostgresPool` lane owns it.
final class PostgresConnection: @unchecked Sendable {
    private var handle: UnsafeMutableRawPointer?
    /// The database and server it is connected to, without credentials.
    let description: String
    /// Placeholder-translated SQL, by the SQL as written.
    private var translated: [String: String] = [:]
    /// The statements prepared on this connection (parsed and planned once), by the SQL as
    /// written: the stores run the same few hundred statements over and over.
    private var prepared: [String: String] = [:]
    /// The most statements kept prepared on one connection.
    static let maxPrepared = 1000

    init(url: String) throws(PostgresError) {
        var error = [CChar](repeating: 0, count: 512)
        guard let handle = xs_pq_connect(url, &error, error.count) else {
            throw PostgresError(connection: String(cCharacters: error))
        }
        self.handle = handle
        var described = [CChar](repeating: 0, count: 256)
        xs_pq_describe(handle, &described, described.count)
        description = String(cCharacters: described)
    }

    deinit { if let handle { xs_pq_finish(handle) } }

    /// False once the server went away or the connection broke: the lane opens a new one.
    var isUsable: Bool { handle.map { xs_pq_connection_ok($0) != 0 } ?? false }

    /// Runs one statement with `?` placeholders; returns its rows (empty for a command)
    /// and how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ arguments: [SQLValue] = []) throws(PostgresError) -> (rows: [SQLRow], changed: Int) {
        guard let handle else { throw PostgresError(connection: "the connection is closed") }
        let statement = translate(sql)
        // Text for every parameter but bytes, which go as they are (binary).
        var texts: [[CChar]?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for argument in arguments {
            switch argument {
            case .null: texts.append(nil); lengths.append(0); formats.append(0)
            case .integer(let value): texts.append(Array(String(value).utf8CString)); lengths.append(0); formats.append(0)
            case .real(let value): texts.append(Array("\(value)".utf8CString)); lengths.append(0); formats.append(0)
            case .text(let value): texts.append(Array(value.utf8CString)); lengths.append(0); formats.append(0)
            case .blob(let value):
                texts.append(value.map { CChar(bitPattern: $0) } + [0])
                lengths.append(Int32(value.count)); formats.append(1)
            }
        }
        let name = try preparedName(sql, statement, count: arguments.count)
        let result: UnsafeMutableRawPointer? = Self.withPointers(texts) { pointers in
            if let name {
                xs_pq_exec_prepared(handle, name, Int32(arguments.count), pointers, lengths, formats)
            } else {
                xs_pq_exec(handle, statement, Int32(arguments.count), pointers, lengths, formats)
            }
        }
        return try collect(result)
    }

    /// The name `sql` is prepared under on this connection, preparing it the first time; nil
    /// for what is not prepared (transaction control, and anything once the cache is full).
    private func preparedName(_ sql: String, _ statement: String, count: Int) throws(PostgresError) -> String? {
        if let name = prepared[sql] { return name }
        let verb = statement.prefix(7).uppercased()
        guard ["SELECT ", "INSERT ", "UPDATE ", "DELETE ", "WITH "].contains(where: { verb.hasPrefix($0) }) || (verb.hasPrefix("WITH") && verb.count >= 4),
              prepared.count < Self.maxPrepared, let handle else { return nil }
        let name = "x\(prepared.count + 1)"
        _ = try collect(xs_pq_prepare(handle, name, statement, Int32(count)))
        prepared[sql] = name
        return name
    }

    /// Runs a script of several statements without parameters (a migration).
    func script(_ sql: String) throws(PostgresError) {
        guard let handle else { throw PostgresError(connection: "the connection is closed") }
        _ = try collect(xs_pq_exec_script(handle, sql))
    }

    private func collect(_ result: UnsafeMutableRawPointer?) throws(PostgresError) -> (rows: [SQLRow], changed: Int) {
        guard let result else {
            throw PostgresError(connection: handle.map { String(cString: xs_pq_connection_error($0)) } ?? "no connection")
        }
        defer { xs_pq_clear(result) }
        switch xs_pq_result_kind(result) {
        case 1:
            return ([], xs_pq_affected(result))
        case 2:
            return (try Self.rows(result), xs_pq_affected(result))
        default:
            func field(_ code: Character) -> String? {
                xs_pq_result_field(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            let message = field("M") ?? String(cString: xs_pq_result_message(result)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresError(sqlState: field("C"), message: message, detail: field("D"), constraint: field("n"),
                                connectionLost: !isUsable)
        }
    }

    /// Rows in libpq's binary format, by column type.
    private static func rows(_ result: UnsafeMutableRawPointer) throws(PostgresError) -> [SQLRow] {
        let count = Int(xs_pq_columns(result))
        let columns = (0..<count).map { String(cString: xs_pq_column_name(result, Int32($0))) }
        let shape = SQLColumns(columns)
        let types = (0..<count).map { xs_pq_column_type(result, Int32($0)) }
        var rows: [SQLRow] = []
        let rowCount = Int(xs_pq_rows(result))
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for column in 0..<Int32(count) {
                if xs_pq_is_null(result, row, column) != 0 {
                    values.append(.null)
                    continue
                }
                let length = Int(xs_pq_length(result, row, column))
                let bytes = UnsafeRawBufferPointer(start: xs_pq_value(result, row, column), count: length)
                values.append(try value(bytes, type: types[Int(column)], column: columns[Int(column)]))
            }
            rows.append(SQLRow(shape, values: values))
        }
        return rows
    }

    private static func value(_ bytes: UnsafeRawBufferPointer, type: UInt32, column: String) throws(PostgresError) -> SQLValue {
        func integer() -> Int64 {
            // Big-endian, sign-extended from its width.
            let shift = Int64(64 - 8 * bytes.count)
            return (bytes.reduce(Int64(0)) { ($0 << 8) | Int64($1) } << shift) >> shift
        }
        switch type {
        case 16: return .integer(bytes.first == 0 ? 0 : 1)                  // bool
        case 20, 21, 23: return .integer(integer())                          // int8, int2, int4
        case 700: return .real(Double(Float(bitPattern: UInt32(truncatingIfNeeded: integer()))))
        case 701: return .real(Double(bitPattern: UInt64(bitPattern: integer())))
        case 17: return .blob([UInt8](bytes))                                // bytea
        case 2278: return .null                                              // void
        case 25, 1043, 19, 1042, 2275: return .text(String(decoding: bytes, as: UTF8.self))
        default:
            throw PostgresError(sqlState: nil, message: "column \(column) is of PostgreSQL type \(type), which the stores do not read (cast it to bigint, float8, text or bytea)",
                                detail: nil, constraint: nil, connectionLost: false)
        }
    }

    /// `?` placeholders become `$1`, `$2`… (not inside quotes).
    private func translate(_ sql: String) -> String {
        if let done = translated[sql] { return done }
        var output = ""
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                output.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                output.append(character)
            } else if character == "?" {
                number += 1
                output += "$\(number)"
            } else {
                output.append(character)
            }
        }
        if translated.count > 500 { translated.removeAll() }
        translated[sql] = output
        return output
    }

    private static func withPointers<R>(_ texts: [[CChar]?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        // Copies that live until body returns.
        let copies: [UnsafeMutablePointer<CChar>?] = texts.map { text in
            guard let text else { return nil }
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: text.count)
            copy.initialize(from: text, count: text.count)
            return copy
        }
        defer { copies.forEach { $0?.deallocate() } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

/// A PostgreSQL failure: the server's SQLSTATE and message, or a connection that could
/// not be made or broke.
public struct PostgresError: Error, CustomStringConvertible, RPCErrorConvertible {
    public let sqlState: String?
    public let message: String
    public let detail: String?
    /// The constraint a violation names.
    public let constraint: String?
    /// The server could not be reached, or the connection broke.
    public let connectionLost: Bool

    init(sqlState: String?, message: String, detail: String?, constraint: String?, connectionLost: Bool) {
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
        self.connectionLost = connectionLost
    }

    init(connection reason: String) {
        self.init(sqlState: nil, message: reason.trimmingCharacters(in: .whitespacesAndNewlines), detail: nil, constraint: nil, connectionLost: true)
    }

    public var description: String {
        "\(message)\(sqlState.map { " (SQLSTATE \($0))" } ?? "")\(detail.map { ": \($0)" } ?? "")"
    }

    /// A unique or primary-key violation of `constraint`.
    public func isUniqueViolation(of constraint: String) -> Bool {
        sqlState == "23505" && self.constraint == constraint
    }

    /// The server is away, restarting or cannot take the transaction now: a retry may pass.
    public var isTransient: Bool {
        if connectionLost { return true }
        guard let sqlState else { return false }
        // 08: connection; 40001 serialization, 40P01 deadlock; 57P01-03 shutdown/restart;
        // 53300 too many connections.
        return sqlState.hasPrefix("08") || ["40001", "40P01", "57P01", "57P02", "57P03", "53300"].contains(sqlState)
    }

    /// What a caller is told. The server's own text (a host, a socket path, a role) is the
    /// operator's, not a caller's: it stays out of these messages and shows in health
    /// (`ServiceDatabase.healthCheck`); anything unexpected becomes INTERNAL, which the RPC
    /// server replaces with an incident number and logs whole.
    public var rpcError: RPCError {
        if isTransient {
            return RPCError(.unavailable, "the service's database is unavailable; try again (a retry with the same request id applies once)")
        }
        switch sqlState {
        case "53100", "53200":
            return RPCError(.resourceExhausted, "the service's database is out of space or memory; nothing was written")
        case "25006":
            return RPCError(.unavailable, "the service's database is read-only; nothing was written")
        case "23505", "23P01":
            // A store checks before it writes; a constraint that still refuses is a change
            // committed on another replica in between. Asked again, the store sees it.
            return RPCError(.aborted, "a change to the same record was committed at the same moment; nothing was written: try again")
        default:
            return RPCError(.internal, "storage error: \(description)")
        }
    }
}
