import ArgumentParser

@main
struct LoadTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Load tests for meeting-scheduler, and the measurements of `make bench`.",
        discussion: "Example: loadtest run --concurrency 16 --duration 30",
        subcommands: [RunCommand.self, ServeNoopCommand.self, CodecCommand.self, SeedCommand.self],
        defaultSubcommand: RunCommand.self)
}
