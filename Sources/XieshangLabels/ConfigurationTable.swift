import Foundation

/// The one reader of the committee's configuration tables (the reply classes, the duty
/// rules): UTF-8 text, a row a line of fields split by `|` and trimmed; blank lines and lines
/// starting with `#` skipped; a byte-order mark and Windows line ends (a file saved by
/// Notepad) accepted. Each row keeps its line number, for errors that name it.
public enum ConfigurationTable {
    public struct Row: Sendable {
        public let line: Int
        public let fields: [String]
    }

    /// The rows of the file at `path`, or nil when it cannot be read.
    public static func read(_ path: String) -> [Row]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var rows: [Row] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            rows.append(Row(line: index + 1, fields: line.split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }))
        }
        return rows
    }
}
