import Foundation
import XieshangZMQ

/// A problem with a key file or an allow-list, said with the file and line.
public struct KeyFileError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The keys folder: one CURVE key pair per service and per user, and one allow-list per
/// service. Everything is text, so operators can read and diff it.
///
/// ```
/// keys/
///   member-registry.key     secret: public-key and secret-key (mode 0600)
///   member-registry.pub     public-key only; give it to whoever calls the service
///   member-registry.allow   who may call member-registry, and as what
///   wang.key  wang.pub      a staff user's pair
/// ```
public struct KeyFolder: Sendable {
    public let path: String

    public init(_ path: String) {
        self.path = path
    }

    public func secretFile(_ name: String) -> String { "\(path)/\(name).key" }
    public func publicFile(_ name: String) -> String { "\(path)/\(name).pub" }
    public func allowFile(_ service: String) -> String { "\(path)/\(service).allow" }

    /// A name usable as a key's file name: letters, digits, `-`, `_`, `.`; not starting with `.`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// Creates a key pair for `name` and writes its `.key` (0600) and `.pub` (0644) files.
    /// Refuses to replace an existing pair unless `replace` is set.
    @discardableResult
    public func generate(_ name: String, replace: Bool = false) throws -> ZMQCurve.KeyPair {
        guard Self.isValidName(name) else {
            throw KeyFileError("\"\(name)\" cannot name a key: use letters, digits, - _ and . only")
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !replace && FileManager.default.fileExists(atPath: secretFile(name)) {
            throw KeyFileError("\(secretFile(name)) exists already; pass --replace to make a new pair (the old public key stops working)")
        }
        let pair = try ZMQCurve.generateKeyPair()
        try Self.write(secretFile(name), mode: 0o600, """
            # Xieshang CURVE key pair of \(name). Secret: keep it private (mode 0600).
            public-key = "\(pair.publicKey)"
            secret-key = "\(pair.secretKey)"

            """)
        try Self.write(publicFile(name), mode: 0o644, """
            # Xieshang CURVE public key of \(name). Shareable.
            public-key = "\(pair.publicKey)"

            """)
        return pair
    }

    /// The key pair of `name`, from its `.key` file.
    public func keyPair(_ name: String) throws -> ZMQCurve.KeyPair {
        let file = secretFile(name)
        let values = try Self.read(file)
        guard let secret = values["secret-key"] else { throw KeyFileError("\(file) has no secret-key") }
        guard ZMQCurve.isKey(secret) else { throw KeyFileError("\(file): secret-key is not a Z85 CURVE key") }
        let derived = try ZMQCurve.publicKey(forSecretKey: secret)
        if let stated = values["public-key"], stated != derived {
            throw KeyFileError("\(file): public-key does not belong to secret-key")
        }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: file),
           let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
            throw KeyFileError("\(file) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 \(file)")
        }
        return ZMQCurve.KeyPair(publicKey: derived, secretKey: secret)
    }

    /// The public key of `name`, from its `.pub` file (or its `.key` file when only that exists).
    public func publicKey(_ name: String) throws -> String {
        let file = publicFile(name)
        guard FileManager.default.fileExists(atPath: file) else {
            if FileManager.default.fileExists(atPath: secretFile(name)) { return try keyPair(name).publicKey }
            throw KeyFileError("no public key of \(name): \(file) does not exist (gateway keys generate \(name))")
        }
        guard let key = try Self.read(file)["public-key"], ZMQCurve.isKey(key) else {
            throw KeyFileError("\(file) has no valid public-key")
        }
        return key
    }

    /// The CURVE settings for `identity` calling `server`: the identity's key pair and the
    /// server's public key, both from this folder. What services, the gateway and loadtest use.
    public func clientSecurity(as identity: String, calling server: String) throws -> ClientSecurity {
        ClientSecurity(keyPair: try keyPair(identity), serverKey: try publicKey(server))
    }

    /// Reads `key = "value"` lines; `#` starts a comment.
    static func read(_ file: String) throws -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw KeyFileError("cannot read \(file): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
        }
        var values: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[1].count >= 2, parts[1].hasPrefix("\""), parts[1].hasSuffix("\"") else {
                throw KeyFileError("\(file):\(index + 1): expected name = \"value\"")
            }
            values[parts[0]] = String(parts[1].dropFirst().dropLast())
        }
        return values
    }

    /// Writes a file atomically with `mode` from the start (a secret is never readable by others).
    static func write(_ file: String, mode: Int, _ text: String) throws {
        let temporary = file + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw KeyFileError("cannot write \(temporary)")
        }
        if rename(temporary, file) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw KeyFileError("cannot write \(file): \(reason)")
        }
    }
}

