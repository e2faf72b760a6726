import Dispatch
import Foundation
import GRDB
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization
import XieshangRPC
import XieshangWire
import XieshangZMQ

/// A service's figures in Prometheus's text format (swift-prometheus): requests by method and
/// status (refusals among them: PERMISSION_DENIED, RESOURCE_EXHAUSTED, …), their latency,
/// the calls in flight, frames dropped and replies undelivered, whether the storage is
/// healthy and its size, the outbox's newest event, and how far each event consumer is
/// behind its source. Counters move as requests are served; the rest is read at each scrape.
public final class ServiceMetrics: RPCRequestObserver, Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let service: String
    private let requests = Mutex<[String: Counter]>([:])
    private let latencies = Mutex<[String: DurationHistogram]>([:])
    /// What the counters read from the server's snapshot last reached.
    private let exported = Mutex<(dropped: Int, undelivered: Int, fullScans: Int, transactions: Int, writes: Int, statements: Int)>((0, 0, 0, 0, 0, 0))

    /// Request latency buckets: 100 µs to 10 s.
    static let buckets: [Duration] = [.microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
                                      .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                      .milliseconds(250), .milliseconds(500), .seconds(1), .microseconds(2_500_000), .seconds(5), .seconds(10)]

    public init(service: String) {
        self.service = service
    }

    private func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "xieshang", metricName: name, unitName: unit, helpText: help)
    }

    public func served(method: String, code: StatusCode, latency: Duration) {
        let key = method + " " + code.protoName
        let counter = requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: descriptor("rpc_requests", "total", "Requests served, by method and status code (refusals included)."),
                labels: [("service", service), ("method", method), ("code", code.protoName)])
            counters[key] = counter
            return counter
        }
        counter.increment()
        let histogram = latencies.withLock { histograms in
            if let histogram = histograms[method] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: descriptor("rpc_request_duration", "seconds", "Time from a request's arrival to its reply, by method."),
                labels: [("service", service), ("method", method)], buckets: Self.buckets)
            histograms[method] = histogram
            return histogram
        }
        histogram.record(latency)
    }

    /// A web page served (the portal's HTTP side): by route pattern (`/meetings/{id}`, never
    /// the address itself, whose ids would make a series each), method and status.
    public func servedPage(route: String, method: String, status: Int, latency: Duration) {
        let key = "http " + route + " " + method + " " + String(status)
        let counter = requests.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: descriptor("http_requests", "total", "Web requests answered, by route, method and status."),
                labels: [("service", service), ("route", route), ("method", method), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
        let histogram = latencies.withLock { histograms in
            if let histogram = histograms["http " + route] { return histogram }
            let histogram = registry.makeDurationHistogram(
                descriptor: descriptor("http_request_duration", "seconds", "Time to answer a web request, by route."),
                labels: [("service", service), ("route", route)], buckets: Self.buckets)
            histograms["http " + route] = histogram
            return histogram
        }
        histogram.record(latency)
    }

    /// Reads the figures that are states, not events, then writes every metric.
    func exposition(server: RPCServer, database: ServiceDatabase, consumers: [EventConsumer]) async -> [UInt8] {
        let labels = [("service", service)]
        let snapshot = server.metrics.snapshot()
        registry.makeGauge(descriptor: descriptor("rpc_in_flight", "requests", "Requests being handled now."), labels: labels)
            .set(to: Double(snapshot.inFlight))
        let fullScans = SQLiteSession.fullScans.count
        let commits = database.groupCommit.totals
        let statementsRun = SQLStatementTally.shared.count
        let (dropped, undelivered, scans, transactions, writes, statements) = exported.withLock { last in
            defer { last = (snapshot.droppedFrames, snapshot.undeliveredReplies, fullScans, commits.transactions, commits.writes, statementsRun) }
            return (snapshot.droppedFrames - last.dropped, snapshot.undeliveredReplies - last.undelivered, fullScans - last.fullScans,
                    commits.transactions - last.transactions, commits.writes - last.writes, statementsRun - last.statements)
        }
        registry.makeCounter(descriptor: descriptor("rpc_dropped_frames", "total", "Frames dropped because they could not be answered."), labels: labels)
            .increment(by: Int64(max(0, dropped)))
        registry.makeCounter(descriptor: descriptor("rpc_undelivered_replies", "total", "Replies that could not be sent: the caller had gone."), labels: labels)
            .increment(by: Int64(max(0, undelivered)))
        registry.makeCounter(descriptor: descriptor("storage_write_transactions", "total", "Transactions run for callers' changes (on SQLite one carries the changes of every call waiting for the writer: group commit)."), labels: labels)
            .increment(by: Int64(max(0, transactions)))
        registry.makeCounter(descriptor: descriptor("storage_writes", "total", "Callers' changes those transactions carried, each in a savepoint of its own: divided by the transactions, how many share a commit."), labels: labels)
            .increment(by: Int64(max(0, writes)))
        registry.makeCounter(descriptor: descriptor("sql_statements", "total", "Statements the service's own code ran (not the transactions' BEGIN, COMMIT and savepoints): divided by the requests, the SQL a request costs."), labels: labels)
            .increment(by: Int64(max(0, statements)))
        registry.makeCounter(descriptor: descriptor("sql_full_scans", "total", "Statements run that read 10,000 rows or more of a table from start to end: a query no index serves (each statement's first is logged with its SQL)."), labels: labels)
            .increment(by: Int64(max(0, scans)))

        let health = await database.healthCheck()
        registry.makeGauge(descriptor: descriptor("storage_healthy", "bool", "1 while the database can be read and written with room to spare, else 0."), labels: labels)
            .set(to: health.ok ? 1 : 0)
        let size = database.engine == .postgres ? "SELECT pg_database_size(current_database())" : "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        if let state = try? await database.readSession({ session in
            (try session.value(size, as: Int64.self) ?? 0,
             try session.value("SELECT COALESCE(MAX(sequence), 0) FROM outbox", as: Int64.self) ?? 0,
             try session.value("SELECT COUNT(*) FROM outbox", as: Int64.self) ?? 0)
        }) {
            registry.makeGauge(descriptor: descriptor("storage_database", "bytes", "The size of the service's database (SQLite's file, or the PostgreSQL database replicas share)."), labels: labels)
                .set(to: Double(state.0))
            registry.makeGauge(descriptor: descriptor("outbox_newest", "sequence", "The sequence number of the newest event in the outbox."), labels: labels)
                .set(to: Double(state.1))
            registry.makeGauge(descriptor: descriptor("outbox", "events", "Events kept in the outbox for consumers to catch up from."), labels: labels)
                .set(to: Double(state.2))
        }
        for consumer in consumers {
            let source = labels + [("source", consumer.source)]
            if let (applied, newest) = try? await consumer.progress() {
                registry.makeGauge(descriptor: descriptor("consumer_lag", "events", "Events a source has that this service has not applied yet."), labels: source)
                    .set(to: Double(newest - applied))
                registry.makeGauge(descriptor: descriptor("consumer_applied", "sequence", "The last event applied from a source."), labels: source)
                    .set(to: Double(applied))
            }
            registry.makeGauge(descriptor: descriptor("consumer_failing", "bool", "1 while the consumer cannot follow its source (replaced, restored, unreachable)."), labels: source)
                .set(to: consumer.problem == nil ? 0 : 1)
        }
        return registry.emitToBuffer()
    }
}

