// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Xieshang",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wire-gen", targets: ["WireGen"]),
        .executable(name: "member-registry", targets: ["MemberRegistryMain"]),
        .executable(name: "meeting-scheduler", targets: ["MeetingSchedulerMain"]),
        .executable(name: "proposal-tracker", targets: ["ProposalTrackerMain"]),
        .executable(name: "notifier", targets: ["NotifierMain"]),
        .executable(name: "duty-record", targets: ["DutyRecordMain"]),
        .executable(name: "portal", targets: ["PortalMain"]),
        .executable(name: "gateway", targets: ["Gateway"]),
        .executable(name: "loadtest", targets: ["LoadTest"]),
        .executable(name: "xieshang-example", targets: ["ExampleService"]),
        .executable(name: "wire-fuzz", targets: ["WireFuzz"]),
        .library(name: "XieshangWire", targets: ["XieshangWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
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

        // posix_spawn for child processes (Foundation's Process.run() crashes now and then on
        // Linux reading /proc/self/fd): the notifier's mail command, the tests' processes.
        .target(name: "CSpawn", path: "Sources/CSpawn"),
        // Webhook POSTs through libcurl, loaded on first use (Debian's libcurl4; the header
        // from libcurl4-openssl-dev): a notifier without webhooks never maps it.
        .target(name: "CWebhook", path: "Sources/CWebhook", linkerSettings: [.linkedLibrary("dl")]),
        // PostgreSQL's libpq (Debian's libpq5), loaded when a service opens a postgres://
        // database: a service on SQLite never maps it.
        .target(name: "CPostgres", path: "Sources/CPostgres", linkerSettings: [.linkedLibrary("dl")]),

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

        // What every service shares: configuration, logging, lifecycle, SQLite storage,
        // idempotent writes, the event outbox, its publisher and consumers.
        .target(
            name: "XieshangService",
            dependencies: [
                "XieshangRPC", "XieshangWire", "XieshangZMQ", "XieshangLabels", "CSpawn", "CPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Sources/XieshangService",
            swiftSettings: strict
        ),

        // The Chinese labels of the domain's enums, for the services and the gateway.
        .target(
            name: "XieshangLabels",
            dependencies: ["XieshangWire"],
            path: "Sources/XieshangLabels",
            swiftSettings: strict
        ),

        // member-registry: domain, store and handlers as a library, and a thin executable.
        .target(
            name: "MemberRegistry",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangLabels",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Services/MemberRegistry/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MemberRegistryMain",
            dependencies: [
                "MemberRegistry", "XieshangService", "XieshangZMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/MemberRegistry/Main",
            swiftSettings: strict
        ),

        // meeting-scheduler: domain, store and handlers as a library, and a thin executable.
        .target(
            name: "MeetingScheduler",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangLabels",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Services/MeetingScheduler/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MeetingSchedulerMain",
            dependencies: [
                "MeetingScheduler", "XieshangService", "XieshangRPC", "XieshangZMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/MeetingScheduler/Main",
            swiftSettings: strict
        ),

        // proposal-tracker: the workflow, store and handlers as a library, and a thin executable.
        .target(
            name: "ProposalTracker",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangLabels",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Services/ProposalTracker/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ProposalTrackerMain",
            dependencies: [
                "ProposalTracker", "XieshangService", "XieshangRPC", "XieshangZMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/ProposalTracker/Main",
            swiftSettings: strict
        ),

        // notifier: the inbox, fed by every service's events.
        .target(
            name: "Notifier",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangLabels", "XieshangZMQ", "CWebhook",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Notifier/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "NotifierMain",
            dependencies: [
                "Notifier", "XieshangService", "XieshangRPC", "XieshangZMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Notifier/Main",
            swiftSettings: strict
        ),

        // duty-record: the members' 履职 record, from the other services' events.
        .target(
            name: "DutyRecord",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangLabels",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Services/DutyRecord/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "DutyRecordMain",
            dependencies: [
                "DutyRecord", "XieshangService", "XieshangRPC", "XieshangZMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/DutyRecord/Main",
            swiftSettings: strict
        ),

        // portal: the web front for members and units, a client of the services on their behalf.
        .target(
            name: "Portal",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangZMQ", "XieshangLabels",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Portal/Sources",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PortalMain",
            dependencies: [
                "Portal", "XieshangService", "XieshangRPC", "XieshangZMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Portal/Main",
            swiftSettings: strict
        ),

        // gateway: the staff's command line.
        .executableTarget(
            name: "Gateway",
            dependencies: [
                "XieshangRPC", "XieshangWire", "XieshangZMQ", "XieshangLabels", "XieshangService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Gateway",
            swiftSettings: strict
        ),

        // loadtest: load against meeting-scheduler, and the measurements of `make bench`.
        .executableTarget(
            name: "LoadTest",
            dependencies: [
                "XieshangRPC", "XieshangWire", "XieshangZMQ", "XieshangService", "MeetingScheduler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/LoadTest",
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
        // libFuzzer target for the envelope and every decoder (`make fuzz`); built normally, it
        // writes the seed corpus.
        .executableTarget(
            name: "WireFuzz",
            dependencies: ["XieshangWire"],
            path: "Tests/Fuzz",
            exclude: ["gen-catalogue.sh", "corpus"],
            swiftSettings: strict
        ),
        // The example service of the runtime's tests, run by them as a real process.
        .executableTarget(
            name: "ExampleService",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangZMQ",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/ExampleService",
            swiftSettings: strict
        ),
        // Helpers the integration tests share: real processes, commands, temporary folders.
        .target(
            name: "XieshangTestSupport",
            dependencies: [
                "XieshangZMQ", "XieshangRPC", "XieshangWire", "XieshangService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MemberRegistryTests",
            dependencies: [
                "MemberRegistry", "MemberRegistryMain", "Gateway", "XieshangTestSupport", "XieshangRPC", "XieshangWire",
                "XieshangService", "XieshangLabels", "XieshangZMQ",
            ],
            path: "Tests/MemberRegistryTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "MeetingSchedulerTests",
            dependencies: [
                "MeetingScheduler", "MeetingSchedulerMain", "MemberRegistryMain", "Gateway", "LoadTest", "XieshangTestSupport",
                "XieshangRPC", "XieshangWire", "XieshangLabels", "XieshangService", "XieshangZMQ",
            ],
            path: "Tests/MeetingSchedulerTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ProposalTrackerTests",
            dependencies: [
                "ProposalTracker", "ProposalTrackerMain", "MeetingSchedulerMain", "MemberRegistryMain", "Gateway",
                "XieshangTestSupport", "XieshangRPC", "XieshangWire", "XieshangService", "XieshangLabels",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/ProposalTrackerTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "NotifierTests",
            dependencies: [
                "Notifier", "NotifierMain", "DutyRecordMain", "ProposalTrackerMain", "MeetingSchedulerMain", "MemberRegistryMain", "Gateway",
                "XieshangTestSupport",
            ],
            path: "Tests/NotifierTests",
            exclude: ["webhook_server.py"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DutyRecordTests",
            dependencies: [
                "DutyRecord", "DutyRecordMain", "NotifierMain", "ProposalTrackerMain", "MeetingSchedulerMain", "MemberRegistryMain", "Gateway",
                "XieshangTestSupport", "XieshangService", "XieshangWire", "XieshangLabels",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/DutyRecordTests",
            swiftSettings: strict
        ),
        // The five services together as processes, with CURVE keys as operators run them.
        .testTarget(
            name: "SuiteTests",
            dependencies: [
                "PortalMain", "NotifierMain", "DutyRecordMain", "ProposalTrackerMain", "MeetingSchedulerMain", "MemberRegistryMain", "Gateway", "LoadTest",
                "Portal", "Notifier", "DutyRecord", "ProposalTracker", "MeetingScheduler", "MemberRegistry",
                "XieshangTestSupport", "XieshangZMQ", "XieshangRPC", "XieshangWire", "XieshangService", "CXieshangProto", "CProtobufC",
            ],
            path: "Tests/SuiteTests",
            exclude: ["portal_browser.py"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "XieshangServiceTests",
            dependencies: [
                "XieshangService", "XieshangRPC", "XieshangWire", "XieshangZMQ", "ExampleService", "XieshangTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/XieshangServiceTests",
            swiftSettings: strict
        ),
        .testTarget(
            name: "XieshangRPCTests",
            dependencies: ["XieshangRPC", "XieshangWire", "XieshangZMQ", "XieshangTestSupport"],
            path: "Tests/XieshangRPCTests",
            swiftSettings: strict
        ),
    ]
)
