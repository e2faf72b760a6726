import Foundation
import XieshangService
import XieshangRPC
import XieshangWire

/// A person who may sign in at the portal: a member or a handling unit.
public struct PortalAccount: Sendable, Equatable {
    public var id: Int64
    public var kind: PortalV1.AccountKind
    public var subjectID: Int64
    public var login: String
    public var name: String
    var passwordHash: String?
    public var disabled: Bool
    public var invitedAtMs: Int64
    public var lastSignInMs: Int64

    /// Whom the services are told the portal calls for: `member:13`, `unit:4`.
    public var principal: String { (kind == .unit ? "unit:" : "member:") + String(subjectID) }
    public var isMember: Bool { kind == .member }

    init(row: SQLRow) {
        id = row["id"]
        kind = PortalV1.AccountKind(rawValue: row["kind"])
        subjectID = row["subject_id"]
        login = row["login"]
        name = row["name"]
        passwordHash = row["password_hash"]
        disabled = row["disabled"]
        invitedAtMs = row["invited_at_ms"]
        lastSignInMs = row["last_sign_in_ms"]
    }

    /// As the office sees it: `sessions` signed in now, an open invitation until
    /// `invitationEnd` (0: none), untrusted browsers' recent failures and trusted browsers.
    func wire(sessions: Int32 = 0, invitationEnd: Int64 = 0, failures: Int32 = 0, browsers: Int32 = 0) -> PortalV1.Account {
        var a = PortalV1.Account()
        a.kind = kind
        a.subjectID = subjectID
        a.login = login
        a.name = name
        a.state = disabled ? .disabled : passwordHash == nil ? .invited : .active
        a.invitedAtMs = invitedAtMs
        a.lastSignInMs = lastSignInMs
        a.sessions = sessions
        a.invitationExpiresAtMs = invitationEnd
        a.failedSignIns = failures
        a.trustedBrowsers = browsers
        return a
    }
}

/// A signed-in session, as a page request finds it.
public struct PortalSession: Sendable {
    public var account: PortalAccount
    public var csrf: String
}

/// Every statement the portal runs on its database.
enum AccountStore {
    static let invitationLifetimeMs: Int64 = 7 * 24 * 3_600_000
    static let sessionLifetimeMs: Int64 = 12 * 3_600_000
    /// How long a failed sign-in counts (`PortalSettings.failureWindowMs`'s default, and the
    /// window the office's list counts them in).
    static let failureWindowMs: Int64 = 15 * 60_000
    /// How long a browser stays trusted for a login after it last signed in as it.
    static let deviceLifetimeMs: Int64 = 180 * 24 * 3_600_000
    /// The most browsers trusted for one account at once: those it signed in from last.
    static let devicesKept = 20
    /// The most sessions one account has open at once: the latest.
    static let sessionsKept = 20
    static let wrongCodesAllowed = 5

    static func login(kind: PortalV1.AccountKind, subject: Int64) -> String {
        (kind == .unit ? "u" : "m") + String(subject)
    }

    static func account(_ db: any SQLSession, login: String) throws -> PortalAccount? {
        try db.row("SELECT * FROM accounts WHERE login = ?", [login]).map(PortalAccount.init(row:))
    }

    /// Makes or renews the invitation of a member or unit; returns the account and the
    /// invitation's token and code (only their hashes are kept).
    static func invite(_ db: any SQLSession, kind: PortalV1.AccountKind, subject: Int64, name: String, now: Int64)
        throws -> (account: PortalAccount, token: String, code: String, expiresAtMs: Int64)
    {
        let login = login(kind: kind, subject: subject)
        try db.execute("""
            INSERT INTO accounts (kind, subject_id, login, name, invited_at_ms) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (login) DO UPDATE SET name = excluded.name, invited_at_ms = excluded.invited_at_ms
            """, [kind.rawValue, subject, login, name, now])
        guard let account = try account(db, login: login) else { throw RPCError(.internal, "account \(login) vanished") }
        let token = Secrets.token(), code = Secrets.code()
        let expires = now + invitationLifetimeMs
        try db.execute("""
            INSERT INTO invitations (account_id, token_hash, code_hash, expires_at_ms, wrong_codes) VALUES (?, ?, ?, ?, 0)
            ON CONFLICT (account_id) DO UPDATE SET token_hash = excluded.token_hash, code_hash = excluded.code_hash,
                expires_at_ms = excluded.expires_at_ms, wrong_codes = 0
            """, [account.id, Secrets.digest(token), Secrets.digest(code), expires])
        return (account, token, code, expires)
    }

