// portal: the web front for members and handling units, a client of the services on their behalf.
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Portal
import Synchronization
import XieshangRPC
import XieshangService
import XieshangZMQ

@main
struct PortalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portal",
        abstract: "Serves the web portal where members and handling units sign in; its RPC socket is the office's (invitations, accounts).",
        discussion: "Example: portal --keys /etc/xieshang/keys --data-dir /var/lib/xieshang \\\n             --http-address 127.0.0.1:8080 \\\n             --public-url https://xieshang.example.cn --secure-cookies")

    @OptionGroup var options: ServiceOptions
    @Option(help: "Where the web server listens, HOST:PORT (env XIESHANG_PORTAL_HTTP; default 127.0.0.1:8080; port 0 picks a free one).")
    var httpAddress: String?
    @Option(help: "The portal's address as people reach it, for invitation links (env XIESHANG_PORTAL_URL; default http:// and the listening address).")
    var publicURL: String?
    @Flag(help: "Mark cookies Secure: set it when a reverse proxy in front serves the portal over HTTPS (env XIESHANG_PORTAL_SECURE_COOKIES=1).")
    var secureCookies = false
    @Flag(help: "A reverse proxy on this machine passes each person's address in X-Forwarded-For: count sign-in failures by it (env XIESHANG_PORTAL_BEHIND_PROXY=1).")
    var behindProxy = false
    @Option(help: "Pages one person (an account signed in, an address not) may ask for at once (env XIESHANG_PORTAL_PAGE_BURST; default 60).")
    var pageBurst: Int?
    @Option(help: "And more pages each second, e.g. 10 or 0.5 (env XIESHANG_PORTAL_PAGE_RATE; default 10); past both, 429.")
    var pageRate: String?
    @Option(help: ArgumentHelp(SuiteService.registry.rpcHelp)) var registry: String?
    @Option(help: ArgumentHelp(SuiteService.scheduler.rpcHelp)) var scheduler: String?
    @Option(help: ArgumentHelp(SuiteService.tracker.rpcHelp)) var tracker: String?
    @Option(help: ArgumentHelp(SuiteService.notifier.rpcHelp)) var notifier: String?
    @Option(help: ArgumentHelp(SuiteService.duty.rpcHelp)) var duty: String?

    func run() async throws {
        let configuration = try options.resolve(.portal)
        ServiceLogging.bootstrap(configuration)
        if try configuration.importSQLiteIfAsked(migrations: PortalSchema.migrations) { return }
        let logger = Logger(label: configuration.name)
        let source = SettingSource()
        let address = source.text(httpAddress, "XIESHANG_PORTAL_HTTP") ?? "127.0.0.1:8080"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--http-address \"\(address)\" is not HOST:PORT (e.g. 127.0.0.1:8080)")
        }
        let host = String(address[..<colon])
        var settings = PortalSettings()
        settings.secureCookies = try ServiceOptions.checked { try source.enabled(secureCookies, "XIESHANG_PORTAL_SECURE_COOKIES") }
        settings.behindProxy = try ServiceOptions.checked { try source.enabled(behindProxy, "XIESHANG_PORTAL_BEHIND_PROXY") }
        if let burst = try ServiceOptions.checked({ try source.number(pageBurst, "XIESHANG_PORTAL_PAGE_BURST") }) {
            guard (1...100_000).contains(burst) else {
                throw ValidationError("--page-burst \(burst) is not a whole number of pages from 1 to 100000")
            }
            settings.pageBurst = burst
        }
        if let rate = source.text(pageRate, "XIESHANG_PORTAL_PAGE_RATE") {
            guard let value = Double(rate), value.isFinite, value >= 0.01, value <= 100_000 else {
                throw ValidationError("--page-rate \"\(rate)\" is not a number of pages a second from 0.01 to 100000")
            }
            settings.pagesPerSecond = value
        }
        let flags = [SuiteService.registry: registry, .scheduler: scheduler, .tracker: tracker, .notifier: notifier, .duty: duty]
        let endpoints = Dictionary(uniqueKeysWithValues: SuiteService.all.map { ($0.name, $0.rpcEndpoint(flag: flags[$0] ?? nil)) })

        let context = try ZMQContext()
        let database = try ServiceDatabase.open(configuration, migrations: PortalSchema.migrations)
        let suite = try SuiteLink(configuration: configuration, endpoints: endpoints, context: context, logger: logger)
        let pageMetrics = PortalMetrics()
        let portal = PortalApp(database: database, suite: suite, settings: settings, logger: logger, metrics: pageMetrics)
        let listening = ListeningAddress()
        let web = Application(
            router: portal.router(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let url = "http://\(host):\(channel.localAddress?.port ?? port)"
                listening.set(url)
                // The line tests and operators wait for: the web server is up.
                FileHandle.standardOutput.write(Data("portal web=\(url)\n".utf8))
            },
            logger: logger)
        let link = source.text(publicURL, "XIESHANG_PORTAL_URL")
        let host_ = try ServiceHost(configuration: configuration, database: database, context: context, logger: logger, extraServices: [web]) { database, _ in
            AccountHandlers(database: database, suite: suite) { link ?? listening.url ?? "http://\(address)" }
        }
        pageMetrics.set(host_.metrics)
        try await host_.run()
        await suite.close()
    }
}

/// The web server's address once it listens (a port of 0 is chosen then).
final class ListeningAddress: Sendable {
    private let value = Mutex<String?>(nil)
    func set(_ url: String) { value.withLock { $0 = url } }
    var url: String? { value.withLock { $0 } }
}
