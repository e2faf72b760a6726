/// How protobuf names become Swift names.
enum Names {
    static let keywords: Set<String> = [
        "any", "as", "associatedtype", "break", "case", "catch", "class", "continue", "default",
        "defer", "deinit", "do", "else", "enum", "extension", "fallthrough", "false", "for",
        "func", "guard", "if", "import", "in", "init", "inout", "internal", "is", "let", "nil",
        "operator", "private", "protocol", "public", "repeat", "rethrows", "return", "self",
        "Self", "some", "static", "struct", "subscript", "super", "switch", "throw", "throws",
        "true", "try", "Type", "typealias", "var", "where", "while",
    ]

    /// Words written in capitals after the first word (`request_id` → `requestID`).
    static let acronyms: [String: String] = ["id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs"]

    /// `xieshang.rpc.v1` → `RpcV1`.
    static func namespace(ofPackage package: String) -> String {
        let parts = package.split(separator: ".").map(String.init)
        let kept = parts.first == "xieshang" ? Array(parts.dropFirst()) : parts
        return kept.map(upperFirst).joined()
    }

    /// `request_id` → `requestID`, `f_int32` → `fInt32`; keywords get backticks.
    static func property(_ snake: String) -> String {
        let words = snake.split(separator: "_").map(String.init)
        guard let first = words.first else { return snake }
        let rest = words.dropFirst().map { acronyms[$0.lowercased()] ?? upperFirst($0) }
        return escaped(lowerFirst(first) + rest.joined())
    }

    /// `choice` → `Choice`, `_o_int64` → `OInt64`.
    static func type(_ snake: String) -> String {
        snake.split(separator: "_").map { upperFirst(String($0)) }.joined()
    }

    /// `Check` → `check`, `ListByRoom` → `listByRoom`.
    static func method(_ name: String) -> String { escaped(lowerFirst(name)) }

    /// `ServingStatus` → `SERVING_STATUS`.
    static func screamingSnake(_ camel: String) -> String {
        var out = ""
        for (index, character) in camel.enumerated() {
            if character.isUppercase && index > 0 { out += "_" }
            out += character.uppercased()
        }
        return out
    }

    /// Enum value names lose the enum's own prefix: `SERVING_STATUS_SERVING` → `serving`.
    static func enumCase(_ value: String, prefix: String?) -> String {
        var value = value
        if let prefix, value.hasPrefix(prefix), value.count > prefix.count { value.removeFirst(prefix.count) }
        let words = value.lowercased().split(separator: "_").map(String.init)
        guard let first = words.first else { return escaped(value.lowercased()) }
        var name = first + words.dropFirst().map(upperFirst).joined()
        if let c = name.first, c.isNumber { name = "_" + name }
        return escaped(name)
    }

    static func escaped(_ name: String) -> String { keywords.contains(name) ? "`\(name)`" : name }

    static func upperFirst(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
    static func lowerFirst(_ s: String) -> String { s.prefix(1).lowercased() + s.dropFirst() }
}