    /// The account an unexpired invitation token belongs to.
    static func invitation(_ db: any SQLSession, token: String, now: Int64) throws -> PortalAccount? {
        try db.row("""
            SELECT a.* FROM invitations i JOIN accounts a ON a.id = i.account_id
            WHERE i.token_hash = ? AND i.expires_at_ms > ?
            """, [Secrets.digest(token), now]).map(PortalAccount.init(row:))
    }

    enum Acceptance: Equatable { case accepted(PortalAccount), wrongCode(left: Int), gone }

    /// Sets the password when the code matches; a wrong code counts, and the fifth voids the
    /// invitation. The invitation is used up once accepted.
    static func accept(_ db: any SQLSession, token: String, code: String, passwordHash: String, now: Int64) throws -> Acceptance {
        guard let row = try db.row("""
            SELECT i.account_id, i.code_hash, i.wrong_codes FROM invitations i WHERE i.token_hash = ? AND i.expires_at_ms > ?
            """, [Secrets.digest(token), now]) else { return .gone }
        let accountID: Int64 = row["account_id"]
        let stored: Data = row["code_hash"]
        let normalized = code.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        guard Secrets.digest(normalized) == stored else {
            let wrong: Int = row["wrong_codes"] + 1
            if wrong >= wrongCodesAllowed {
                try db.execute("DELETE FROM invitations WHERE account_id = ?", [accountID])
                return .gone
            }
            try db.execute("UPDATE invitations SET wrong_codes = ? WHERE account_id = ?", [wrong, accountID])
            return .wrongCode(left: wrongCodesAllowed - wrong)
        }
        try db.execute("UPDATE accounts SET password_hash = ? WHERE id = ?", [passwordHash, accountID])
        try db.execute("DELETE FROM invitations WHERE account_id = ?", [accountID])
        // A new password ends every session signed in with the old one, and the old trust.
        try db.execute("DELETE FROM sessions WHERE account_id = ?", [accountID])
        try forgetDevices(db, account: accountID)
        guard let account = try db.row("SELECT * FROM accounts WHERE id = ?", [accountID]) else { return .gone }
        return .accepted(PortalAccount(row: account))
    }

    /// The accounts of a kind and a state (unspecified: all), with their live sessions and
    /// the end of their open invitation.
    static func accounts(_ db: any SQLSession, kind: PortalV1.AccountKind, state: PortalV1.AccountState, now: Int64) throws -> [PortalV1.Account] {
        let inState = switch state {
        case .invited: "a.disabled = 0 AND a.password_hash IS NULL"
        case .active: "a.disabled = 0 AND a.password_hash IS NOT NULL"
        case .disabled: "a.disabled = 1"
        case .unspecified, .unrecognized: "1"
        }
        return try db.rows("""
            SELECT a.*, (SELECT COUNT(*) FROM sessions s WHERE s.account_id = a.id AND s.expires_at_ms > ?) AS live,
                   COALESCE((SELECT i.expires_at_ms FROM invitations i WHERE i.account_id = a.id AND i.expires_at_ms > ?), 0) AS open_until,
                   (SELECT COUNT(*) FROM sign_in_failures f WHERE f.login = a.login AND f.device IS NULL AND f.at_ms > ?) AS failures,
                   (SELECT COUNT(*) FROM devices d WHERE d.account_id = a.id AND d.expires_at_ms > ?) AS browsers
            FROM accounts a WHERE (? = 0 OR a.kind = ?) AND \(inState) ORDER BY a.kind, a.subject_id
            """, [now, now, now - failureWindowMs, now, kind.rawValue, kind.rawValue]).map {
                PortalAccount(row: $0).wire(sessions: $0["live"], invitationEnd: $0["open_until"], failures: $0["failures"], browsers: $0["browsers"])
            }
    }

