@preconcurrency import CZeroMQ

/// CURVE key pairs (Z85-encoded, 40 characters each).
public enum ZMQCurve {
    public struct KeyPair: Sendable, Hashable {
        public let publicKey: String
        public let secretKey: String
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
}
