import CProtobufC
import CXieshangProto
import Synchronization

/// What one string field may hold.
public struct WireTextRule: Sendable, Hashable {
    /// The most UTF-8 bytes (a Chinese character is three).
    public var maxBytes: Int
    /// Whether line breaks and tabs are allowed (a proposal's body); single-line text (a
    /// name, a title, a number) refuses every control character and zero-width character.
    public var multiline: Bool

    public init(maxBytes: Int, multiline: Bool = false) {
        self.maxBytes = maxBytes
        self.multiline = multiline
    }

    public static func singleLine(_ maxBytes: Int) -> WireTextRule { WireTextRule(maxBytes: maxBytes) }
    public static func multiline(_ maxBytes: Int) -> WireTextRule { WireTextRule(maxBytes: maxBytes, multiline: true) }
}

/// The text rules of every string field a caller may send: a default for fields not named,
/// and rules by field name (`body`) or by message and field (`xieshang.proposal.v1.Proposal.body`,
/// which wins). The wire scanner applies it while it walks the bytes, before anything is
/// decoded, so a refused field costs no allocation and reaches no handler.
///
/// Whatever the rule, no string may hold C1 control characters (U+0080–U+009F) or the
/// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make text read
/// differently from what it is. Single-line fields also refuse C0 controls and DEL (escape
/// sequences, line breaks that break every table), the bidirectional marks U+200E, U+200F
/// and U+061C, and the zero-width characters U+200B–U+200D, U+2060 and U+FEFF that make two
/// names look alike. Multi-line fields allow tab, line feed and carriage return only.
public struct WireTextPolicy: Sendable, Hashable {
    public let singleLine: WireTextRule
    public let fields: [String: WireTextRule]
    /// Each message's rules, by field, once they were looked up by name (the scanner needs
    /// one for every string it meets; two names, a concatenation and two dictionary lookups
    /// each time cost more than scanning the string).
    private let remembered = RememberedRules()

    public init(singleLine: WireTextRule = .singleLine(1024), fields: [String: WireTextRule] = [:]) {
        self.singleLine = singleLine
        self.fields = fields
    }

    public static func == (a: WireTextPolicy, b: WireTextPolicy) -> Bool { a.singleLine == b.singleLine && a.fields == b.fields }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(singleLine)
        hasher.combine(fields)
    }

    /// The rule for `field` of the message named `message` (its full proto name).
    public func rule(message: String, field: String) -> WireTextRule {
        fields[message + "." + field] ?? fields[field] ?? singleLine
    }

    /// The rules of a message's fields, in the order of its descriptor's `fields` (an entry
    /// for every field; only the string fields' are used). Looked up once per message
    /// descriptor (protoc-c emits one per message, for the life of the process), so the
    /// scanner pays one lookup per message it meets, not one per string.
    func rules(_ message: UnsafePointer<ProtobufCMessageDescriptor>) -> [WireTextRule] {
        let key = UInt(bitPattern: message)
        if let rules = remembered.rules.withLock({ $0[key] }) { return rules }
        let name = String(cString: message.pointee.name)
        let rules = (0..<Int(message.pointee.n_fields)).map { index in
            rule(message: name, field: String(cString: message.pointee.fields[index].name))
        }
        remembered.rules.withLock { $0[key] = rules }
        return rules
    }

    /// Why `text` may not stand as single-line (or multiline) text: its first refused
    /// character, or nil when it may.
    public static func refusal(in text: String, multiline: Bool) -> String? {
        // Printable ASCII, most of what is sent, holds nothing to refuse.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return nil }
        for scalar in text.unicodeScalars {
            if let why = refusal(scalar.value, multiline: multiline) { return why }
        }
        return nil
    }

    /// Why `scalar` may not stand in text under `rule`, or nil when it may.
    public static func refusal(_ scalar: UInt32, multiline: Bool) -> String? {
        switch scalar {
        case 0x09, 0x0A, 0x0D:
            return multiline ? nil : "a line break or tab (U+\(hex(scalar))), which single-line text may not hold"
        case 0x01...0x1F, 0x7F:
            return "the control character U+\(hex(scalar))"
        case 0x80...0x9F:
            return "the control character U+\(hex(scalar))"
        case 0x202A...0x202E, 0x2066...0x2069:
            return "the bidirectional override U+\(hex(scalar))"
        case 0x200E, 0x200F, 0x061C:
            return multiline ? nil : "the bidirectional mark U+\(hex(scalar))"
        case 0x200B...0x200D, 0x2060, 0xFEFF:
            return multiline ? nil : "the zero-width character U+\(hex(scalar))"
        default:
            return nil
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// A policy's rules by message descriptor, shared by its copies.
final class RememberedRules: Sendable {
    let rules = Mutex<[UInt: [WireTextRule]]>([:])
}
