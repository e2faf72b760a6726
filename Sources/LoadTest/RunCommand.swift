import ArgumentParser
import Foundation
import Histogram
import Logging
import XieshangRPC
import XieshangWire
import XieshangZMQ

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Drive load against meeting-scheduler over the real RPC path and report latencies.",
        discussion: """
            Closed loop with --concurrency N (each of N callers sends its next request when the \
            last one is answered), or open loop with --rate R (requests are sent at R per second \
            whatever happens, and latency counts from when each should have been sent, so a \
            stalled service shows in the figures: coordinated omission corrected, as wrk2 does).

            Before the run it creates its own term (if none), work station, --rooms rooms and \
            --members members in member-registry, unless --use-existing.

            Examples: loadtest run --concurrency 16 --duration 30 --warmup 5
                      loadtest run --rate 200 --duration 60 \\
                        --mix schedule=50,query-room=50 --max-p99-ms 50
                      loadtest run --mix noop=1 --scheduler tcp://127.0.0.1:7301 \\
                        --concurrency 16 --duration 10

            The last is against `loadtest serve-noop`, as `make bench` runs it.
            """)

    @Option(help: "meeting-scheduler's endpoint (or the no-op server's with --mix noop=1).")
    var scheduler: String = SuiteService.scheduler.rpcEndpoint(flag: nil)

    @Option(help: "member-registry's endpoint, for creating or finding rooms and members.")
    var registry: String = SuiteService.registry.rpcEndpoint(flag: nil)

    @Option(help: "Closed loop: this many callers, each waiting for its reply before the next request.")
    var concurrency: Int?

    @Option(help: "Open loop: this many requests per second, whatever the replies.")
    var rate: Double?

    @Option(help: "Seconds to measure, after the warm-up.")
    var duration: Double = 10

    @Option(help: "Seconds to run before measuring.")
    var warmup: Double = 2

    @Option(help: "DEALER connections the callers share.")
    var connections: Int = 4

    @Option(help: "Operation weights: schedule, query-room, query-member, find-slot, noop.")
    var mix: String = "schedule=20,query-room=30,query-member=30,find-slot=20"

    @Option(help: "Rooms to create for the run.")
    var rooms: Int = 20

    @Option(help: "Members to create for the run.")
    var members: Int = 200

    @Flag(help: "Use the registry's existing rooms and members instead of creating new ones.")
    var useExisting = false

    @Option(help: "Days ahead over which meetings are spread.")
    var horizonDays: Int = 365

    @Option(help: "Per-request deadline in milliseconds.")
    var timeoutMs: Int = 5_000

    @Option(help: "Open loop: the most requests outstanding at once before sending waits.")
    var maxOutstanding: Int = 10_000

    @Option(help: "Seed of the random choices (same seed, same sequence of requests).")
    var seed: UInt64 = 1

    @Flag(help: "Print the result as JSON on standard output.")
    var json = false

    @Flag(help: "No progress line every second.")
    var quiet = false

    @Option(help: "Gate: exit 3 if any operation's p99 is above this many milliseconds.")
    var maxP99Ms: Double?

    @Option(help: "Gate: exit 3 if fewer operations per second than this complete.")
    var minThroughput: Double?

    @Option(help: "Gate: exit 3 if errors exceed this fraction of requests (0.01 is 1%).")
    var maxErrorRate: Double?

    @Option(help: "Write the id of every meeting whose scheduling was acknowledged to this file, one per line (for crash tests).")
    var acknowledged: String?

    @Option(help: "Folder of CURVE keys, for a suite run with keys (env XIESHANG_KEYS_DIR); needs the identity's pair and the services' public keys.")
    var keys: String?

    @Option(help: "Whose key pair to use; an admin or staff key (env XIESHANG_IDENTITY; default admin).")
    var identity: String?

    /// CURVE settings for calling `service`, when a keys folder is given.
    func security(for service: String) throws -> ClientSecurity? {
        let source = SettingSource()
        guard let dir = source.text(keys, "XIESHANG_KEYS_DIR") else { return nil }
        let folder = KeyFolder(dir)
        let name = source.text(identity, "XIESHANG_IDENTITY") ?? "admin"
        do {
            return try folder.clientSecurity(as: name, calling: service)
        } catch {
            throw failure("keys: \(error)")
        }
    }

    func validate() throws {
        if (concurrency == nil) == (rate == nil) { throw ValidationError("give --concurrency (closed loop) or --rate (open loop)") }
        if let concurrency, concurrency < 1 || concurrency > 10_000 { throw ValidationError("--concurrency must be 1 to 10000") }
        if let rate, !(rate > 0 && rate <= 1_000_000) { throw ValidationError("--rate must be above 0 and at most 1000000") }
        if duration <= 0 || duration > 86_400 { throw ValidationError("--duration must be above 0 and at most 86400 seconds") }
        if warmup < 0 { throw ValidationError("--warmup must not be negative") }
        if connections < 1 || connections > 1_000 { throw ValidationError("--connections must be 1 to 1000") }
        if Mix(mix) == nil { throw ValidationError("--mix: write OPERATION=WEIGHT,… with operations \(Operation.allCases.map(\.rawValue).joined(separator: ", "))") }
        if rooms < 1 || members < 5 { throw ValidationError("--rooms must be at least 1 and --members at least 5") }
        if horizonDays < 1 { throw ValidationError("--horizon-days must be at least 1") }
    }

    func run() async throws {
        let mix = Mix(mix)!
        var logger = Logger(label: "loadtest")
        logger.logLevel = .critical
        let context = try ZMQContext()
        let timeout = Duration.milliseconds(timeoutMs)

        let fixture: Fixture
        if mix.usesScheduler {
            var configuration = RPCClientConfiguration(endpoints: registry.split(separator: ",").map(String.init), caller: "loadtest")
            configuration.defaultTimeout = .seconds(60)
            configuration.security = try security(for: "member-registry")
            let client = try RPCClient(configuration: configuration, context: context, logger: logger)
            do {
                fixture = try await Setup(client: client, log: quiet ? { _ in } : { progress($0) })
                    .fixture(rooms: rooms, members: members, useExisting: useExisting, horizonDays: horizonDays)
            } catch {
                await client.close()
                throw failure("setup failed: \(error)")
            }
            await client.close()
        } else {
            fixture = Fixture(rooms: [0], members: [0], firstDayMs: 0, horizonDays: 1)
        }

        // The no-op server stands in for meeting-scheduler when it runs with keys
        // (serve-noop --keys), so the same keys serve both.
        let schedulerSecurity = try security(for: "meeting-scheduler")
        var clients: [RPCClient] = []
        for index in 0..<connections {
            var configuration = RPCClientConfiguration(endpoints: scheduler.split(separator: ",").map(String.init), caller: "loadtest-\(index)")
            configuration.defaultTimeout = timeout
            configuration.retry.maxAttempts = 1   // a load test reports failures, it does not hide them
            configuration.security = schedulerSecurity
            clients.append(try RPCClient(configuration: configuration, context: context, logger: logger))
        }
        let recorder = Recorder()
        let log = try acknowledged.map { try AcknowledgedLog(path: $0) }
        let workloads = clients.map { Workload(fixture: fixture, scheduler: $0, timeout: timeout, acknowledged: log) }
        let started = ContinuousClock.now
        let measureFrom = started + .milliseconds(Int64(warmup * 1000))
        let end = measureFrom + .milliseconds(Int64(duration * 1000))
        if !quiet { progress("running \(concurrency.map { "closed loop, \($0) callers" } ?? "open loop, \(rate!)/s") for \(warmup)s warm-up + \(duration)s") }

        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(until: measureFrom, clock: .continuous)
                recorder.startRecording()
                var second = 0
                while ContinuousClock.now < end {
                    try? await Task.sleep(for: .seconds(1))
                    second += 1
                    let interval = recorder.takeInterval()
                    if !quiet {
                        let p99 = interval.histogram.totalCount > 0 ? Double(interval.histogram.valueAtPercentile(99)) / 1000 : 0
                        progress(String(format: "[%3ds] %7d ops/s  p99 %8.2f ms  errors %d  refusals %d", second, interval.completed, p99,
                                        interval.errors.values.reduce(0, +), interval.refusals))
                    }
                }
            }
            if let concurrency {
                for worker in 0..<concurrency {
                    let workload = workloads[worker % workloads.count]
                    // On the client's socket thread, as an event-loop client's callers run:
                    // a call and its reply wake no other thread in this process.
                    group.addTask(executorPreference: workload.scheduler.executor) {
                        var random = SplitMix(seed: seed &* 1_000_003 &+ UInt64(worker))
                        while ContinuousClock.now < end {
                            let operation = mix.pick(&random)
                            let sent = ContinuousClock.now
                            let outcome: Recorder.Outcome
                            do {
                                try await workload.run(operation, random: &random)
                                outcome = .ok
                            } catch {
                                outcome = Recorder.outcome(of: error)
                            }
                            recorder.record(operation.rawValue, micros: micros(ContinuousClock.now - sent), outcome: outcome)
                        }
                    }
                }
            } else if let rate {
                let interval = Duration.seconds(1.0 / rate)
                let outstanding = Outstanding()
                group.addTask {
                    await withTaskGroup(of: Void.self) { sends in
                        var random = SplitMix(seed: seed)
                        var index: Int64 = 0
                        while true {
                            // Each request has its intended time; latency counts from it.
                            let intended = started + interval * Double(index)
                            guard intended < end else { break }
                            try? await Task.sleep(until: intended, clock: .continuous)
                            while outstanding.count >= maxOutstanding { try? await Task.sleep(for: .milliseconds(1)) }
                            let operation = mix.pick(&random)
                            let workload = workloads[Int(index) % workloads.count]
                            var own = SplitMix(seed: random.next())
                            outstanding.add(1)
                            sends.addTask(executorPreference: workload.scheduler.executor) {
                                let outcome: Recorder.Outcome
                                do {
                                    try await workload.run(operation, random: &own)
                                    outcome = .ok
                                } catch {
                                    outcome = Recorder.outcome(of: error)
                                }
                                if intended >= measureFrom {
                                    recorder.record(operation.rawValue, micros: micros(ContinuousClock.now - intended), outcome: outcome)
                                }
                                outstanding.add(-1)
                            }
                            index += 1
                        }
                    }
                }
            }
        }
        for client in clients { await client.close() }

        let report = Report(recorder: recorder, seconds: duration, mode: concurrency.map { "closed loop, \($0) callers" } ?? "open loop, \(rate!)/s")
        if json { try report.printJSON() } else { report.printTable() }
        let violations = report.violations(maxP99Ms: maxP99Ms, minThroughput: minThroughput, maxErrorRate: maxErrorRate)
        if !violations.isEmpty {
            for v in violations { progress("SLO violated: \(v)") }
            throw ExitCode(3)
        }
    }
}

/// Requests sent and not yet answered, in open loop.
final class Outstanding: Sendable {
    private let value = Synchronization.Atomic<Int>(0)
    func add(_ delta: Int) { value.add(delta, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

import Synchronization

func micros(_ duration: Duration) -> UInt64 {
    let c = duration.components
    return UInt64(max(0, c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000))
}

func progress(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func failure(_ text: String) -> some Error {
    progress("loadtest: \(text)")
    return ExitCode(1)
}
