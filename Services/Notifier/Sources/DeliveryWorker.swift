import CWebhook
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import XieshangRPC
import XieshangLabels
import XieshangService
import XieshangWire
import XieshangZMQ

/// Sends what the inbox recorded the intent to send: webhooks and e-mail, retried with
/// backoff, given up into the dead letters after `giveUpAfterMs`; sends due reminders and
/// digests. A delivery is marked sent only after it went out, so a crash in between sends it
/// again with the same delivery id (`X-Xieshang-Delivery`), which receivers deduplicate on.
public final class DeliveryWorker: Service, Sendable {
    let database: ServiceDatabase
    let configuration: NotifierConfiguration
    let registry: RPCClient
    let logger: Logger
    let tick: Duration

    public init(database: ServiceDatabase, configuration: NotifierConfiguration, registry: RPCClient, logger: Logger, tick: Duration = .milliseconds(250)) {
        self.database = database
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        self.tick = tick
    }

    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastDigest = Self.nowMs
            while !Task.isCancelled {
                do {
                    // Replicas on PostgreSQL: one delivers at a time, so no delivery goes out
                    // once per replica (a delivery in flight when its replica dies is sent
                    // again by the next, as after a crash).
                    guard await self.database.holdsLease("notifier-deliveries") else {
                        try? await Task.sleep(for: self.tick)
                        continue
                    }
                    let now = Self.nowMs
                    let configuration = self.configuration
                    _ = try await self.database.writeSession { db in try Reminders.sendDue(db, now: now, configuration: configuration) }
                    try await self.sendDue()
                    if now - lastDigest >= configuration.digestEveryMs {
                        lastDigest = now
                        try await self.sendDigests()
                    }
                } catch is CancellationError {
                    break
                } catch {
                    self.logger.warning("delivery round failed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.tick)
            }
        }
    }

    struct Due: Sendable {
        let id: Int64
        let channel: String
        let attempts: Int
        let createdAtMs: Int64
        let notification: NotificationV1.Notification
    }

    func sendDue() async throws {
        let now = Self.nowMs
        let due = try await database.readSession { db in try DeliveryStore.due(db, now: now) }
        for delivery in due {
            let outcome: Result<Void, DeliveryFailure>
            switch delivery.channel {
            case "webhook": outcome = await webhook(delivery)
            default: outcome = await email(delivery)
            }
            try await record(delivery, outcome)
        }
    }

    struct DeliveryFailure: Error, Sendable {
        let message: String
        var skip = false
    }

    func record(_ delivery: Due, _ outcome: Result<Void, DeliveryFailure>) async throws {
        let now = Self.nowMs
        let giveUp = configuration.giveUpAfterMs
        try await database.writeSession { db in
            switch outcome {
            case .success:
                try DeliveryStore.sent(db, delivery.id, at: now)
            case .failure(let failure) where failure.skip:
                try DeliveryStore.skipped(db, delivery.id, failure.message)
            case .failure(let failure):
                let attempts = delivery.attempts + 1
                let dead = now - delivery.createdAtMs >= giveUp
                let backoff = min(Int64(1000) << min(attempts - 1, 16), 300_000)
                try DeliveryStore.failed(db, delivery.id, attempts: attempts, dead: dead, nextAttemptMs: now + backoff, failure.message)
            }
        }
    }

    // MARK: - Webhook

    func webhook(_ delivery: Due) async -> Result<Void, DeliveryFailure> {
        guard let url = configuration.webhookURL else { return .failure(DeliveryFailure(message: "no webhook URL", skip: true)) }
        let n = delivery.notification
        let document: [String: Any] = [
            "delivery_id": delivery.id, "notification_id": n.id, "recipient_kind": n.recipient?.kind.protoName ?? "",
            "recipient_id": n.recipient?.id ?? 0, "title": n.title, "body": n.body, "rule": n.rule, "source": n.source,
            "created_at_ms": n.createdAtMs,
        ]
        guard let body = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else {
            return .failure(DeliveryFailure(message: "could not encode the notification"))
        }
        let headers = [
            "Content-Type: application/json; charset=utf-8",
            "X-Xieshang-Delivery: \(delivery.id)",
            "X-Xieshang-Signature: sha256=" + Self.signature(body, secret: configuration.webhookSecret),
            "Expect:",  // no 100-continue round trip for a larger body
        ]
        switch await Self.post(url.absoluteString, headers: headers, body: body, timeoutMs: 10_000) {
        case .success(let status) where (200..<300).contains(status): return .success(())
        case .success(let status): return .failure(DeliveryFailure(message: "HTTP \(status)"))
        case .failure(let failure): return .failure(failure)
        }
    }

