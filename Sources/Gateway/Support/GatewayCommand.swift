import ArgumentParser
import Foundation

/// A gateway command that calls the services: `perform()` does the work and returns what
/// it found, and `run()` (given here, once for every command) writes that as a table for
/// people or as JSON for scripts (`--json`), and turns a failed call into one clear line and
/// its exit code. A command never prints its result itself.
protocol GatewayCommand: AsyncParsableCommand {
    var connection: ConnectionOptions { get }
    func perform() async throws -> Output
}

extension GatewayCommand {
    func run() async throws {
        let output: Output
        do {
            output = try await perform()
        } catch let failure as GatewayFailure {
            Terminal.error(failure.description)
            throw ExitCode(failure.exitCode)
        }
        try output.write(json: connection.json)
        if output.exitCode != 0 { throw ExitCode(output.exitCode) }
    }
}

/// What a command gives back: the value scripts read as JSON, and the text (tables and
/// lines) people read. A document the command produces as it is (CSV, iCalendar) is
/// `Output.document` and is written as it is in both cases.
struct Output {
    private let value: (any Encodable)?
    private var parts: [String] = []
    private var document: String?
    /// The exit code after writing: a dry run that found bad rows, a search that found nothing.
    var exitCode: Int32 = 0

    /// `value` is what `--json` prints.
    init(_ value: some Encodable) { self.value = value }

    /// A table showing `value`; `--json` prints `value`.
    init(_ value: some Encodable, _ table: Table) {
        self.value = value
        add(table)
    }

    private init(document: String) {
        value = nil
        self.document = document
    }

    /// A document written as it is, with or without `--json`.
    static func document(_ text: String) -> Output { Output(document: text) }

    /// Nothing to show: the work went elsewhere (a file) and was said on standard error.
    static var none: Output { Output(document: "") }

    mutating func add(_ table: Table) { parts.append(table.rendered) }

    mutating func line(_ text: String) { parts.append(text) }

    /// Another output's text after this one's, with a blank line between.
    mutating func append(_ other: Output) {
        if !parts.isEmpty && !other.parts.isEmpty { parts.append("") }
        parts += other.parts
    }

    /// The text people read, as printed without `--json`.
    var text: String { document ?? parts.map { $0 + "\n" }.joined() }

    func write(json: Bool) throws {
        if json, document == nil, let value {
            print(try jsonText(value))
        } else {
            print(text, terminator: "")
        }
    }
}

/// Writes a progress message (standard error, so that standard output stays the result).
func progress(_ text: String) {
    Terminal.error(text)
}

/// A value as pretty, sorted JSON: what every `--json` prints.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