/// Who may call one service: CURVE public keys, each with its principal and role.
///
/// ```
/// # public key (Z85)                        role     principal
/// rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7  staff    wang
/// JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6  member   42
/// ```
public struct AllowList: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var publicKey: String
        public var principal: Principal
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public func principal(for publicKey: String) -> Principal? {
        entries.first { $0.publicKey == publicKey }?.principal
    }

    /// Checks an entry: a Z85 key; a name without spaces; member and unit principals are
    /// the member's or unit's id.
    public static func validate(publicKey: String, principal: Principal) throws {
        guard ZMQCurve.isKey(publicKey) else { throw KeyFileError("\"\(publicKey)\" is not a Z85 CURVE public key (40 characters)") }
        guard !principal.name.isEmpty, principal.name.count <= 64,
              !principal.name.contains(where: { $0.isWhitespace || $0 == "#" }) else {
            throw KeyFileError("principal \"\(principal.name)\" must be 1–64 characters without spaces or #")
        }
        if principal.role == .member || principal.role == .unit {
            guard let id = Int64(principal.name), id > 0 else {
                throw KeyFileError("a \(principal.role.rawValue) principal is the \(principal.role.rawValue)'s id (a positive number), not \"\(principal.name)\"")
            }
        }
    }

    /// Adds or replaces the entry of `publicKey`.
    public mutating func allow(_ publicKey: String, as principal: Principal) throws {
        try Self.validate(publicKey: publicKey, principal: principal)
        entries.removeAll { $0.publicKey == publicKey }
        entries.append(Entry(publicKey: publicKey, principal: principal))
    }

    /// Removes `publicKey`; false when it was not there.
    @discardableResult
    public mutating func revoke(_ publicKey: String) -> Bool {
        let before = entries.count
        entries.removeAll { $0.publicKey == publicKey }
        return entries.count != before
    }

    /// Parses the text of an allow-list; `file` names it in errors.
    public init(parsing text: String, file: String) throws {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // `#` is a Z85 character, so a comment is a whole line starting with "# " (or just "#").
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if fields.isEmpty || fields[0] == "#" { continue }
            guard fields.count == 3 else {
                throw KeyFileError("\(file):\(index + 1): expected PUBLIC-KEY ROLE PRINCIPAL")
            }
            guard let role = Role(rawValue: fields[1]), Role.keyed.contains(role) else {
                throw KeyFileError("\(file):\(index + 1): role \"\(fields[1])\" is not one of \(Role.spellings)")
            }
            do {
                try allow(fields[0], as: Principal(name: fields[2], role: role))
            } catch let error as KeyFileError {
                throw KeyFileError("\(file):\(index + 1): \(error.message)")
            }
        }
    }

    /// Reads an allow-list file; a missing file is an empty list (nobody may call).
    public static func load(_ file: String) throws -> AllowList {
        guard FileManager.default.fileExists(atPath: file) else { return AllowList() }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw KeyFileError("cannot read \(file): \(error.localizedDescription)")
        }
        return try AllowList(parsing: text, file: file)
    }

    public var text: String {
        var lines = ["# Xieshang allow-list: who may connect, and as what. Roles: \(Role.spellings).",
                     "# For the member and unit roles the principal is the member's or the unit's id.",
                     "# public key (Z85)                        role     principal"]
        for entry in entries {
            lines.append("\(entry.publicKey)  \(entry.principal.role.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.principal.name)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func save(_ file: String) throws {
        try KeyFolder.write(file, mode: 0o644, text)
    }
}