    /// Webhook requests go out one at a time, off Swift's cooperative threads (libcurl blocks).
    private static let webhookQueue = DispatchQueue(label: "notifier.webhooks")

    /// One POST through libcurl (`xs_http_post`, which loads it the first time): the status,
    /// or why there is none.
    static func post(_ url: String, headers: [String], body: Data, timeoutMs: Int) async -> Result<Int, DeliveryFailure> {
        await withCheckedContinuation { continuation in
            webhookQueue.async {
                var error = [CChar](repeating: 0, count: 512)
                let copies = headers.map { strdup($0) }
                defer { copies.forEach { free($0) } }
                let lines = copies.map { UnsafePointer($0) }
                let status = lines.withUnsafeBufferPointer { lines in
                    body.withUnsafeBytes { body in
                        xs_http_post(url, lines.baseAddress, lines.count, body.baseAddress, body.count, timeoutMs, &error, error.count)
                    }
                }
                if status > 0 {
                    continuation.resume(returning: .success(status))
                } else {
                    let reason = String(cCharacters: error)
                    continuation.resume(returning: .failure(DeliveryFailure(message: reason.isEmpty ? "the request failed" : reason)))
                }
            }
        }
    }

    /// HMAC-SHA256 of the body with the shared secret, in hexadecimal.
    public static func signature(_ body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - E-mail

    func email(_ delivery: Due) async -> Result<Void, DeliveryFailure> {
        guard let command = configuration.sendmail else { return .failure(DeliveryFailure(message: "no sendmail command", skip: true)) }
        let address: String
        do {
            address = try await self.address(delivery.notification.recipient ?? NotificationV1.Recipient())
        } catch let failure as DeliveryFailure {
            return .failure(failure)
        } catch {
            return .failure(DeliveryFailure(message: "\(error)"))
        }
        let ics = (try? await database.readSession { [id = delivery.notification.id] db in try DeliveryStore.calendar(db, notification: id) }) ?? nil
        let message = Self.mail(to: address, subject: delivery.notification.title, body: delivery.notification.body,
                                id: "xieshang-delivery-\(delivery.id)", calendar: ics ?? "")
        return await Self.run(command + ["--", address], input: message)
    }

    /// The address as the mail command gets it, checked again here (whatever the registry
    /// holds, from before its checks were this strict): never an option, never a space.
    static func sendable(_ address: String) throws -> String {
        if let problem = EmailAddress.problem(address) {
            throw DeliveryFailure(message: "\"\(address)\" is not an address to send to: it \(problem)", skip: true)
        }
        return address
    }

    func address(_ recipient: NotificationV1.Recipient) async throws -> String {
        do {
            switch recipient.kind {
            case .member:
                var request = MemberV1.GetMemberRequest()
                request.id = recipient.id
                let email = try await registry.call(MemberV1.Members.get, request, options: .read).member?.email ?? ""
                if email.isEmpty { throw DeliveryFailure(message: "member \(recipient.id) has no e-mail address", skip: true) }
                return try Self.sendable(email)
            case .unit:
                var request = MemberV1.GetUnitRequest()
                request.id = recipient.id
                let email = try await registry.call(MemberV1.Units.get, request, options: .read).unit?.email ?? ""
                if email.isEmpty { throw DeliveryFailure(message: "unit \(recipient.id) has no e-mail address", skip: true) }
                return try Self.sendable(email)
            default:
                throw DeliveryFailure(message: "no e-mail for \(recipient.kind.protoName)", skip: true)
            }
        } catch let error as RPCError {
            if error.code == .notFound { throw DeliveryFailure(message: error.message, skip: true) }
            throw DeliveryFailure(message: "member-registry: \(error.message)")
        }
    }

    /// An RFC 5322 message with a UTF-8 subject (RFC 2047) and a base64 UTF-8 body; with a
    /// calendar, a multipart/mixed message whose second part is the meeting's `.ics`.
    public static func mail(to: String, subject: String, body: String, id: String, calendar: String = "") -> Data {
        let encodedSubject = "=?UTF-8?B?" + Data(subject.utf8).base64EncodedString() + "?="
        let date = { () -> String in
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
            return formatter.string(from: Date())
        }()
        func base64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        }
        var lines = ["To: \(to)", "Subject: \(encodedSubject)", "Date: \(date)", "Message-ID: <\(id)@xieshang>", "MIME-Version: 1.0"]
        if calendar.isEmpty {
            lines += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64", "", base64(body), ""]
        } else {
            let boundary = "xieshang-\(id)"
            lines += [
                "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "--\(boundary)",
                "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64", "", base64(body), "--\(boundary)",
                "Content-Type: text/calendar; charset=UTF-8; method=PUBLISH; name=\"meeting.ics\"",
                "Content-Disposition: attachment; filename=\"meeting.ics\"", "Content-Transfer-Encoding: base64", "", base64(calendar),
                "--\(boundary)--", "",
            ]
        }
        return Data(lines.joined(separator: "\r\n").utf8)
    }