    /// When the account's open invitation ends; 0 when none is open.
    static func invitationEnd(_ db: any SQLSession, account: Int64, now: Int64) throws -> Int64 {
        try db.value("SELECT expires_at_ms FROM invitations WHERE account_id = ? AND expires_at_ms > ?", [account, now], as: Int64.self) ?? 0
    }

    static func setDisabled(_ db: any SQLSession, login: String, disabled: Bool) throws -> PortalAccount? {
        guard let found = try account(db, login: login) else { return nil }
        try db.execute("UPDATE accounts SET disabled = ? WHERE id = ?", [disabled, found.id])
        if disabled { try endAllSessions(db, account: found.id) }
        return try account(db, login: login)
    }

    // MARK: - Signing in

    /// The hash of a device token when it is trusted for `login`: a browser that signed in as
    /// that login, within its lifetime and since the last new password or sign-out everywhere.
    /// Nil for no token, another login's, an expired or a forgotten one: the browser is
    /// untrusted.
    static func trustedDevice(_ db: any SQLSession, token: String?, login: String, now: Int64) throws -> Data? {
        guard let token, !token.isEmpty, token.count < 100 else { return nil }
        let hash = Secrets.digest(token)
        let trusted = try db.value("""
            SELECT COUNT(*) FROM devices d JOIN accounts a ON a.id = d.account_id
            WHERE d.token_hash = ? AND a.login = ? AND d.expires_at_ms > ?
            """, [hash, login, now], as: Int.self) ?? 0
        return trusted > 0 ? hash : nil
    }

    /// Failed sign-ins since `since` that hold this attempt back. From a trusted browser
    /// (`device`): its own failures, and nothing else — not a guesser's at the same login,
    /// nor its address's. From any other browser: the failures of every untrusted browser at
    /// the login (`client`) and at the address (`address`).
    static func failures(_ db: any SQLSession, login: String, address: String, device: Data?, since: Int64) throws -> (client: Int, address: Int) {
        if let device {
            let own = try db.value("SELECT COUNT(*) FROM sign_in_failures WHERE device = ? AND at_ms > ?", [device, since], as: Int.self) ?? 0
            return (own, 0)
        }
        let forLogin = try db.value("SELECT COUNT(*) FROM sign_in_failures WHERE login = ? AND device IS NULL AND at_ms > ?", [login, since], as: Int.self) ?? 0
        let forAddress = try db.value("SELECT COUNT(*) FROM sign_in_failures WHERE address = ? AND device IS NULL AND at_ms > ?", [address, since], as: Int.self) ?? 0
        return (forLogin, forAddress)
    }

    /// Takes a try at the password for an attempt, if its browser has one left: in one
    /// transaction, counts what holds it back (`failures`) and, under the limits, records the
    /// attempt as a failure at once, so that attempts sent together cannot all see the same
    /// count and each get a try. A success forgets it again (`startSession`); a process that
    /// dies before the password is checked leaves it counted. False: the browser is locked.
    static func takeTry(_ db: any SQLSession, login: String, address: String, device: Data?, since: Int64, now: Int64,
                        perClient: Int, perAddress: Int) throws -> Bool {
        // Portals sharing PostgreSQL take turns per login and per address (in one order).
        for name in ["portal-sign-in login \(login)", "portal-sign-in address \(address)"].sorted() { try db.serialize(name) }
        let held = try failures(db, login: login, address: address, device: device, since: since)
        guard held.client < perClient, held.address < perAddress else { return false }
        try db.execute("INSERT INTO sign_in_failures (login, address, device, at_ms) VALUES (?, ?, ?, ?)", [login, address, device, now])
        // Old failures count for nothing; keep the table small.
        try db.execute("DELETE FROM sign_in_failures WHERE at_ms < ?", [now - 24 * 3_600_000])
        return true
    }

