import ArgumentParser
@testable import DutyRecordMain
@testable import MeetingSchedulerMain
@testable import MemberRegistryMain
@testable import NotifierMain
@testable import PortalMain
@testable import ProposalTrackerMain
import Testing

/// The services' own help: each example parses as the service would parse it, and fits the
/// 80 columns the help is printed in (the gateway's and loadtest's: `GatewayExamplesTests`).
@Suite("the services' examples")
struct ServiceExamplesTests {
    static let services: [String: any ParsableCommand.Type] = [
        "member-registry": MemberRegistryCommand.self, "meeting-scheduler": MeetingSchedulerCommand.self,
        "proposal-tracker": ProposalTrackerCommand.self, "notifier": NotifierCommand.self,
        "duty-record": DutyRecordCommand.self, "portal": PortalCommand.self,
    ]

    @Test("each service's help example parses and fits 80 columns")
    func helpExamples() {
        for (name, command) in Self.services {
            let examples = ShellExamples.commands(in: command.configuration.discussion, helpText: true, programs: [name + " "])
            #expect(!examples.isEmpty, "\(name): no example in its help")
            for example in examples {
                for (index, line) in example.split(separator: "\n").enumerated() {
                    #expect(GatewayExamplesTests.columns((index == 0 ? "Example: " : "") + line) <= 80, "\(name): wider than 80 columns: \(line)")
                }
                let words = ShellExamples.words(example)
                #expect(words.first == name)
                do {
                    _ = try command.parseAsRoot(Array(words.dropFirst()))
                } catch {
                    #expect(command.exitCode(for: error) == .success, "\(name): \(example): \(command.message(for: error))")
                }
            }
        }
    }

    /// The services' command lines the README, `docs/` and the services' own READMEs show in
    /// their code blocks (inline mentions such as `duty-record --rules` name an option, not a use).
    @Test("each service command in a code block of the README and docs parses")
    func documentedCommands() throws {
        var checked = 0
        for (file, text) in try ShellExamples.documents() {
            for example in ShellExamples.commands(in: text, helpText: false, programs: Self.services.keys.map { $0 + " " }, spans: false) {
                let words = ShellExamples.words(example)
                guard let name = words.first, let command = Self.services[name] else { continue }
                do {
                    _ = try command.parseAsRoot(Array(words.dropFirst()))
                } catch {
                    #expect(command.exitCode(for: error) == .success, "\(file): \(example): \(command.message(for: error))")
                }
                checked += 1
            }
        }
        #expect(checked >= 3, "only \(checked) service commands found in the README and docs/")
    }
}
