// wire-demo: what `make demo` runs until the services exist. It shows the wire layer on a
// realistic RPC envelope: encode with protobuf-c, decode back, and the errors bad input
// gets. It starts no service and sends nothing over the network.
import Foundation
import XieshangWire

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
}

func show(_ title: String, _ body: () throws -> Void) {
    print("== \(title)")
    do { try body() } catch { print("   error: \(error)") }
    print()
}

print("Xieshang wire layer demo: protobuf-c \(WireLibrary.protobufCVersion)")
print("(The services are not built yet: this demo only encodes and decodes messages.)\n")

var request = RpcV1.Request()
request.method = "member.v1.Members/Get"
request.requestID = UUID().uuidString.lowercased()
request.deadlineMs = 5000
request.traceID = "demo-trace"
request.caller = "wire-demo"
request.body = Array("委员 0001".utf8)

show("a request envelope, encoded by protobuf-c") {
    let bytes = try request.encode()
    print("   \(bytes.count) bytes: \(hex(Array(bytes.prefix(48))))\(bytes.count > 48 ? " …" : "")")
    let back = try RpcV1.Request(decoding: bytes)
    print("   decoded: method=\(back.method) deadline=\(back.deadlineMs)ms caller=\(back.caller)")
    print("   round trip equal: \(back == request)")
}

show("a response with every invalid field listed") {
    var status = RpcV1.Status()
    status.code = .invalidArgument
    status.message = "2 fields are invalid"
    for (field, problem) in [("name", "must not be empty"), ("phone", "must be 11 digits")] {
        var violation = RpcV1.FieldViolation()
        violation.field = field
        violation.description = problem
        status.violations.append(violation)
    }
    var response = RpcV1.Response()
    response.requestID = request.requestID
    response.status = status
    let back = try RpcV1.Response(decoding: response.encode())
    print("   status \(back.status?.code.protoName ?? "-"): \(back.status?.message ?? "")")
    for v in back.status?.violations ?? [] { print("   - \(v.field): \(v.description)") }
}

show("bad input: a string with invalid UTF-8") {
    _ = try RpcV1.Request(decoding: [0x0A, 0x03, 0x61, 0xC3, 0x28])
}
show("bad input: a truncated envelope") {
    let bytes = try request.encode()
    _ = try RpcV1.Request(decoding: Array(bytes.prefix(bytes.count / 2)))
}
show("bad input: a NUL inside a string, refused before it is encoded") {
    var bad = request
    bad.caller = "wire\u{0}demo"
    _ = try bad.encode()
}
