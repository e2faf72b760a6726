import Foundation
/// Text for spreadsheets, as staff open it: RFC 4180 records, CRLF line ends. The one
/// writer for the member export and the committee report.
public enum CSV {
    /// A cell, quoted when it holds a comma, a quote or a line break (by scalar: "\r\n" is
    /// one Character, so a Character test would miss it), or starts or ends with a space.
    ///
    /// A cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
    /// a tab or a carriage return: OWASP's CSV injection list) is written with a leading
    /// `'`, which spreadsheets show as text; so is a cell that already starts with `'`
    /// followed by one of those or another `'`, so that `restore` can tell the two apart
    /// and every value comes back unchanged.
    public static func cell(_ text: String) -> String {
        let text = neutralised(text)
        let special = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard special || text.hasPrefix(" ") || text.hasSuffix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    private static func needsMark(_ text: String) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return false }
        if formulaStarts.contains(first) { return true }
        guard first == "'", let second = scalars.next() else { return false }
        return formulaStarts.contains(second) || second == "'"
    }

    /// The text as a spreadsheet may safely read it (see `cell`).
    public static func neutralised(_ text: String) -> String {
        needsMark(text) ? "'" + text : text
    }

    /// The inverse of `neutralised`, for a file read back: a leading `'` before a formula
    /// character or another `'` was put there by `cell` and is taken away.
    public static func restore(_ text: String) -> String {
        guard text.hasPrefix("'") else { return text }
        let rest = String(text.unicodeScalars.dropFirst())
        return needsMark(rest) ? rest : text
    }

    /// A record: the cells, quoted where needed, joined by commas, ended by CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }
}
