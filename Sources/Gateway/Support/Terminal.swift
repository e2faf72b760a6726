import Foundation

/// What the gateway writes to a terminal. Text from the services is other people's input
/// (a member's proposal title, a name in an error message): a control character printed
/// raw could move the cursor, retitle the window or rewrite what staff see (ESC and OSC
/// sequences), and a bidirectional override could make text read differently from what it
/// is. So no control character, bidirectional control or zero-width character ever
/// reaches the terminal raw: each is shown as `<U+001B>`.
enum Terminal {
    /// `text` with every such character made visible; line breaks and tabs are kept when
    /// `keepLineBreaks` (whole outputs: CSV, iCalendar, JSON, multi-line messages), and
    /// shown as `↵` and `⇥` otherwise (a table cell must stay on its line).
    static func visible(_ text: String, keepLineBreaks: Bool) -> String {
        guard text.unicodeScalars.contains(where: { hidden($0, keepLineBreaks: keepLineBreaks) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard hidden(scalar, keepLineBreaks: keepLineBreaks) else { out.append(scalar); continue }
            switch scalar {
            case "\n": out.append("↵")
            case "\t": out.append("⇥")
            case "\r": break
            default: out.append(contentsOf: "<U+\(String(format: "%04X", scalar.value))>".unicodeScalars)
            }
        }
        return String(out)
    }

    private static func hidden(_ scalar: Unicode.Scalar, keepLineBreaks: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09, 0x0D: !keepLineBreaks
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0x061C, 0xFEFF: true
        default: false
        }
    }

    /// Writes a message to standard error, made visible.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((visible(text, keepLineBreaks: true) + "\n").utf8))
    }
}

/// Every `print` in the gateway goes through `Terminal.visible` (this shadows the
/// standard library's within the module).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(Terminal.visible(items.map { "\($0)" }.joined(separator: separator), keepLineBreaks: true), terminator: terminator)
}
