// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Xieshang",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wire-gen", targets: ["WireGen"]),
        .executable(name: "wire-demo", targets: ["WireDemo"]),
        .library(name: "XieshangWire", targets: ["XieshangWire"]),
    ],
    dependencies: [],
    targets: [
        // System libraries (Debian packages installed by `make bootstrap`).
        .systemLibrary(name: "CZeroMQ", path: "Sources/CZeroMQ"),
        .systemLibrary(name: "CProtobufC", path: "Sources/CProtobufC"),

        // protoc-c output for everything in proto/, plus descriptor accessors (generated).
        .target(
            name: "CXieshangProto",
            dependencies: ["CProtobufC"],
            path: "Sources/CXieshangProto",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),

        // The safe Swift layer over libprotobuf-c: runtime + generated message types.
        .target(
            name: "XieshangWire",
            dependencies: ["CXieshangProto", "CProtobufC"],
            path: "Sources/XieshangWire",
            swiftSettings: strict
        ),

        // Walks protobuf-c's descriptors and writes Sources/XieshangWire/Generated.
        // Depends on the C target only, so a stale Swift layer never stops it building.
        .executableTarget(
            name: "WireGen",
            dependencies: ["CXieshangProto", "CProtobufC"],
            path: "Sources/WireGen",
            swiftSettings: strict
        ),

        // What `make demo` runs until the services exist: the wire layer on its own.
        .executableTarget(
            name: "WireDemo",
            dependencies: ["XieshangWire"],
            path: "Sources/WireDemo",
            swiftSettings: strict
        ),

        // Test vectors made with protobuf-c's own C API.
        .target(
            name: "CWireVectors",
            dependencies: ["CXieshangProto"],
            path: "Tests/CWireVectors"
        ),
        .testTarget(
            name: "XieshangWireTests",
            dependencies: ["XieshangWire", "CWireVectors"],
            path: "Tests/XieshangWireTests",
            swiftSettings: strict
        ),
    ]
)
