/// Why a message could not be encoded or decoded.
///
/// Equality compares the code only, like the RPC status: the message is for people.
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. A struct over a private enum, so kinds can be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String {
            case tooLarge = "too large"
            case truncated = "truncated"
            case malformed = "malformed"
            case invalidUTF8 = "invalid UTF-8"
            case nulInString = "NUL in string"
            case tooDeep = "nested too deeply"
            case textTooLong = "text too long"
            case forbiddenCharacter = "forbidden character"
            case tooManyElements = "too many elements"
            case tooComplex = "too complex"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The buffer is larger than the decoding limit.
        public static let tooLarge = Code(.tooLarge)
        /// The buffer ends in the middle of a tag, a varint, a fixed value or a length.
        public static let truncated = Code(.truncated)
        /// The bytes are not a valid encoding of the message (bad tag, wrong wire type, …).
        public static let malformed = Code(.malformed)
        /// A string field holds bytes that are not UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A string field holds a NUL byte, which protobuf-c would silently truncate.
        public static let nulInString = Code(.nulInString)
        /// Messages are nested deeper than the decoding limit.
        public static let tooDeep = Code(.tooDeep)
        /// A string field is longer than the text policy allows for it.
        public static let textTooLong = Code(.textTooLong)
        /// A string field holds a character the text policy refuses (a control character,
        /// a bidirectional override, a zero-width character in a single-line field).
        public static let forbiddenCharacter = Code(.forbiddenCharacter)
        /// A repeated field holds more elements than the limit allows, a field occurs more
        /// often than that, or unknown fields do together.
        public static let tooManyElements = Code(.tooManyElements)
        /// Unpacking the message would take more memory than the decoding limit allows
        /// (protobuf-c keeps a record of every field it meets, at every level).
        public static let tooComplex = Code(.tooComplex)

        public var description: String { kind.rawValue }

        /// The kind for a program, as `rpc.v1.FieldViolation.reason` carries it: `TEXT_TOO_LONG`.
        public var reason: String { String(describing: kind).snakeCasedUpper }
    }

    public var code: Code
    /// What went wrong, for people: names the message, the field path and the offset.
    public var message: String
    /// The path of the field at fault below the root message (`proposal.title`), when the
    /// failure is one field's, so a server can name it in a field violation.
    public var field: String?
    /// Whether protobuf-c itself reads the bytes refused here: a bool field in another wire
    /// type (true when any of its bytes is not zero), a field's varint over 64 bits (cut to
    /// 64), a field number above 2^29 - 1 in a tag of at most five bytes (an unknown field),
    /// text that is not UTF-8 in a field given again later (protobuf-c keeps the last).
    /// Only a decode that scans first refuses them; one that scans after a failure (no text
    /// rules, no list bound: replies, events, stored data) reads them as protobuf-c does.
    public var protobufCReadsIt = false

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: WireError, rhs: WireError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// Limits applied when decoding untrusted bytes.
public struct WireLimits: Sendable, Hashable {
    /// The largest buffer accepted, in bytes. Default 4 MiB.
    public var maxBytes: Int = 4 << 20
    /// The deepest nesting of messages accepted. Default 64.
    public var maxDepth: Int = 64
    /// What each string field may hold; nil checks only UTF-8 and NUL (what every decode
    /// checks). Servers set it for what callers send them.
    public var text: WireTextPolicy?
    /// The most elements one repeated field may hold, and the most times any field (or
    /// the unknown ones together) may occur in one message; nil for no limit beyond the bytes.
    public var maxRepeated: Int?
    /// The most memory protobuf-c's unpack may take (its records of the fields it meets,
    /// the C structs, arrays and strings), beyond a small first block; nil for no limit
    /// beyond what `maxBytes` implies (which can be 25 times the bytes).
    public var maxDecodeMemory: Int?

    public init(maxBytes: Int = 4 << 20, maxDepth: Int = 64, text: WireTextPolicy? = nil, maxRepeated: Int? = nil, maxDecodeMemory: Int? = nil) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.text = text
        self.maxRepeated = maxRepeated
        self.maxDecodeMemory = maxDecodeMemory
    }

    public static let `default` = WireLimits()
}

private extension String {
    /// `textTooLong` → `TEXT_TOO_LONG`, `invalidUTF8` → `INVALID_UTF8`.
    var snakeCasedUpper: String {
        var out = ""
        var previousLower = false
        for character in self {
            if character.isUppercase, previousLower { out.append("_") }
            previousLower = character.isLowercase || character.isNumber
            out += character.uppercased()
        }
        return out
    }
}
