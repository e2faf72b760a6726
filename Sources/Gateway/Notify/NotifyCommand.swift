import ArgumentParser

/// `on` / `off` on the command line.
struct Switch: ExpressibleByArgument {
    let on: Bool
    init?(argument: String) {
        switch argument.lowercased() {
        case "on", "yes", "true", "开": on = true
        case "off", "no", "false", "关": on = false
        default: return nil
        }
    }
}

struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Notification preferences, dead letters, staff announcements, and events set aside.",
        subcommands: [Prefs.self, DeadLetters.self, Retry.self, Send.self, SetAside.self])
}
