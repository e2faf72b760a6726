/// Text for spreadsheets, as staff open it: RFC 4180 records, CRLF line ends. The one
/// writer for the member export and the committee report.
public enum CSV {
    /// A cell, quoted when it holds a comma, a quote or a line break (by scalar: "\r\n" is
    /// one Character, so a Character test would miss it), or starts or ends with a space.
    public static func cell(_ text: String) -> String {
        let special = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard special || text.hasPrefix(" ") || text.hasSuffix(" ") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A record: the cells, quoted where needed, joined by commas, ended by CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }
}
