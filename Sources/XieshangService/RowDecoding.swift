import GRDB

extension Row {
    /// Every row of `statement`, each decoded by `decode` while SQLite is on it (GRDB's map
    /// cursor), rather than `Row.fetchAll(…).map(decode)`: a copied row (what `fetchAll` and
    /// `fetchOne` return) finds a column by lowercasing every column's name at every lookup —
    /// a meeting's thirty-odd columns read by name made a thousand lowercased strings — while
    /// a cursor's row finds it in an index built once per run.
    public static func decodeAll<T>(_ statement: Statement, arguments: StatementArguments = StatementArguments(),
                                    _ decode: @escaping (Row) throws -> T) throws -> [T] {
        try Array(Row.fetchCursor(statement, arguments: arguments).map(decode))
    }

    /// The first row of `statement`, decoded by `decode`, or nil (see `decodeAll`).
    public static func decodeOne<T>(_ statement: Statement, arguments: StatementArguments = StatementArguments(),
                                    _ decode: @escaping (Row) throws -> T) throws -> T? {
        try Row.fetchCursor(statement, arguments: arguments).map(decode).next()
    }
}
