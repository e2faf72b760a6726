/// The one check of an e-mail address, for the registry that stores it and the notifier
/// that hands it to a mail command as an argument.
///
/// Conservative on purpose: `local@domain` with letters, digits and `. _ % + -` in the
/// local part, domain labels of letters, digits and `-` (Chinese domains included), at
/// most 254 bytes; nothing that starts with `-` (a mail command would read it as an
/// option: `--passwordeval=…@x.cn`), no spaces, no control characters, no quotes or shell
/// characters. The notifier also ends the command's options with `--` before the address.
public enum EmailAddress {
    /// Why `text` is not an address we send to, or nil when it is one.
    public static func problem(_ text: String) -> String? {
        if text.utf8.count > 254 { return "is longer than 254 bytes" }
        if text.hasPrefix("-") { return "must not start with \"-\"" }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "must have one @" }
        let local = parts[0], domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64 else { return "needs a name before @ (at most 64 bytes)" }
        guard local.unicodeScalars.allSatisfy({ isLetterOrDigit($0) || "._%+-".unicodeScalars.contains($0) }) else {
            return "may hold only letters, digits and . _ % + - before @"
        }
        if local.hasPrefix(".") || local.hasSuffix(".") || local.contains("..") { return "has a misplaced dot before @" }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return "needs a domain with a dot after @" }
        for label in labels {
            guard !label.isEmpty, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.unicodeScalars.allSatisfy({ isLetterOrDigit($0) || $0 == "-" }) else {
                return "has a domain that is not letters, digits and - between dots"
            }
        }
        return nil
    }

    public static func isValid(_ text: String) -> Bool { problem(text) == nil }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
