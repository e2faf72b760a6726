import ArgumentParser
import Foundation
@testable import Gateway
@testable import LoadTest
import Testing

/// Every gateway and loadtest command the help texts, the README and `docs/` show is one the
/// program accepts: parsed (and validated) as it would parse it, so an example that names an
/// option that is not there, or a value the shell would split, fails here.
@Suite("the gateway's and loadtest's examples")
struct GatewayExamplesTests {
    /// The programs whose examples are checked, by the word that starts their commands.
    static let programs: [String: any ParsableCommand.Type] = ["gateway": Gateway.self, "loadtest": LoadTest.self]

    @Test("each example in the gateway's help parses, and each starts a line of its own")
    func helpExamples() throws {
        var checked = 0
        for (path, command) in Self.commands(Gateway.self, path: "gateway") + Self.commands(LoadTest.self, path: "loadtest") {
            let discussion = command.configuration.discussion
            let lines = discussion.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where line.contains("Example") {
                #expect(line.hasPrefix("Example"), "\(path): an example starts its own line: \(line)")
                #expect(index == 0 || lines[index - 1].isEmpty, "\(path): an example is a paragraph of its own: \(line)")
            }
            for example in ShellExamples.commands(in: discussion, helpText: true) where !Self.namesACommand(example) {
                // The help is printed 80 columns wide: a longer line would be cut mid-command.
                // (A first line after "Examples: ", a continuation with its own indentation.)
                for (index, line) in example.split(separator: "\n").enumerated() {
                    #expect(Self.columns((index == 0 ? "Examples: " : "") + line) <= 80,
                            "\(path): wider than 80 columns (continue it with a backslash): \(line)")
                }
                #expect(Self.parseFailure(example) == nil, "\(path): \(example): \(Self.parseFailure(example) ?? "")")
                checked += 1
            }
        }
        // The help shows well over a hundred examples; none found means the extraction broke.
        #expect(checked > 100, "only \(checked) examples found in the help")
        #expect(ShellExamples.commands(in: RunCommand.configuration.discussion, helpText: true).count >= 3, "loadtest run's examples are checked")
    }

    @Test("each gateway and loadtest command in the README and docs/ parses")
    func documentedCommands() throws {
        var checked = 0
        var loadtest = 0
        for (file, text) in try ShellExamples.documents() {
            for example in ShellExamples.commands(in: text, helpText: false) where !Self.namesACommand(example) {
                #expect(Self.parseFailure(example) == nil, "\(file): \(example): \(Self.parseFailure(example) ?? "")")
                checked += 1
                if example.hasPrefix("loadtest ") { loadtest += 1 }
            }
        }
        #expect(checked > 30, "only \(checked) commands found in the README and docs/")
        #expect(loadtest > 0, "the README's loadtest commands are checked")
    }

    @Test("the extraction: words, quotes, continuations, comments, placeholders")
    func extraction() {
        #expect(ShellExamples.words(#"gateway meeting change 12 --start "2026-12-02 14:30" \"# + "\n" + #"  --reason '会期调整' # a comment"#)
            == ["gateway", "meeting", "change", "12", "--start", "2026-12-02 14:30", "--reason", "会期调整"])
        #expect(ShellExamples.words("gateway health | jq .") == ["gateway", "health"])
        #expect(ShellExamples.commands(in: "Example: gateway member get 12\n         gateway member history 12", helpText: true)
            == ["gateway member get 12", "gateway member history 12"])
        // A template with placeholders is prose, not a command to run as shown.
        #expect(ShellExamples.commands(in: "run `gateway proposal act ID ACTION --as WHO` or `gateway proposal show 4`", helpText: false)
            == ["gateway proposal show 4"])
        #expect(Self.namesACommand("gateway member resign") && !Self.namesACommand("gateway member resign 12"))
        #expect(ShellExamples.commands(in: "the report (`gateway report --from 2026-01-01\n--to 2026-12-31`) counts", helpText: false)
            == ["gateway report --from 2026-01-01 --to 2026-12-31"])
        #expect(Self.parseFailure("gateway member decide 12 --accept-resignation --meeting-id 2") != nil)
        #expect(Self.parseFailure("gateway member decide 12 --decision accept-resignation --meeting-id 2") == nil)
    }

    /// The gateway's commands, depth first, each with the words that invoke it.
    static func commands(_ command: any ParsableCommand.Type, path: String) -> [(String, any ParsableCommand.Type)] {
        [(path, command)] + command.configuration.subcommands.flatMap { commands($0, path: path + " " + $0._commandName) }
    }

    /// How many columns `text` takes in a terminal: CJK characters take two.
    static func columns(_ text: some StringProtocol) -> Int {
        text.unicodeScalars.reduce(0) { width, scalar in
            width + ((0x1100...0x115F).contains(scalar.value) || (0x2E80...0xA4CF).contains(scalar.value)
                || (0xAC00...0xD7A3).contains(scalar.value) || (0xF900...0xFAFF).contains(scalar.value)
                || (0xFE30...0xFE4F).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value) ? 2 : 1)
        }
    }

    /// Whether `example` only names a command (`gateway member resign`), as prose does when it
    /// speaks of the command rather than showing a use of it.
    static func namesACommand(_ example: String) -> Bool {
        let words = ShellExamples.words(example)
        guard let program = words.first, var command = programs[program] else { return false }
        for word in words.dropFirst() {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { return false }
            command = next
        }
        return true
    }

    /// Why the gateway would refuse `example` as a usage error, or nil when it parses.
    static func parseFailure(_ example: String) -> String? {
        let words = ShellExamples.words(example)
        guard let program = words.first.flatMap({ programs[$0] }) else { return "not a gateway or loadtest command" }
        do {
            _ = try program.parseAsRoot(Array(words.dropFirst()))
            return nil
        } catch {
            return program.exitCode(for: error) == .success ? nil : program.message(for: error)
        }
    }
}

