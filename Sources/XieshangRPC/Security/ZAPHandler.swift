import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import XieshangZMQ

/// The current allow-list of one service, reloaded when its file changes or on SIGHUP.
/// The ZAP handler asks it at each handshake, the RPC server at each request (so a revoked
/// key stops working on connections already open, too).
public final class Authenticator: Sendable {
    public let file: String
    private let state: Mutex<(list: AllowList, stamp: FileStamp?)>
    private let logger: Logger
    private let withdrawals = Atomic<Int>(0)

    /// Counts the reloads that took a key away or changed who it is: whoever holds an open
    /// connection that only a handshake checked (an event subscription) must be made to
    /// handshake again when it moves.
    public var withdrawalCount: Int { withdrawals.load(ordering: .acquiring) }

    struct FileStamp: Equatable {
        let modified: Date
        let size: Int
        let inode: Int
    }

    /// Loads `file`; a broken file is an error here (the service does not start).
    public init(file: String, logger: Logger) throws {
        self.file = file
        self.logger = logger
        let stamp = Self.stamp(file)
        state = Mutex((try AllowList.load(file), stamp))
    }

    /// An authenticator over a fixed list (tests, and tools that never reload).
    public init(list: AllowList, logger: Logger) {
        file = ""
        self.logger = logger
        state = Mutex((list, nil))
    }

    public func principal(for publicKey: String) -> Principal? {
        state.withLock { $0.list.principal(for: publicKey) }
    }

    public var list: AllowList { state.withLock { $0.list } }

    /// Reads the file again. A file that no longer parses keeps the previous list (an
    /// operator's typo must not lock everyone out, nor let anyone in) and is logged.
    public func reload() {
        guard !file.isEmpty else { return }
        let stamp = Self.stamp(file)
        do {
            let list = try AllowList.load(file)
            let (changed, withdrawn) = state.withLock { state -> (Bool, Bool) in
                defer { state = (list, stamp) }
                let withdrawn = state.list.entries.contains { list.principal(for: $0.publicKey) != $0.principal }
                return (state.list != list, withdrawn)
            }
            if withdrawn { withdrawals.add(1, ordering: .releasing) }
            if changed { logger.notice("allow-list reloaded", metadata: ["file": "\(file)", "entries": "\(list.entries.count)"]) }
        } catch {
            state.withLock { $0.stamp = stamp }
            logger.error("allow-list not reloaded; the previous one stays in force", metadata: ["error": "\(error)"])
        }
    }

    /// Reloads when the file's modification time, size or inode changed.
    public func reloadIfChanged() {
        guard !file.isEmpty else { return }
        let stamp = Self.stamp(file)
        if stamp != state.withLock({ $0.stamp }) { reload() }
    }

    private static func stamp(_ file: String) -> FileStamp? {
        var info = stat()
        guard stat(file, &info) == 0 else { return nil }
        return FileStamp(
            modified: Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9),
            size: Int(info.st_size), inode: Int(info.st_ino))
    }
}

/// The ZAP handler (RFC 27) of one ZeroMQ context: libzmq asks it, for every CURVE
/// handshake on the context's server sockets, whether the client's public key may connect.
/// It answers from the `Authenticator` and sets the `User-Id` of the connection to the key.
///
/// It binds in `init`, before any server socket exists. Server sockets are made with
/// `ZMQ_ZAP_ENFORCE_DOMAIN`, so if this handler is missing or its thread dies, libzmq
/// refuses every handshake instead of accepting everyone; and `run()` then throws, which
/// stops the service.
public final class ZAPHandler: Service, Sendable {
    public static let endpoint = "inproc://zeromq.zap.01"
    /// The ZAP domain of every Xieshang RPC (ROUTER) socket: any allowed key connects, and
    /// the permission table decides each call.
    public static let domain = "xieshang"
    /// The ZAP domain of event (PUB) sockets: a subscription has no calls to check one by
    /// one, so only the keys the service names as consumers of its events connect.
    public static let eventsDomain = "xieshang.events"

    public let authenticator: Authenticator
    /// Whether a principal may subscribe to the service's events (its permission table's
    /// rule for `event.v1.Events/Since`, which serves the same events).
    private let mayConsumeEvents: @Sendable (Principal) -> Bool
    private let logger: Logger
    private let socket: SocketHandoff
    private let wake = WakeSignal()
    private let control = Mutex<Control>(.running)
    private let done = ThreadCompletion()
    private let counters = Mutex<(allowed: Int, denied: Int)>((0, 0))
    /// A refused client reconnects every 100 ms: its refusals are logged once a second per
    /// kind and key, with how many were held back, not ten times a second.
    private let refusals = LogThrottle()

    private enum Control { case running, stopping, killed }

    public struct Stopped: Error, CustomStringConvertible {
        public var description: String {
            "the ZAP handler stopped: every connection is refused from now on, so the service stops too"
        }
    }

