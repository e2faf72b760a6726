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
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
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

        // A small Swift wrapper over libzmq.
        .target(
            name: "XieshangZMQ",
            dependencies: ["CZeroMQ"],
            path: "Sources/XieshangZMQ",
            swiftSettings: strict
        ),

        // RPC over ZeroMQ: ROUTER server, DEALER client, status, deadlines, retries.
        .target(
            name: "XieshangRPC",
            dependencies: [
                "XieshangWire", "XieshangZMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/XieshangRPC",
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
        .testTarget(
            name: "XieshangRPCTests",
            dependencies: ["XieshangRPC", "XieshangWire", "XieshangZMQ"],
            path: "Tests/XieshangRPCTests",
            swiftSettings: strict
        ),
    ]
)