    /// Runs the mail command with the message on its standard input (a file, not a pipe),
    /// for at most a minute.
    static func run(_ command: [String], input: Data) async -> Result<Void, DeliveryFailure> {
        let directory = NSTemporaryDirectory() + "xieshang-mail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let message = directory + "/message", errors = directory + "/stderr"
        let process: ChildProcess
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try input.write(to: URL(fileURLWithPath: message))
            process = try ChildProcess("/usr/bin/env", command, environment: ProcessInfo.processInfo.environment,
                                       stdin: message, stdout: "/dev/null", stderr: errors)
        } catch {
            return .failure(DeliveryFailure(message: "cannot run \(command.first ?? ""): \(error)"))
        }
        guard let status = await process.waitForExit(timeout: .seconds(60)) else {
            process.signal(SIGKILL)
            _ = await process.waitForExit(timeout: .seconds(5))
            return .failure(DeliveryFailure(message: "\(command.first ?? "") did not finish within a minute"))
        }
        if status == 0 { return .success(()) }
        let text = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        return .failure(DeliveryFailure(message: "\(command.first ?? "") exited \(status): \(text.prefix(200))"))
    }

    // MARK: - Digests

    func sendDigests() async throws {
        guard let command = configuration.sendmail else { return }
        let held = try await database.readSession { db in try DeliveryStore.held(db) }
        let groups = Dictionary(grouping: held) { "\($0.kind):\($0.recipient)" }
        for (_, items) in groups.sorted(by: { $0.key < $1.key }) {
            var recipient = NotificationV1.Recipient()
            recipient.kind = .init(rawValue: items[0].kind)
            recipient.id = items[0].recipient
            let ids = items.map(\.id)
            let outcome: Result<Void, DeliveryFailure>
            do {
                let address = try await self.address(recipient)
                let body = items.enumerated().map { "\($0.offset + 1). \($0.element.title)\n\($0.element.body)" }.joined(separator: "\n\n")
                outcome = await Self.run(command + ["--", address], input: Self.mail(to: address, subject: "政协通知汇总（\(items.count)条）", body: body, id: "xieshang-digest-\(ids[0])"))
            } catch let failure as DeliveryFailure {
                outcome = .failure(failure)
            }
            let now = Self.nowMs
            try await database.writeSession { db in
                let status: NotificationV1.DeliveryStatus
                var error = ""
                switch outcome {
                case .success: status = .sent
                case .failure(let f): status = f.skip ? .skipped : .held; error = f.message
                }
                try DeliveryStore.settleDigest(db, ids, status, sentAtMs: status == .sent ? now : 0, error)
            }
        }
    }
}
