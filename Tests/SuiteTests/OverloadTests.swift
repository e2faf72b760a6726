import Foundation
import Synchronization
import Testing
import XieshangRPC
import XieshangTestSupport
import XieshangWire

/// One caller floods a service past its in-flight bound.
@Suite("overload, as processes", .serialized)
struct OverloadTests {
    final class Tally: Sendable {
        let counts = Mutex<[StatusCode: Int]>([:])
        func add(_ code: StatusCode) { counts.withLock { $0[code, default: 0] += 1 } }
    }

    @Test("a flooding connection gets RESOURCE_EXHAUSTED past its share, a well-behaved caller is still served, memory stays bounded")
    func flood() async throws {
        let directory = try temporaryDirectory("overload")
        let registry = try await ServiceProcess("member-registry", dataDir: directory + "/registry")
        let scheduler = try await ServiceProcess("meeting-scheduler", dataDir: directory + "/scheduler",
                                                 arguments: ["--registry", registry.rpcEndpoint, "--registry-events", registry.eventEndpoint, "--max-in-flight", "8"])
        func client() throws -> RPCClient {
            return try testClient([scheduler.rpcEndpoint], caller: "overload", timeout: .seconds(5), attempts: 1)
        }
        let flooder = try client()
        let polite = try client()
        var list = MeetingV1.ListMeetingsRequest()
        list.fromMs = 0
        list.pageSize = 100
        let request = list
        _ = try await polite.call(MeetingV1.Meetings.list, request, options: .read)
        let before = try #require(scheduler.residentKiB)

        // 64 callers on one connection, as fast as they can, for three seconds.
        let flood = Tally()
        let end = ContinuousClock.now + .seconds(3)
        let flooding = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        while ContinuousClock.now < end {
                            do throws(RPCError) {
                                _ = try await flooder.call(MeetingV1.Meetings.list, request, options: .read)
                                flood.add(.ok)
                            } catch {
                                flood.add(error.code)
                            }
                        }
                    }
                }
            }
        }
        // Meanwhile a caller with one request at a time.
        let served = Tally()
        for _ in 0..<30 {
            do throws(RPCError) {
                _ = try await polite.call(MeetingV1.Meetings.list, request, options: .read)
                served.add(.ok)
            } catch {
                served.add(error.code)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        await flooding.value
        let after = try #require(scheduler.residentKiB)

        let flooded = flood.counts.withLock { $0 }
        #expect((flooded[.resourceExhausted] ?? 0) > 0, "the flood went past its share: \(flooded)")
        #expect((flooded[.ok] ?? 0) > 0, "and the flood was served up to it: \(flooded)")
        #expect(Set(flooded.keys).isSubset(of: [.ok, .resourceExhausted]), "\(flooded)")
        #expect(served.counts.withLock { $0 } == [.ok: 30], "the polite caller was always served: \(served.counts.withLock { $0 })")
        #expect(after - before < 64 * 1024, "resident memory grew by \(after - before) KiB under the flood")
        // And the service is fine afterwards.
        #expect(try await polite.call(RpcV1.Health.check, RpcV1.HealthCheckRequest()).status == .serving)
        await flooder.close()
        await polite.close()
        #expect(await scheduler.stop() == 0)
        await registry.stop()
    }
}
