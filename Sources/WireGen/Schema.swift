import CProtobufC
import CXieshangProto

/// The schema as protobuf-c's own descriptors describe it.
struct Schema {
    struct Message {
        let fullName: String
        let package: String
        let symbol: String
        let fields: [Field]
    }

    struct Field {
        let name: String
        let number: UInt32
        let repeated: Bool
        let inOneof: Bool
        let kind: Kind
    }

    enum Kind {
        case scalar(String)   // the Swift type
        case string
        case bytes
        case enumeration(String)  // full proto name
        case message(String)      // full proto name
    }

    struct Enumeration {
        let fullName: String
        let package: String
        let values: [(name: String, number: Int32)]
    }

    struct Service {
        let fullName: String
        let package: String
        let shortName: String
        let methods: [(name: String, input: String, output: String)]
    }

    var messages: [Message] = []
    var enums: [Enumeration] = []
    var services: [Service] = []

    /// Reads every descriptor the C target holds.
    static func load() throws -> Schema {
        var schema = Schema()
        for index in 0..<xs_message_descriptor_count() {
            let d = xs_message_descriptor_at(index)!.pointee
            var fields: [Field] = []
            for f in UnsafeBufferPointer(start: d.fields, count: Int(d.n_fields)) {
                let name = String(cString: f.name)
                if f.label == PROTOBUF_C_LABEL_REQUIRED || f.label == PROTOBUF_C_LABEL_OPTIONAL,
                   f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue == 0 {
                    throw GeneratorError("\(String(cString: d.name)).\(name): proto2 labels are not supported; use proto3")
                }
                fields.append(Field(
                    name: name, number: f.id,
                    repeated: f.label == PROTOBUF_C_LABEL_REPEATED,
                    inOneof: f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue != 0,
                    kind: try kind(of: f)))
            }
            schema.messages.append(Message(
                fullName: String(cString: d.name), package: String(cString: d.package_name),
                symbol: String(cString: xs_message_symbol_at(index)), fields: fields))
        }
        for index in 0..<xs_enum_descriptor_count() {
            let d = xs_enum_descriptor_at(index)!.pointee
            let values = UnsafeBufferPointer(start: d.values, count: Int(d.n_values)).map {
                (name: String(cString: $0.name), number: Int32($0.value))
            }
            schema.enums.append(Enumeration(
                fullName: String(cString: d.name), package: String(cString: d.package_name), values: values))
        }
        for index in 0..<xs_service_descriptor_count() {
            let d = xs_service_descriptor_at(index)!.pointee
            let methods = UnsafeBufferPointer(start: d.methods, count: Int(d.n_methods)).map {
                (name: String(cString: $0.name),
                 input: String(cString: $0.input.pointee.name),
                 output: String(cString: $0.output.pointee.name))
            }
            schema.services.append(Service(
                fullName: String(cString: d.name), package: String(cString: d.package),
                shortName: String(cString: d.short_name), methods: methods))
        }
        return schema
    }

    private static func kind(of f: ProtobufCFieldDescriptor) throws -> Kind {
        switch f.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32: return .scalar("Int32")
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64: return .scalar("Int64")
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32: return .scalar("UInt32")
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64: return .scalar("UInt64")
        case PROTOBUF_C_TYPE_FLOAT: return .scalar("Float")
        case PROTOBUF_C_TYPE_DOUBLE: return .scalar("Double")
        case PROTOBUF_C_TYPE_BOOL: return .scalar("Bool")
        case PROTOBUF_C_TYPE_STRING: return .string
        case PROTOBUF_C_TYPE_BYTES: return .bytes
        case PROTOBUF_C_TYPE_ENUM:
            let e = f.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
            return .enumeration(String(cString: e.pointee.name))
        case PROTOBUF_C_TYPE_MESSAGE:
            let m = f.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
            return .message(String(cString: m.pointee.name))
        default:
            throw GeneratorError("\(String(cString: f.name)): field type \(f.type.rawValue) is not supported")
        }
    }
}
