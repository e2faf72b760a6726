import ArgumentParser
import XieshangRPC
import XieshangWire

extension NotifyCommand {
    struct Prefs: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or change a member's or unit's channels: webhook, e-mail, and e-mail as a daily digest.",
            discussion: "Example: gateway notify prefs --member 12 --email on --digest on")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member.") var member: Int64?
        @Option(help: "The unit.") var unit: Int64?
        @Option(help: "Webhook on or off.") var webhook: Switch?
        @Option(help: "E-mail on or off.") var email: Switch?
        @Option(help: "E-mail once a day in a digest (on), or at once (off).") var digest: Switch?

        func validate() throws {
            if (member == nil) == (unit == nil) { throw ValidationError("give --member or --unit") }
        }

        func perform() async throws -> Output {
            var recipient = NotificationV1.Recipient()
            recipient.kind = member != nil ? .member : .unit
            recipient.id = member ?? unit ?? 0
            let preferences = try await connection.with(.notifier) { client in
                var get = NotificationV1.GetPreferencesRequest()
                get.recipient = recipient
                var p = try await client.call(NotificationV1.Deliveries.getPreferences, get, options: .read).preferences ?? NotificationV1.Preferences()
                guard webhook != nil || email != nil || digest != nil else { return p }
                if let webhook { p.webhook = webhook.on }
                if let email { p.email = email.on }
                if let digest { p.digest = digest.on }
                p.recipient = recipient
                var set = NotificationV1.SetPreferencesRequest()
                set.preferences = p
                return try await client.call(NotificationV1.Deliveries.setPreferences, set).preferences ?? p
            }
            var output = Output(preferences)
            output.line("webhook \(preferences.webhook ? "on" : "off"), e-mail \(preferences.email ? (preferences.digest ? "daily digest" : "at once") : "off")")
            return output
        }
    }
}
