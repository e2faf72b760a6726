import Crypto
import Foundation
import HummingbirdBcrypt

/// Random tokens, their stored hashes, and passwords.
enum Secrets {
    /// 32 random bytes, URL-safe base64 without padding: a session's or an invitation's token.
    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// An invitation's code, typed by a person: 8 characters without 0/O, 1/I/L (about 39 bits;
    /// a wrong code five times voids the invitation).
    static func code() -> String {
        let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// What is stored for a token or a code.
    static func digest(_ text: String) -> Data {
        Data(SHA256.hash(data: Data(text.utf8)))
    }

    /// Equal without telling by its timing where two strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}

/// Passwords: bcrypt (hummingbird-auth's), at a cost that takes a good fraction of a second.
public enum Passwords {
    public static let minimumCharacters = 10
    /// bcrypt reads at most 72 bytes; a longer password would be silently cut.
    public static let maximumBytes = 72
    static let cost: UInt8 = 12

    /// Why a new password is refused, in the person's words; nil when it will do.
    public static func problem(_ password: String, login: String) -> String? {
        if password.count < minimumCharacters { return "密码至少 \(minimumCharacters) 个字符" }
        if password.utf8.count > maximumBytes { return "密码最多 \(maximumBytes) 个字节（约 24 个汉字或 72 个字母）" }
        if password.lowercased().contains(login.lowercased()) { return "密码不能包含登录名" }
        if Set(password).count < 4 { return "密码过于简单" }
        return nil
    }

    static func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }
    static func verify(_ password: String, _ hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }
    /// A hash to check against when the login is unknown, so that an unknown login takes as
    /// long as a known one.
    static let decoy = Bcrypt.hash("decoy-password-never-used", cost: cost)
}
