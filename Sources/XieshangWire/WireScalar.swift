/// A Swift type that stands for a protobuf scalar, with the C type protobuf-c stores it in.
public protocol WireScalar: Sendable, Hashable {
    associatedtype CValue
    var cValue: CValue { get }
    init(cValue: CValue)
}

extension Int32: WireScalar {
    public var cValue: Int32 { self }
    public init(cValue: Int32) { self = cValue }
}

extension Int64: WireScalar {
    public var cValue: Int64 { self }
    public init(cValue: Int64) { self = cValue }
}

extension UInt32: WireScalar {
    public var cValue: UInt32 { self }
    public init(cValue: UInt32) { self = cValue }
}

extension UInt64: WireScalar {
    public var cValue: UInt64 { self }
    public init(cValue: UInt64) { self = cValue }
}

extension Float: WireScalar {
    public var cValue: Float { self }
    public init(cValue: Float) { self = cValue }
}

extension Double: WireScalar {
    public var cValue: Double { self }
    public init(cValue: Double) { self = cValue }
}

extension Bool: WireScalar {
    // protobuf_c_boolean is a C int.
    public var cValue: Int32 { self ? 1 : 0 }
    public init(cValue: Int32) { self = cValue != 0 }
}