    /// - Parameter mayConsumeEvents: who may connect to the service's event socket; by
    ///   default administrators only.
    public init(
        context: ZMQContext, authenticator: Authenticator, logger: Logger,
        mayConsumeEvents: @escaping @Sendable (Principal) -> Bool = { $0.role == .admin }
    ) throws(ZMQError) {
        self.authenticator = authenticator
        self.logger = logger
        self.mayConsumeEvents = mayConsumeEvents
        // SIGHUP reloads the allow-list (see run()); from now on it must not end the process.
        signal(SIGHUP, SIG_IGN)
        let rep = try context.socket(.rep)
        do {
            try rep.set(ZMQOption.linger, Int32(0))
            try rep.bind(Self.endpoint)
        } catch {
            rep.close(linger: 0)
            throw error
        }
        socket = SocketHandoff(rep)
        Thread.start(named: "zap") { [self] in
            loop(socket.take())
            done.finish()
        }
    }

    /// How many handshakes were allowed and denied so far.
    public var decisions: (allowed: Int, denied: Int) { counters.withLock { $0 } }

    /// Serves until graceful shutdown. Throws `Stopped` if the handler's thread ends
    /// before that (it died, or `kill()` was called).
    public func run() async throws {
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler { [authenticator] in authenticator.reload() }
        hangup.resume()
        defer { hangup.cancel() }
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await done.wait()
            } onCancel: {
                self.stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        if control.withLock({ $0 }) != .stopping {
            logger.critical("\(Stopped())")
            throw Stopped()
        }
    }

    /// Ends the handler as an orderly shutdown.
    public func stop() {
        control.withLock { if $0 == .running { $0 = .stopping } }
        wake.signal()
    }

    /// Ends the handler's thread as if it had died, leaving the service without one. For
    /// tests that prove the service then refuses, never accepts.
    public func kill() {
        control.withLock { $0 = .killed }
        wake.signal()
    }

    private func loop(_ rep: ZMQSocket) {
        var poller = ZMQPoller([.socket(rep), .fd(wake.readFD)])
        var lastCheck = ContinuousClock.now
        while control.withLock({ $0 }) == .running {
            let readable: [Bool]
            do {
                readable = try poller.poll(timeoutMs: 500)
            } catch {
                logger.critical("ZAP handler poll failed", metadata: ["error": "\(error)"])
                break
            }
            if readable[1] { wake.drain() }
            if control.withLock({ $0 }) != .running { break }
            if readable[0] {
                while let request = try? rep.receive() {
                    let reply = answer(request)
                    do {
                        try rep.send(reply, wait: true)
                    } catch {
                        logger.critical("ZAP handler cannot reply", metadata: ["error": "\(error)"])
                        rep.close(linger: 0)
                        return
                    }
                }
            }
            if ContinuousClock.now - lastCheck >= .seconds(1) {
                lastCheck = .now
                authenticator.reloadIfChanged()
            }
        }
        rep.close(linger: 0)
    }

    private func refused(_ message: Logger.Message, kind: String, _ metadata: Logger.Metadata) {
        let admitted = refusals.admit(kind)
        guard admitted.log else { return }
        var metadata = metadata
        if admitted.suppressed > 0 { metadata["zap.similar_not_logged"] = "\(admitted.suppressed)" }
        logger.warning(message, metadata: metadata)
    }

    /// One ZAP request → its reply: version, request id, status code, status text,
    /// user id, metadata.
    func answer(_ frames: [[UInt8]]) -> [[UInt8]] {
        func reply(_ requestID: [UInt8], _ code: String, _ text: String, userID: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(userID.utf8), []]
        }
        guard frames.count >= 6, String(decoding: frames[0], as: UTF8.self) == "1.0" else {
            logger.error("malformed ZAP request", metadata: ["frames": "\(frames.count)"])
            return reply(frames.count > 1 ? frames[1] : [], "500", "malformed ZAP request")
        }
        let requestID = frames[1]
        let domain = String(decoding: frames[2], as: UTF8.self)
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        guard mechanism == "CURVE", frames.count >= 7, let key = ZMQCurve.z85(frames[6]) else {
            counters.withLock { $0.denied += 1 }
            refused("refused a connection without CURVE", kind: "no-curve", ["peer": "\(address)", "mechanism": "\(mechanism)"])
            return reply(requestID, "400", "CURVE required")
        }
        guard let principal = authenticator.principal(for: key) else {
            counters.withLock { $0.denied += 1 }
            refused("refused an unknown key", kind: "unknown \(key)", ["peer": "\(address)", "key": "\(key)"])
            return reply(requestID, "400", "key not allowed")
        }
        if domain == Self.eventsDomain, !mayConsumeEvents(principal) {
            counters.withLock { $0.denied += 1 }
            refused("refused a subscription from a key that is not a consumer of these events", kind: "events \(key)",
                    ["peer": "\(address)", "principal": "\(principal)"])
            return reply(requestID, "400", "not a consumer of these events")
        }
        guard domain == Self.domain || domain == Self.eventsDomain else {
            counters.withLock { $0.denied += 1 }
            logger.error("refused a handshake on an unknown ZAP domain", metadata: ["domain": "\(domain)"])
            return reply(requestID, "400", "unknown domain")
        }
        counters.withLock { $0.allowed += 1 }
        logger.debug("allowed", metadata: ["peer": "\(address)", "principal": "\(principal)"])
        return reply(requestID, "200", "OK", userID: key)
    }
}
