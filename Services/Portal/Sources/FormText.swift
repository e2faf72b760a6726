/// What the portal does to text as a form posts it, before anything else reads it.
///
/// Text pasted from a word processor or a web page brings characters the person never
/// saw: Word's manual line break (U+000B) and page break (U+000C), NEL (U+0085), and the
/// zero-width space (U+200B) and byte-order mark (U+FEFF) that editors and chat programs
/// leave. The services refuse them (README, "Limits"), and a member
/// cannot find what to delete; so breaks become line breaks and the two invisible marks are
/// dropped. Every other character the services refuse (an escape, a bidirectional override,
/// a zero-width joiner between two names) is left for them to refuse, which the refusal
/// page explains. Passwords and codes are compared, never shown, and are kept as typed.
enum FormText {
    static let keptAsTyped: Set<String> = ["password", "confirm", "current", "code", "t", "csrf"]

    static func cleaned(_ value: String, field: String) -> String {
        guard !keptAsTyped.contains(field),
              value.unicodeScalars.contains(where: { Self.replaced($0) != nil }) else { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch Self.replaced(scalar) {
            case .none: out.append(scalar)
            case .some(let replacement?): out.append(replacement)
            case .some(.none): break
            }
        }
        return String(out)
    }

    /// nil: kept; `.some(nil)`: dropped; `.some(x)`: replaced by x.
    private static func replaced(_ scalar: Unicode.Scalar) -> Unicode.Scalar?? {
        switch scalar.value {
        case 0x0B, 0x0C, 0x85: .some("\n")
        case 0x200B, 0xFEFF: .some(nil)
        default: nil
        }
    }
}
