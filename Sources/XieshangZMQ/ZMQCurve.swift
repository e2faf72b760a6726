@preconcurrency import CZeroMQ

/// CURVE key pairs (Z85-encoded, 40 characters each).
public enum ZMQCurve {
    public struct KeyPair: Sendable, Hashable {
        public let publicKey: String
        public let secretKey: String

        public init(publicKey: String, secretKey: String) {
            self.publicKey = publicKey
            self.secretKey = secretKey
        }
    }

    public static func generateKeyPair() throws(ZMQError) -> KeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_keypair(&publicKey, &secretKey) != 0 { throw ZMQError.last("zmq_curve_keypair") }
        return KeyPair(publicKey: String(cCharacters: publicKey), secretKey: String(cCharacters: secretKey))
    }

    /// The public key that belongs to a secret key.
    public static func publicKey(forSecretKey secretKey: String) throws(ZMQError) -> String {
        var publicKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_public(&publicKey, secretKey) != 0 { throw ZMQError.last("zmq_curve_public") }
        return String(cCharacters: publicKey)
    }

    /// Z85 text of 32 key bytes (as ZAP hands over a CURVE client's public key).
    public static func z85(_ key: [UInt8]) -> String? {
        guard key.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        guard key.withUnsafeBufferPointer({ zmq_z85_encode(&text, $0.baseAddress, 32) }) != nil else { return nil }
        return String(cCharacters: text)
    }

    /// Whether `text` is a Z85 key: 40 characters of the Z85 alphabet that decode.
    public static func isKey(_ text: String) -> Bool {
        guard text.utf8.count == 40 else { return false }
        var bytes = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&bytes, text) != nil
    }
}