/// Pulls shell commands that start with `gateway` or `loadtest` out of help text or Markdown.
enum ShellExamples {
    static let programs = ["gateway ", "loadtest "]

    /// The Markdown a newcomer reads, by path: the README, `docs/` and each service's README.
    static func documents() throws -> [(file: String, text: String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manager = FileManager.default
        var files = ["README.md"]
        files += try manager.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        files += try manager.contentsOfDirectory(atPath: root.appendingPathComponent("Services").path).sorted()
            .map { "Services/\($0)/README.md" }
            .filter { manager.fileExists(atPath: root.appendingPathComponent($0).path) }
        return try files.map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// In help text: a line that starts with `gateway`, or with `Example:`/`Examples:` and then
    /// `gateway`, continued by lines ending in a backslash. In Markdown: such a line inside a
    /// fenced block (after an optional `$ `). In both: an inline code span that is a gateway
    /// command. The same for `loadtest`. Commands with placeholders (ID, `<file>`, `…`) are
    /// templates, not examples.
    static func commands(in text: String, helpText: Bool, programs: [String] = programs, spans: Bool = true) -> [String] {
        var found: [String] = []
        var fenced = false
        var pending: String?
        // Markdown's prose, its lines joined, for code spans that run over a line's end.
        var prose = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let open = pending {
                pending = raw.hasSuffix("\\") ? open + "\n" + raw : nil
                if pending == nil { found.append(open + "\n" + raw) }
                continue
            }
            if raw.hasPrefix("```") { fenced.toggle(); continue }
            var line = raw.trimmingCharacters(in: .whitespaces)
            for prefix in ["Examples:", "Example:", "$ "] where line.hasPrefix(prefix) {
                line = String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
            if helpText || fenced {
                if programs.contains(where: { line.hasPrefix($0) }), let verb = words(line).dropFirst().first, verb.allSatisfy({ $0.isLowercase || $0 == "-" }) {
                    if line.hasSuffix("\\") { pending = line } else { found.append(line) }
                }
                if fenced { continue }
            }
            prose += (line.isEmpty ? "\n" : " ") + line
        }
        for paragraph in prose.split(separator: "\n") where spans {
            let spans = paragraph.split(separator: "`", omittingEmptySubsequences: false)
            for (index, span) in spans.enumerated() where index % 2 == 1 && programs.contains(where: { span.hasPrefix($0) }) {
                found.append(String(span))
            }
        }
        return found.filter { !isTemplate($0) }
    }

    static func isTemplate(_ command: String) -> Bool {
        words(command).contains { word in
            word.contains("…") || word.contains("...") || word.hasPrefix("<") || word.contains("[")
                || (word.count > 1 && word.allSatisfy { $0.isUppercase || $0 == "_" } && !word.hasPrefix("XIESHANG"))
                || word == "N"
        }
    }

    /// The words a POSIX shell would pass, for the plain commands documentation shows:
    /// quotes, backslash-newline, and the command ending at a comment, pipe, redirection or `;`.
    static func words(_ command: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var characters = Array(command)[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                inWord = true
            case "\\":
                if characters.first == "\n" { characters.removeFirst() } else if let next = characters.popFirst() { word.append(next); inWord = true }
            case " ", "\t", "\n":
                if inWord { words.append(word); word = ""; inWord = false }
            case "#" where !inWord, "|", ">", ";", "&":
                if inWord { words.append(word) }
                return words
            default:
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
