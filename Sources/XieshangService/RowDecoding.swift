import GRDB

extension Row {
    /// Every row of `statement`, each decoded by `decode` while SQLite is on it.
    ///
    /// Prefer it to `Row.fetchAll(…).map(decode)` for rows read by column name: a copied row
    /// (what `fetchAll` and `fetchOne` return) finds a column by lowercasing every column's
    /// name at every lookup — a meeting's thirty-odd columns read by name made a thousand
    /// lowercased strings — while a cursor's row finds it in an index built once per run.
    public static func decodeAll<T>(_ statement: Statement, arguments: StatementArguments = StatementArguments(),
                                    _ decode: (Row) throws -> T) throws -> [T] {
        var decoded: [T] = []
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        // A cursor's row lives only as long as the cursor: released early, it resets the
        // statement and the row reads nothing (an optimised build may release it at its last use).
        try withExtendedLifetime(cursor) {
            while let row = try cursor.next() { decoded.append(try decode(row)) }
        }
        return decoded
    }

    /// The first row of `statement`, decoded by `decode`, or nil (see `decodeAll`).
    public static func decodeOne<T>(_ statement: Statement, arguments: StatementArguments = StatementArguments(),
                                    _ decode: (Row) throws -> T) throws -> T? {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        return try withExtendedLifetime(cursor) {
            guard let row = try cursor.next() else { return nil }
            return try decode(row)
        }
    }
}
