import CProtobufC
import CXieshangProto
import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// The catalogue's other half: where the catalogue puts one malformed field into an otherwise
/// empty body, these are well-formed requests of every method's own type, built from protoc-c's
/// service and field tables, against seeded records (id 1 names a term, a room, a unit, members,
/// a published 常委会会议 with a document to vote on, a proposal, a 社情民意 item, a topic): every
/// number at the ends of its type (the largest, the smallest, -1), enums past their values or
/// at one of their own, repeated fields three deep, messages nested, and seeded rounds that mix
/// all of these field by field. A handler that adds, multiplies or converts what it was given
/// must refuse such a request, not trap: a trap is a restart for everyone, and the method is
/// anyone's the permission table lets in. The caller is an administrator (the suite runs
/// `--insecure`), so every handler is reached, past the permission table.
extension BadInputCatalogueTests {
    /// How the numbers of one request are chosen. Ids are 1 in most profiles, so that the
    /// records seeded below are found and the extreme values reach the code past the lookup.
    enum Profile: String, CaseIterable {
        case ones, largest, smallest, minusOne, largeIDs

        func integer(_ bits: Int, signed: Bool, isID: Bool) -> UInt64 {
            if isID && self != .largeIDs { return 1 }
            switch self {
            case .ones: return 1
            case .largest, .largeIDs:
                return signed ? (bits == 32 ? UInt64(Int32.max) : UInt64(Int64.max)) : (bits == 32 ? UInt64(UInt32.max) : UInt64.max)
            case .smallest:
                // Negative values go on the wire sign-extended to 64 bits.
                return signed ? (bits == 32 ? UInt64(bitPattern: Int64(Int32.min)) : UInt64(bitPattern: Int64.min)) : 0
            case .minusOne: return UInt64(bitPattern: -1)
            }
        }

        var double: Double {
            switch self {
            case .ones: 1
            case .largest, .largeIDs: .greatestFiniteMagnitude
            case .smallest: -.greatestFiniteMagnitude
            case .minusOne: -1
            }
        }

        var text: String {
            switch self {
            case .ones: "1"
            case .largest, .largeIDs: "2026-12-01"
            case .smallest: "-9223372036854775808"
            case .minusOne: "9999-99-99 99:99"
            }
        }
    }

    /// A request of `descriptor`'s type, encoded by hand from protobuf-c's field table.
    static func request(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, _ profile: Profile, depth: Int = 0) -> [UInt8] {
        request(descriptor, depth: depth) { _ in (profile, profile == .ones ? 1 | 1 << 2 : 0) }
    }

