/// A plain text table whose columns line up with Chinese (double-width) characters.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    /// Cells are made visible (`Terminal.visible`): a line break or an escape sequence in
    /// a cell would break the table or the terminal.
    mutating func add(_ cells: String...) { add(cells) }
    mutating func add(_ cells: [String]) { rows.append(cells.map { Terminal.visible($0, keepLineBreaks: false) }) }

    var rendered: String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], Self.width(cell))
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - Self.width(cell))
            }.joined(separator: "  ")
        }
        var out = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }

    /// A long text as one cell: its first line, cut to at most `columns` terminal columns
    /// with "…" where anything was left out (a wide character is never split).
    static func clipped(_ text: String, columns: Int) -> String {
        let first = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let cut = first.count < text.count
        if !cut && width(first) <= columns { return first }
        var kept = ""
        var used = 0
        for character in first {
            let w = width(String(character))
            if used + w > columns - 1 { break }
            kept.append(character)
            used += w
        }
        return kept + "…"
    }

    /// Terminal columns a string takes: East Asian wide and fullwidth characters take two,
    /// combining marks and zero-width characters none.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let v = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark
                || v == 0x200B || v == 0x200D || (0xFE00...0xFE0F).contains(v) { return total }
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
                || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
                || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
                || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
                || (0x20000...0x3FFFD).contains(v)
            return total + (wide ? 2 : 1)
        }
    }
}
