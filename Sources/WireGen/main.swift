// wire-gen: writes the Swift wire layer (Sources/XieshangWire/Generated) by walking
// protobuf-c's descriptors, which it links through the CXieshangProto target.
//
//   wire-gen --proto-root proto --out Sources/XieshangWire/Generated proto/xieshang/**/*.proto
//
// The .proto files are read only for what the descriptors leave out (oneof names, which
// file declares which package). `make generate` runs it after protoc-c.
import Foundation

func run() throws {
    var arguments = Array(CommandLine.arguments.dropFirst())
    var root = "proto"
    var out: String?
    var files: [String] = []
    while !arguments.isEmpty {
        let argument = arguments.removeFirst()
        switch argument {
        case "--proto-root": root = arguments.isEmpty ? root : arguments.removeFirst()
        case "--out": out = arguments.isEmpty ? nil : arguments.removeFirst()
        case "-h", "--help":
            print("usage: wire-gen --proto-root DIR --out DIR FILE.proto...")
            return
        default: files.append(argument)
        }
    }
    guard let out, !files.isEmpty else {
        throw GeneratorError("usage: wire-gen --proto-root DIR --out DIR FILE.proto...")
    }
    let schema = try Schema.load()
    let source = try ProtoSource(root: root, files: files)
    let emitter = SwiftEmitter(schema: schema, source: source)
    let packages = Set(schema.messages.map(\.package) + schema.enums.map(\.package) + schema.services.map(\.package))
    let missing = packages.subtracting(source.filesByPackage.keys)
    guard missing.isEmpty else {
        throw GeneratorError("the C target has packages no .proto given declares: \(missing.sorted()); run `make generate`")
    }

    let fileManager = FileManager.default
    try? fileManager.removeItem(atPath: out)
    try fileManager.createDirectory(atPath: out, withIntermediateDirectories: true)
    for package in packages.sorted() {
        let file = try emitter.file(for: package)
        try file.text.write(toFile: out + "/" + file.name, atomically: true, encoding: .utf8)
        print("wire-gen: wrote \(out)/\(file.name)")
    }
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("wire-gen: \(error)\n".utf8))
    exit(1)
}