/// Serves `GET /metrics` over HTTP/1.1 on one address (loopback by default): what
/// Prometheus scrapes. One connection at a time, each closed after its answer; a request
/// that does not arrive whole within two seconds, or is larger than 8 KiB, is dropped.
public final class MetricsListener: Service, Sendable {
    /// `http://127.0.0.1:7109/metrics`, with the port the system gave for `:0`.
    public let url: String
    private let fd: Int32
    private let render: @Sendable () async -> [UInt8]
    private let stopping = Atomic<Bool>(false)
    private let logger: Logger

    public struct AddressError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds `address` (`HOST:PORT`, IPv4; port 0 picks a free one).
    public init(address: String, logger: Logger, render: @escaping @Sendable () async -> [UInt8]) throws {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw AddressError(description: "metrics address \"\(address)\" is not HOST:PORT (e.g. 127.0.0.1:7109)")
        }
        let host = String(address[..<colon])
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &socketAddress.sin_addr) == 1 else {
            throw AddressError(description: "metrics address \"\(address)\": \(host) is not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AddressError(description: "cannot open a socket for metrics: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw AddressError(description: "cannot listen for metrics on \(address): \(reason) (--metrics-address, or off)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.fd = fd
        self.url = "http://\(host):\(UInt16(bigEndian: actual.sin_port))/metrics"
        self.render = render
        self.logger = logger
    }

    public func run() async throws {
        let done = ThreadCompletion()
        Thread.start(named: "metrics-http") { [self] in
            serve()
            done.finish()
        }
        logger.info("serving metrics", metadata: ["metrics.url": "\(url)"])
        let stop: @Sendable () -> Void = { [self] in stopping.store(true, ordering: .relaxed) }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await done.wait()
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
        }
        stop()
        await done.wait()
        close(fd)
    }

    private func serve() {
        while !stopping.load(ordering: .relaxed) {
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 100) > 0 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 8192 {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            request += buffer[0..<count]
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
            if let text = String(bytes: request, encoding: .utf8), text.contains("\r\n\r\n") { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let status: String
        var body: [UInt8]
        var type = "text/plain; charset=utf-8"
        if line.count < 2 || !(line[0] == "GET" || line[0] == "HEAD") {
            status = "405 Method Not Allowed"
            body = Array("GET /metrics\n".utf8)
        } else if line[1] != "/metrics" && !line[1].hasPrefix("/metrics?") {
            status = "404 Not Found"
            body = Array("metrics are at /metrics\n".utf8)
        } else {
            status = "200 OK"
            type = "text/plain; version=0.0.4; charset=utf-8"
            let rendered = Mutex<[UInt8]>([])
            let ready = DispatchSemaphore(value: 0)
            let render = self.render
            Task {
                let bytes = await render()
                rendered.withLock { $0 = bytes }
                ready.signal()
            }
            ready.wait()
            body = rendered.withLock { $0 }
        }
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + (line.first == "HEAD" ? [] : body)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }
}
