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

        public var description: String { kind.rawValue }
    }

    public var code: Code
    /// What went wrong, for people: names the message, the field path and the offset.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
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

    public init(maxBytes: Int = 4 << 20, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    public static let `default` = WireLimits()
}