    /// A new session, from a browser trusted for the account (`device`) or not. A trusted
    /// browser's failures are forgotten and its trust renewed; an untrusted browser's success
    /// forgets the untrusted failures at the login and makes the browser trusted: `device` is
    /// then the new device token, for its cookie.
    static func startSession(_ db: any SQLSession, account: PortalAccount, device: Data?, now: Int64) throws -> (token: String, csrf: String, device: String?) {
        let token = Secrets.token(), csrf = Secrets.token()
        try db.execute("INSERT INTO sessions (token_hash, account_id, csrf, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)", [Secrets.digest(token), account.id, csrf, now, now + sessionLifetimeMs])
        try db.execute("UPDATE accounts SET last_sign_in_ms = ? WHERE id = ?", [now, account.id])
        var newDevice: String?
        if let device {
            try db.execute("DELETE FROM sign_in_failures WHERE device = ?", [device])
            try db.execute("UPDATE devices SET expires_at_ms = ? WHERE token_hash = ?", [now + deviceLifetimeMs, device])
        } else {
            try db.execute("DELETE FROM sign_in_failures WHERE login = ? AND device IS NULL", [account.login])
            let made = Secrets.token()
            try db.execute("INSERT INTO devices (token_hash, account_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)", [Secrets.digest(made), account.id, now, now + deviceLifetimeMs])
            // A person has a few phones and computers; one who signs in from a fresh browser
            // again and again (or a script with the password) keeps only the latest few trusted.
            try db.execute("""
                DELETE FROM devices WHERE account_id = ? AND token_hash NOT IN
                    (SELECT token_hash FROM devices WHERE account_id = ? ORDER BY expires_at_ms DESC LIMIT ?)
                """, [account.id, account.id, devicesKept])
            newDevice = made
        }
        try db.execute("DELETE FROM sessions WHERE expires_at_ms < ?", [now])
        // Likewise the sessions: a person signed in on more browsers than this at once has
        // the oldest signed out.
        try db.execute("""
            DELETE FROM sessions WHERE account_id = ? AND token_hash NOT IN
                (SELECT token_hash FROM sessions WHERE account_id = ? ORDER BY created_at_ms DESC LIMIT ?)
            """, [account.id, account.id, sessionsKept])
        try db.execute("DELETE FROM devices WHERE expires_at_ms < ?", [now])
        return (token, csrf, newDevice)
    }

    /// Every browser trusted for the account is trusted no more (a new password, signing out
    /// everywhere, the account disabled): whoever had the old password keeps no way around a
    /// lock.
    static func forgetDevices(_ db: any SQLSession, account: Int64) throws {
        try db.execute("DELETE FROM devices WHERE account_id = ?", [account])
    }

    /// The live session of a token: unexpired, its account enabled.
    static func session(_ db: any SQLSession, token: String, now: Int64) throws -> PortalSession? {
        guard let row = try db.row("""
            SELECT a.*, s.csrf FROM sessions s JOIN accounts a ON a.id = s.account_id
            WHERE s.token_hash = ? AND s.expires_at_ms > ? AND a.disabled = 0
            """, [Secrets.digest(token), now]) else { return nil }
        return PortalSession(account: PortalAccount(row: row), csrf: row["csrf"])
    }

    /// A new password; every session signed in with the old one ends.
    static func setPassword(_ db: any SQLSession, account: Int64, hash: String) throws {
        try db.execute("UPDATE accounts SET password_hash = ? WHERE id = ?", [hash, account])
        try db.execute("DELETE FROM sessions WHERE account_id = ?", [account])
        try forgetDevices(db, account: account)
    }

    static func endSession(_ db: any SQLSession, token: String) throws {
        try db.execute("DELETE FROM sessions WHERE token_hash = ?", [Secrets.digest(token)])
    }

    static func endAllSessions(_ db: any SQLSession, account: Int64) throws {
        try db.execute("DELETE FROM sessions WHERE account_id = ?", [account])
        try forgetDevices(db, account: account)
    }
}