    /// A request whose every field takes the values of the profile `pick` chooses for it. An
    /// enum field takes one of its own values when the low bits of `pick`'s number are not
    /// both 0, the rest of the number choosing which (so that a mixed request reaches the code
    /// behind a valid kind or outcome); otherwise the profile's number, past every value.
    static func request(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int = 0, pick: (String) -> (Profile, UInt64)) -> [UInt8] {
        var out: [UInt8] = []
        func varint(_ value: UInt64) { out += Self.varint(value) }
        func key(_ number: UInt32, _ wireType: UInt64) { out += Self.tag(UInt64(number), wireType) }
        func bytes(_ number: UInt32, _ value: [UInt8]) { key(number, 2); varint(UInt64(value.count)); out += value }
        for index in 0..<Int(descriptor.pointee.n_fields) {
            let field = descriptor.pointee.fields[index]
            let name = String(cString: field.name)
            let isID = name == "id" || name.hasSuffix("_id") || name.hasSuffix("_ids") || name == "position"
            let copies = field.label == PROTOBUF_C_LABEL_REPEATED ? 3 : 1
            for _ in 0..<copies {
                let (profile, choice) = pick(name)
                switch field.type {
                case PROTOBUF_C_TYPE_ENUM where choice & 3 != 0:
                    let values = field.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self).pointee
                    let value = values.n_values == 0 ? 1 : values.values[Int((choice >> 2) % UInt64(values.n_values))].value
                    key(field.id, 0); varint(UInt64(bitPattern: Int64(value)))
                case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_ENUM:
                    key(field.id, 0); varint(profile.integer(32, signed: true, isID: isID))
                case PROTOBUF_C_TYPE_INT64:
                    key(field.id, 0); varint(profile.integer(64, signed: true, isID: isID))
                case PROTOBUF_C_TYPE_UINT32:
                    key(field.id, 0); varint(profile.integer(32, signed: false, isID: isID))
                case PROTOBUF_C_TYPE_UINT64:
                    key(field.id, 0); varint(profile.integer(64, signed: false, isID: isID))
                case PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SINT64:
                    let v = Int64(bitPattern: profile.integer(64, signed: true, isID: isID))
                    key(field.id, 0); varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
                case PROTOBUF_C_TYPE_BOOL:
                    key(field.id, 0); varint(profile == .ones ? 1 : 0)
                case PROTOBUF_C_TYPE_DOUBLE:
                    key(field.id, 1)
                    withUnsafeBytes(of: profile.double.bitPattern.littleEndian) { out += $0 }
                case PROTOBUF_C_TYPE_FLOAT:
                    key(field.id, 5)
                    withUnsafeBytes(of: Float(profile.double).bitPattern.littleEndian) { out += $0 }
                case PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_SFIXED32:
                    key(field.id, 5)
                    withUnsafeBytes(of: UInt32(truncatingIfNeeded: profile.integer(32, signed: true, isID: isID)).littleEndian) { out += $0 }
                case PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_SFIXED64:
                    key(field.id, 1)
                    withUnsafeBytes(of: profile.integer(64, signed: true, isID: isID).littleEndian) { out += $0 }
                case PROTOBUF_C_TYPE_STRING:
                    bytes(field.id, Array((isID ? "1" : profile.text).utf8))
                case PROTOBUF_C_TYPE_BYTES:
                    bytes(field.id, Array(profile.text.utf8))
                case PROTOBUF_C_TYPE_MESSAGE:
                    guard depth < 4 else { continue }
                    let nested = field.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    bytes(field.id, request(nested, depth: depth + 1, pick: pick))
                default:
                    continue
                }
            }
        }
        return out
    }

    /// Every method of the suite's own services (`meeting.v1.Meetings/Get`…) with its request's
    /// descriptor, from protoc-c's service table.
    static var methods: [(name: String, input: UnsafePointer<ProtobufCMessageDescriptor>)] {
        var methods: [(String, UnsafePointer<ProtobufCMessageDescriptor>)] = []
        for index in 0..<xs_service_descriptor_count() {
            let service = xs_service_descriptor_at(index)!.pointee
            let fullName = String(cString: service.name)   // xieshang.meeting.v1.Meetings
            guard fullName.hasPrefix("xieshang.") else { continue }
            let name = String(fullName.dropFirst("xieshang.".count))
            for m in 0..<Int(service.n_methods) {
                methods.append(("\(name)/\(String(cString: service.methods[m].name))", service.methods[m].input))
            }
        }
        return methods
    }

    /// Something for id 1 to name: a term, places, members, a unit, a meeting, a proposal, a
    /// 社情民意 item, a topic. (Field `position` counts as an id: agenda item 1.)
    static func seed(_ gateway: Gateway) async throws {
        for arguments in [
            ["term", "add", "--number", "5", "--start", "2022-01-15", "--end", "2027-01-14"],
            ["station", "add", "--name", "雄关街道委员工作站"],
            ["room", "add", "--name", "新华社区协商议事室", "--station", "1", "--capacity", "30", "--has", "all"],
            ["unit", "add", "--name", "市住房和城乡建设局", "--kind", "政府部门"],
            ["member", "add", "--number", "0001", "--name", "张伟", "--sector", "教育界"],
            ["member", "add", "--number", "0002", "--name", "李娜", "--sector", "教育界"],
            // Meeting 1 published, with a document to decide by vote: decisions are reached too.
            ["meeting", "schedule", "--title", "十届常委会会议", "--kind", "常委会会议", "--start", "2026-12-10 09:00", "--minutes", "120", "--room", "1"],
            ["meeting", "invite", "1", "--member", "1", "--member", "2"],
            ["meeting", "agenda", "1", "--item", "审议年度协商计划|60|张伟", "--document", "1=年度协商计划", "--vote", "1"],
            ["meeting", "publish", "1"],
            ["proposal", "create", "--member", "1", "--title", "关于加装电梯的建议", "--body", "正文"],
            ["opinion", "submit", "--member", "1", "--title", "关于助餐点的反映", "--body", "正文"],
            ["topic", "create", "--title", "加装电梯", "--room", "1", "--source", "民情大走访", "--theme", "基层民主"],
        ] {
            let seeded = try await gateway.run(arguments)
            #expect(seeded.status == 0, "\(arguments): \(seeded.stderr)")
        }
    }

    /// The calls that end what id 1 names (a meeting cancelled or closed, a member no longer
    /// serving, the year closed, another term current): they come after every other round, so
    /// that the rounds before reach the code behind a meeting that is still open.
    static let ending: Set<String> = ["meeting.v1.Meetings/Cancel", "meeting.v1.Meetings/Close", "meeting.v1.Meetings/Uninvite",
                                      "member.v1.Members/ChangeStatus", "member.v1.Members/Decide", "member.v1.Members/UnassignRoom",
                                      "member.v1.Terms/SetCurrent", "duty.v1.Duty/CloseYear"]

    /// Every method, every round, through `clients` (by service name); each answer must be a
    /// status that says what is wrong, and every service must go on answering. Returns how
    /// many calls were made and the answers by status.
    static func sweep(_ clients: [String: RPCClient], as caller: String) async throws -> (calls: Int, answers: [String: Int]) {
        var calls = 0
        var silent: Set<String> = []
        var answers: [String: Int] = [:]
        // Each profile alone, then rounds that mix them field by field (seeded: the same
        // requests every run), which reach checks one profile alone stops before.
        var random = SplitMix(state: 2026_12_04)
        let rounds: [(name: String, pick: (String) -> (Profile, UInt64))] = Profile.allCases.map { profile in (profile.rawValue, { _ in (profile, profile == .ones ? 1 | 1 << 2 : 0) }) }
            + (1...24).map { round in ("mixed \(round)", { _ in
                // Ids stay 1 here (large ids have their own round): the records are found.
                let r = random.next()
                let mixed: [Profile] = [.ones, .largest, .smallest, .minusOne]
                return (mixed[Int(r % UInt64(mixed.count))], r >> 8)
            }) }
        let passes = rounds.map { ($0.name, $0.pick, false) } + rounds.map { ($0.name, $0.pick, true) }
        for (profile, pick, endings) in passes {
            for (method, input) in Self.methods where ending.contains(method) == endings {
                // A package's methods go to the service that serves it; the shared ones (events,
                // health, reflection) to every service. Backups copy the database, which other
                // tests cover.
                let targets: [String]
                if let service = SuiteService.serving(method) {
                    targets = [service.name]
                } else if method.hasPrefix("rpc.v1.Backup/") {
                    continue
                } else {
                    targets = clients.keys.sorted()
                }
                let body = Self.request(input, pick: pick)
                for target in targets where !silent.contains(target) {
                    guard let client = clients[target] else { continue }
                    calls += 1
                    do {
                        // A generous deadline: a call stalled by a loaded machine is not a trap.
                        _ = try await client.call(method: method, body: body, options: CallOptions(timeout: .seconds(20)))
                        answers["OK", default: 0] += 1
                    } catch {
                        answers[error.code.protoName, default: 0] += 1
                        if error.code == .unavailable || error.code == .deadlineExceeded {
                            // Most likely it trapped: its log says where. Nothing after this call counts.
                            silent.insert(target)
                            Issue.record("\(target) stopped answering \(caller) at \(method) with \(profile) values: \(error.message)")
                        } else {
                            #expect(![.internal, .unknown, .dataLoss].contains(error.code),
                                    "\(method) on \(target) from \(caller) with \(profile) values: \(error.code) \(error.message)")
                        }
                    }
                }
            }
        }
        FileHandle.standardError.write(Data("numbers at their limits, as \(caller): \(calls) calls, answers \(answers)\n".utf8))
        // Every process is still the one started, and answers.
        for (name, client) in clients {
            let health = try await client.call(RpcV1.Health.check, RpcV1.HealthCheckRequest())
            #expect(health.status == .serving, "\(name): \(health.status)")
        }
        return (calls, answers)
    }

    @Test("no method traps or fails INTERNAL on numbers at their limits, from an administrator; every service answers afterwards")
    func extremes() async throws {
        let directory = try temporaryDirectory("extreme-values")
        let suite = try await SuiteProcesses.start(in: directory)
        try await Self.seed(suite.gateway())
        // The portal's own socket (the office's: invitations and accounts) too.
        let portal = try await ServiceProcess("portal", dataDir: directory + "/portal", arguments: [
            "--http-address", "127.0.0.1:0", "--registry", suite.registry.rpcEndpoint, "--scheduler", suite.scheduler.rpcEndpoint,
            "--tracker", suite.tracker.rpcEndpoint, "--notifier", suite.notifier.rpcEndpoint, "--duty", suite.duty.rpcEndpoint,
        ])
        let endpoints = [SuiteService.registry.name: suite.registry.rpcEndpoint, SuiteService.scheduler.name: suite.scheduler.rpcEndpoint,
                         SuiteService.tracker.name: suite.tracker.rpcEndpoint, SuiteService.notifier.name: suite.notifier.rpcEndpoint,
                         SuiteService.duty.name: suite.duty.rpcEndpoint, SuiteService.portal.name: portal.rpcEndpoint]
        var clients: [String: RPCClient] = [:]
        for (name, endpoint) in endpoints { clients[name] = try testClient([endpoint], timeout: .seconds(20), attempts: 1) }
        let (calls, answers) = try await Self.sweep(clients, as: "an administrator")
        #expect(calls > 2_000, "\(calls) calls: the service table was read")
        #expect(answers["INVALID_ARGUMENT", default: 0] > 0 && answers["OK", default: 0] > 0, "\(answers)")
        #expect(await portal.stop() == 0, "the portal stopped cleanly")
        let statuses = await suite.stop()
        #expect(statuses.values.allSatisfy { $0 == 0 }, "each service stopped cleanly, none had died: \(statuses)")
    }

    @Test("the same from a member's and a unit's own keys over CURVE: what the permission table lets them call never traps or fails INTERNAL")
    func extremesFromAMember() async throws {
        let directory = try temporaryDirectory("extreme-values-member")
        let suite = try await SuiteProcesses.startWithKeys(in: directory)
        let keys = try #require(suite.keys)
        let admin = suite.gateway(identity: "admin")
        try await Self.seed(admin)
        #expect(try await admin.run(["keys", "generate", "m1", "u1", "--dir", keys]).status == 0)
        #expect(try await admin.run(["keys", "allow", "m1", "--role", "member", "--principal", "1", "--dir", keys]).status == 0)
        #expect(try await admin.run(["keys", "allow", "u1", "--role", "unit", "--principal", "1", "--dir", keys]).status == 0)
        try await Task.sleep(for: .milliseconds(1500))   // the services reread their allow-lists within a second
        let services = [SuiteService.registry: suite.registry, .scheduler: suite.scheduler, .tracker: suite.tracker,
                        .notifier: suite.notifier, .duty: suite.duty]
        for (identity, caller) in [("m1", "member 1"), ("u1", "unit 1")] {
            var clients: [String: RPCClient] = [:]
            for (service, process) in services {
                clients[service.name] = try keyedClient(keys, as: identity, calling: service.name, at: process.rpcEndpoint)
            }
            let (calls, answers) = try await Self.sweep(clients, as: caller)
            #expect(calls > 2_000 && answers["PERMISSION_DENIED", default: 0] > 0 && answers["OK", default: 0] > 0, "\(caller): \(answers)")
        }
        let statuses = await suite.stop()
        #expect(statuses.values.allSatisfy { $0 == 0 }, "each service stopped cleanly, none had died: \(statuses)")
    }
}
