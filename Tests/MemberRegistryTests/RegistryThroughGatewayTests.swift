import Foundation
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// The real member-registry executable, driven through the real gateway executable, as
/// staff would.
@Suite("member-registry through the gateway", .serialized)
struct RegistryThroughGatewayTests {
    /// Runs `gateway` against the registry; returns what it printed and its exit status.
    private func gateway(_ registry: ServiceProcess, _ arguments: String...) async throws -> CommandResult {
        try await runCommand(builtExecutable("gateway"), arguments, environment: ["XIESHANG_REGISTRY_ENDPOINT": registry.rpcEndpoint])
    }

    /// Runs `gateway … --json` and expects success.
    private func json(_ registry: ServiceProcess, _ arguments: String...) async throws -> Any {
        try await json(registry, arguments)
    }

    private func json(_ registry: ServiceProcess, _ arguments: [String]) async throws -> Any {
        let result = try await runCommand(
            builtExecutable("gateway"), arguments + ["--json"], environment: ["XIESHANG_REGISTRY_ENDPOINT": registry.rpcEndpoint])
        guard result.status == 0 else {
            throw ProcessFailure(description: "gateway \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return try result.json()
    }

    /// The id of a created thing: an object, or the one object of a list.
    private func id(_ value: Any) -> Int {
        let object = (value as? [String: Any]) ?? (value as? [[String: Any]])?.first
        return (object?["id"] as? NSNumber)?.intValue ?? -1
    }

    private func total(_ registry: ServiceProcess, _ filters: String...) async throws -> Int {
        let list = try await runCommand(
            builtExecutable("gateway"), ["member", "list", "--all", "--json"] + filters,
            environment: ["XIESHANG_REGISTRY_ENDPOINT": registry.rpcEndpoint])
        return ((try list.json() as? [String: Any])?["total"] as? NSNumber)?.intValue ?? -1
    }

    private func resolve(_ registry: ServiceProcess, _ group: String...) async throws -> [Int] {
        let ids = try await runCommand(
            builtExecutable("gateway"), ["member", "resolve"] + group + ["--json"],
            environment: ["XIESHANG_REGISTRY_ENDPOINT": registry.rpcEndpoint])
        return (try ids.json() as? [NSNumber])?.map(\.intValue) ?? [-1]
    }

    private func write(_ text: String, _ name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("staff add, search, assign, resign, import, export and resolve groups, and it all survives restarts")
    func registryWorkflow() async throws {
        let directory = try temporaryDirectory("registry")
        let registry = try await ServiceProcess("member-registry", dataDir: directory)

        // Without a term, adding a member is refused and says what to do.
        let noTerm = try await gateway(registry, "member", "add", "--number", "0001", "--name", "张伟", "--sector", "教育界")
        #expect(noTerm.status == 2)
        #expect(noTerm.stderr.contains("gateway term add"))

        _ = try await json(registry, "term", "add", "--number", "5", "--start", "2022-01-15", "--end", openTermEnd)
        let badTerm = try await gateway(registry, "term", "add", "--number", "6", "--start", "2027-01-15", "--end", "2026-01-01")
        #expect(badTerm.status == 2)
        #expect(badTerm.stderr.contains("term.end_date"))

        let station = id(try await json(registry, "station", "add", "--name", "雄关街道委员工作站", "--district", "雄关区"))
        let room = id(try await json(registry, "room", "add", "--name", "新华社区协商议事室", "--station", "\(station)",
                                     "--capacity", "30", "--has", "all"))
        let zhang = id(try await json(registry, "member", "add", "--number", "0001", "--name", "张伟", "--sector", "教育界",
                                      "--role", "常委", "--work-unit", "嘉峪关市第一中学", "--committee", "提案委员会",
                                      "--phone", "13800000001", "--gender", "男"))
        let li = id(try await json(registry, "member", "add", "--number", "0002", "--name", "李娜", "--sector", "医药卫生界",
                                   "--role", "副主席", "--work-unit", "市人民医院", "--email", "lina@jyg.gov.cn"))
        let wang = id(try await json(registry, "member", "add", "--number", "0003", "--name", "王强", "--sector", "教育界",
                                     "--work-unit", "嘉峪关市第二中学"))
        #expect([zhang, li, wang] == [Int](1...3))

        // Bad input: each refused with the field named, and nothing written.
        let badPhone = try await gateway(registry, "member", "add", "--number", "0004", "--name", "赵六", "--sector", "教育界",
                                         "--phone", "12345", "--email", "not-an-address")
        #expect(badPhone.status == 2)
        #expect(badPhone.stderr.contains("member.phone"))
        #expect(badPhone.stderr.contains("member.email"))
        let duplicate = try await gateway(registry, "member", "add", "--number", "0001", "--name", "重复", "--sector", "教育界")
        #expect(duplicate.status == 2)
        #expect(duplicate.stderr.contains("already exists") && duplicate.stderr.contains("说明：第 5 届已有编号为 0001 的委员。"), "\(duplicate.stderr)")
        let unknownSector = try await gateway(registry, "member", "add", "--number", "0005", "--name", "孙七", "--sector", "火星界")
        #expect(unknownSector.stderr.contains("unknown sector"))
        let missing = try await gateway(registry, "member", "get", "999")
        #expect(missing.status == 3)
        let usage = try await gateway(registry, "member", "add", "--name", "无编号")
        #expect(usage.status == 64)
        #expect(try await total(registry) == 3)

        // Search: Chinese substrings, long (trigram index) and short.
        let school = try await json(registry, "member", "search", "市第一中") as? [String: Any]
        #expect((school?["members"] as? [[String: Any]])?.map { $0["name"] as? String } == ["张伟"])
        let short = try await json(registry, "member", "search", "中学") as? [String: Any]
        #expect((short?["total"] as? NSNumber)?.intValue == 2)

        // Rooms, groups and resignation.
        _ = try await json(registry, "member", "assign", "\(zhang)", "--room", "\(room)")
        _ = try await json(registry, "member", "assign", "\(wang)", "--room", "\(room)")
        #expect(try await resolve(registry, "room", "\(room)") == [zhang, wang])
        #expect(try await resolve(registry, "station", "\(station)") == [zhang, wang])
        #expect(try await resolve(registry, "standing-committee") == [zhang, li])
        #expect(try await resolve(registry, "chairpersons-council") == [li])
        #expect(try await resolve(registry, "sector", "教育界") == [zhang, wang])
        #expect(try await resolve(registry, "committee", "提案委员会") == [zhang])
        // Roles: exactly the one staff name; that one and above only when asked.
        func names(_ arguments: String...) async throws -> [String] {
            let page = try await json(registry, arguments) as? [String: Any]
            return (page?["members"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        }
        #expect(try await names("member", "list", "--role", "副主席") == ["李娜"])
        #expect(try await names("member", "list", "--role", "常委") == ["张伟"])
        #expect(try await names("member", "list", "--role", "常委", "--and-above") == ["张伟", "李娜"])

        // Functions beside the rank: the room's convener and the committee's director.
        let functions = try await json(registry, "member", "update", "\(zhang)", "--function", "召集人:\(room)",
                                       "--function", "专委会主任:提案委员会") as? [String: Any]
        #expect((functions?["functions"] as? [Any])?.count == 2)
        let noRoom = try await gateway(registry, "member", "update", "\(zhang)", "--function", "召集人:99")
        #expect(noRoom.status == 3 && noRoom.stderr.contains("member.functions[0]"))
        let noCommittee = try await gateway(registry, "member", "update", "\(li)", "--function", "专委会主任:不存在委员会")
        #expect(noCommittee.status == 2 && noCommittee.stderr.contains("unknown special committee"))
        let shown = try await gateway(registry, "member", "get", "\(zhang)")
        #expect(shown.stdout.contains("召集人（议事室 \(room)）") && shown.stdout.contains("专委会主任（提案委员会）"))
        let changed = try await json(registry, "member", "history", "\(zhang)") as? [[String: Any]]
        let lastChanges = (changed?.last?["changes"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
        #expect(lastChanges == ["functions"])

        // A resignation is asked, and the member stays 在任 until the 常委会 decides it.
        let asked = try await json(registry, "member", "resign", "\(wang)", "--reason", "工作调动", "--date", "2026-11-10") as? [String: Any]
        #expect(asked?["status"] as? String == "MEMBER_STATUS_ACTIVE")
        #expect((asked?["resignationRequest"] as? [String: Any])?["reason"] as? String == "工作调动")
        #expect(try await resolve(registry, "all") == [zhang, li, wang])
        let noRequest = try await gateway(registry, "member", "decide", "\(li)", "--decision", "accept-resignation", "--meeting", "十届二十三次常委会会议")
        #expect(noRequest.status == 2 && noRequest.stderr.contains("has not asked to resign")
                && noRequest.stderr.contains("说明：李娜没有提出辞去委员的申请"), "\(noRequest.stderr)")
        let noMeeting = try await gateway(registry, "member", "decide", "\(wang)", "--decision", "remove", "--meeting", " ", "--note", "x")
        #expect(noMeeting.status == 2 && noMeeting.stderr.contains("decision.meeting"))
        let beforeAsked = try await gateway(registry, "member", "decide", "\(wang)", "--decision", "accept-resignation",
                                            "--meeting", "十届二十二次常委会会议", "--date", "2026-11-01")
        #expect(beforeAsked.status == 2 && beforeAsked.stderr.contains("asked to resign on 2026-11-10")
                && beforeAsked.stderr.contains("晚于决定日期 2026-11-01"), "\(beforeAsked.stderr)")
        let resigned = try await json(registry, "member", "decide", "\(wang)", "--decision", "accept-resignation",
                                      "--meeting", "十届二十三次常委会会议", "--date", "2026-11-23") as? [String: Any]
        #expect(resigned?["status"] as? String == "MEMBER_STATUS_RESIGNED")
        #expect(resigned?["statusDate"] as? String == "2026-11-23")
        #expect(resigned?["resignationRequest"] == nil)
        let decisions = resigned?["decisions"] as? [[String: Any]]
        #expect(decisions?.first?["meeting"] as? String == "十届二十三次常委会会议")
        #expect(try await resolve(registry, "all") == [zhang, li])
        #expect(try await resolve(registry, "room", "\(room)") == [zhang])
        let history = try await json(registry, "member", "history", "\(wang)") as? [[String: Any]]
        #expect(history?.map { $0["action"] as? String } == ["created", "assigned", "resignation requested", "accept-resignation"])
        #expect(history?.last?["actor"] as? String == "admin:local")
        #expect(history?.last?["reason"] as? String == "十届二十三次常委会会议 同意辞去")

        // An addition (增补) is nominated, not yet a member, until the 常委会 adds them.
        let nominee = try await json(registry, "member", "add", "--number", "0009", "--name", "钱进", "--sector", "教育界",
                                     "--added-during-term") as? [String: Any]
        #expect(nominee?["status"] as? String == "MEMBER_STATUS_NOMINATED")
        let nomineeID = (nominee?["id"] as? NSNumber)?.intValue ?? 0
        #expect(try await resolve(registry, "all") == [zhang, li])
        let restored = try await gateway(registry, "member", "restore", "\(nomineeID)", "--reason", "直接启用")
        #expect(restored.status == 2 && restored.stderr.contains("增补"))
        let added = try await json(registry, "member", "decide", "\(nomineeID)", "--decision", "confirm-addition",
                                   "--meeting", "十届二十三次常委会会议") as? [String: Any]
        #expect(added?["status"] as? String == "MEMBER_STATUS_ACTIVE" && added?["addedDuringTerm"] as? Bool == true)
        #expect(try await resolve(registry, "all") == [zhang, li, nomineeID])
        let twice = try await gateway(registry, "member", "decide", "\(nomineeID)", "--decision", "confirm-addition", "--meeting", "十届二十三次常委会会议")
        #expect(twice.status == 2)

        // Import: a good file, the same again, a file with bad rows, then its good rows.
        let good = try write("""
            \u{FEFF}member_number,name,gender,sector,committees,work_unit,phone,role
            0101,赵敏,女,经济界,经济委员会;提案委员会,"嘉峪关市钢铁公司, 财务部",13900000101,委员
            0102,钱亮,男,农业界,,市农科院,13900000102,常委

            """, "good.csv", in: directory)
        let first = try await json(registry, "member", "import", good) as? [String: Any]
        #expect((first?["created"] as? NSNumber)?.intValue == 2)
        let again = try await json(registry, "member", "import", good) as? [String: Any]
        #expect((again?["unchanged"] as? NSNumber)?.intValue == 2)
        #expect((again?["created"] as? NSNumber)?.intValue ?? 0 == 0)
        #expect((again?["updated"] as? NSNumber)?.intValue ?? 0 == 0)
        #expect(try await total(registry) == 6)

        let bad = try write("""
            member_number,name,sector,phone,role
            0201,孙杰,教育界,13900000201,委员
            0202,,教育界,1390000,委员
            0203,周琳,未知界,13900000203,主任
            0201,吴磊,教育界,,委员

            """, "bad.csv", in: directory)
        let refused = try await gateway(registry, "member", "import", bad)
        #expect(refused.status == 2)
        #expect(refused.stdout.contains("nothing was written"))
        for line in ["3", "4", "5"] { #expect(refused.stdout.contains("\n\(line) ")) }
        #expect(try await total(registry) == 6)
        let partial = try await json(registry, "member", "import", bad, "--import-valid-rows") as? [String: Any]
        #expect((partial?["created"] as? NSNumber)?.intValue == 1)
        #expect((partial?["problems"] as? [[String: Any]])?.count == 5)
        #expect(try await total(registry) == 7)

        // Export, then import the export: nothing changes, and a second export is identical.
        let exported = directory + "/export.csv"
        #expect(try await gateway(registry, "member", "export", "--output", exported).status == 0)
        let roundTrip = try await json(registry, "member", "import", exported) as? [String: Any]
        #expect((roundTrip?["unchanged"] as? NSNumber)?.intValue == 7)
        let exportedAgain = try await gateway(registry, "member", "export")
        #expect(exportedAgain.stdout == (try String(contentsOfFile: exported, encoding: .utf8)))

        // A graceful restart and a crash: everything is still there.
        let before = try await gateway(registry, "member", "list", "--all")
        #expect(await registry.stop(signal: SIGTERM) == 0)
        try await registry.start()
        #expect(try await gateway(registry, "member", "list", "--all").stdout == before.stdout)
        await registry.stop(signal: SIGKILL)
        try await registry.start()
        #expect(try await gateway(registry, "member", "list", "--all").stdout == before.stdout)
        let historyAfter = try await json(registry, "member", "history", "\(wang)") as? [[String: Any]]
        #expect(historyAfter?.count == 4)
        #expect(try await resolve(registry, "room", "\(room)") == [zhang])

        // The changes are in the outbox as events, in order.
        let client = try testClient([registry.rpcEndpoint])
        let events = try await client.call(EventV1.Events.since, EventV1.SinceRequest(), options: .read).events
        await client.close()
        let types = events.map(\.type)
        #expect(types.filter { $0 == "member.added" }.count == 7)
        #expect(types.filter { $0 == "member.decided" }.count == 1)   // the addition
        #expect(types.filter { $0 == "member.assigned" }.count == 2)
        #expect(types.filter { $0 == "member.resigned" }.count == 1)
        // The directory is told too, whole each time (meeting-scheduler keeps it from them):
        // the new term (a bad one changes nothing), the room with its capacity.
        let terms = try events.filter { $0.type == "term.saved" }.map { try MemberV1.TermEvent(decoding: $0.payload).term?.number }
        #expect(terms == [5])
        let rooms = try events.filter { $0.type == "room.saved" }.map { try MemberV1.RoomEvent(decoding: $0.payload).room }
        #expect(rooms.map { $0?.id } == [Int64(room)])
        #expect(rooms.first??.name == "新华社区协商议事室")
        #expect(events.map(\.sequence) == Array(1...UInt64(events.count)))
        await registry.stop()
    }

    @Test("health, describe, and JSON everywhere")
    func healthAndDescribe() async throws {
        let registry = try await ServiceProcess("member-registry", dataDir: try temporaryDirectory("registry-health"))
        // Only the registry runs here: health lists it serving, the scheduler unreachable, and
        // exits 4 because not everything is up.
        let healthRun = try await runCommand(
            builtExecutable("gateway"), ["health", "--json", "--timeout", "2"],
            environment: ["XIESHANG_REGISTRY_ENDPOINT": registry.rpcEndpoint, "XIESHANG_SCHEDULER_ENDPOINT": "tcp://127.0.0.1:1"])
        #expect(healthRun.status == 4)
        let health = try healthRun.json() as? [[String: Any]]
        #expect(health?.first?["status"] as? String == "serving")
        #expect((health?.first?["storage"] as? String)?.contains("member-registry.sqlite (wal)") == true)
        #expect(health?.last?["status"] as? String == "unreachable")
        let described = try await json(registry, "describe", "member-registry") as? [String: Any]
        let methods = (described?["methods"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(methods.contains("member.v1.Members/Import"))
        #expect(methods.contains("member.v1.Members/ResolveGroup"))
        let sectors = try await json(registry, "member", "sectors") as? [String]
        #expect(sectors?.contains("医药卫生界") == true)
        await registry.stop()
        // With the registry down, health says so and exits 4.
        let down = try await runCommand(builtExecutable("gateway"), ["health", "--timeout", "2"],
                                        environment: ["XIESHANG_REGISTRY_ENDPOINT": registry.rpcEndpoint])
        #expect(down.status == 4)
        #expect(down.stdout.contains("unreachable"))
    }
}
