import Synchronization

/// Request and trace ids for one client's calls, without a system call per call.
///
/// A request id is what a service keys its stored replies by (with the caller's principal),
/// so it must never repeat for one principal: each client draws 74 random bits once and
/// counts the rest, and writes the two as a UUID (version 4's layout, lower-case hex), the
/// form `UUID()` gave before. Two given clients of one principal share a prefix with a chance
/// of one in 2^74. A client's ids sort in the order it made them, so its stored replies sit
/// together in the service's table rather than on a random page each. A trace id is 64 bits of a generator seeded from the system's randomness
/// once, in hex, as before.
final class CallIdentifiers: Sendable {
    private let prefix: (UInt64, UInt16)
    private let counter = Atomic<UInt64>(0)
    private let traces: Mutex<SplitMix>

    init() {
        var system = SystemRandomNumberGenerator()
        prefix = (system.next(), UInt16(truncatingIfNeeded: system.next() as UInt64))
        traces = Mutex(SplitMix(seed: system.next()))
    }

    /// `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`: 48 random bits, the version, 12 more random
    /// bits, the variant, 14 random bits and a 48-bit count (it does not wrap before 2^48 calls).
    func nextRequestID() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        let high = (prefix.0 & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (UInt64(prefix.1 & 0x3FFF) | 0x8000) << 48 | (count & 0xFFFF_FFFF_FFFF)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var at = 0
            func hex(_ value: UInt64, digits: Int) {
                for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                    buffer[at] = Self.digits[Int((value >> UInt64(shift)) & 0xF)]
                    at += 1
                }
            }
            func dash() { buffer[at] = UInt8(ascii: "-"); at += 1 }
            hex(high >> 32, digits: 8); dash()
            hex(high >> 16, digits: 4); dash()
            hex(high, digits: 4); dash()
            hex(low >> 48, digits: 4); dash()
            hex(low, digits: 12)
            return at
        }
    }

    /// A new trace's id: 1 to 16 hex digits, never zero.
    func nextTraceID() -> String {
        let value = traces.withLock { $0.next() }
        return String(value == 0 ? 1 : value, radix: 16)
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// SplitMix64 (Steele, Lea and Flood): a small, fast, seedable generator, for values that
/// need to be distinct or reproducible, not secret (trace ids; loadtest's workers).
public struct SplitMix: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
