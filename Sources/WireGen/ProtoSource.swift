import Foundation

/// What protobuf-c's descriptors leave out and the generator still needs, read from the
/// `.proto` files: which package each file declares, and the names of oneofs.
struct ProtoSource {
    /// Files (relative to the proto root) per package.
    var filesByPackage: [String: [String]] = [:]
    /// For each message (full name), the oneof each of its oneof fields belongs to.
    var oneofByField: [String: [String: String]] = [:]

    init(root: String, files: [String]) throws {
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let relative = file.hasPrefix(root + "/") ? String(file.dropFirst(root.count + 1)) : file
            try read(Self.tokens(of: text), file: relative)
        }
    }

    private mutating func read(_ tokens: [String], file: String) throws {
        enum Scope { case message(String), oneof(String), other }
        var package = ""
        var scopes: [Scope] = []
        var messagePath: [String] { scopes.compactMap { if case .message(let n) = $0 { n } else { nil } } }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            let next = index + 1 < tokens.count ? tokens[index + 1] : ""
            switch token {
            case "package":
                package = next
                filesByPackage[package, default: []].append(file)
                index += 2
                continue
            case "message", "oneof", "enum", "service":
                if index + 2 < tokens.count, tokens[index + 2] == "{", scopes.allSatisfy({ if case .oneof = $0 { false } else { true } }) {
                    switch token {
                    case "message": scopes.append(.message(next))
                    case "oneof": scopes.append(.oneof(next))
                    default: scopes.append(.other)
                    }
                    index += 3
                    continue
                }
            case "{":
                scopes.append(.other)
            case "}":
                guard !scopes.isEmpty else { throw GeneratorError("\(file): unbalanced '}'") }
                scopes.removeLast()
            case "=":
                if case .oneof(let name)? = scopes.last, index > 0 {
                    let message = ([package] + messagePath).joined(separator: ".")
                    oneofByField[message, default: [:]][tokens[index - 1]] = name
                }
            default:
                break
            }
            index += 1
        }
    }

    /// Identifiers, numbers, quoted strings and single punctuation marks, without comments.
    static func tokens(of text: String) -> [String] {
        var tokens: [String] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func isWord(_ c: Unicode.Scalar) -> Bool { CharacterSet.alphanumerics.contains(c) || c == "_" || c == "." }
        while i < scalars.count {
            let c = scalars[i]
            if c == "/" && i + 1 < scalars.count && scalars[i + 1] == "/" {
                while i < scalars.count && scalars[i] != "\n" { i += 1 }
            } else if c == "/" && i + 1 < scalars.count && scalars[i + 1] == "*" {
                i += 2
                while i + 1 < scalars.count && !(scalars[i] == "*" && scalars[i + 1] == "/") { i += 1 }
                i += 2
            } else if c == "\"" || c == "'" {
                var j = i + 1
                while j < scalars.count && scalars[j] != c { j += scalars[j] == "\\" ? 2 : 1 }
                tokens.append(String(String.UnicodeScalarView(scalars[i...min(j, scalars.count - 1)])))
                i = j + 1
            } else if isWord(c) {
                var j = i
                while j < scalars.count && isWord(scalars[j]) { j += 1 }
                tokens.append(String(String.UnicodeScalarView(scalars[i..<j])))
                i = j
            } else if CharacterSet.whitespacesAndNewlines.contains(c) {
                i += 1
            } else {
                tokens.append(String(c))
                i += 1
            }
        }
        return tokens
    }
}

struct GeneratorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
