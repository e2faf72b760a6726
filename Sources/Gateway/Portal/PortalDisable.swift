import ArgumentParser
import XieshangWire

extension PortalCommand {
    struct Disable: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account at once: it is signed out everywhere and cannot sign in.", discussion: "Example: gateway portal disable m13")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The login (m13, u4).") var login: String

        func perform() async throws -> Output {
            try await setState(connection, login, disabled: true)
        }
    }

    struct Enable: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Let a disabled account sign in again.", discussion: "Example: gateway portal enable m13")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The login (m13, u4).") var login: String

        func perform() async throws -> Output {
            try await setState(connection, login, disabled: false)
        }
    }
}

private func setState(_ connection: ConnectionOptions, _ login: String, disabled: Bool) async throws -> Output {
    let response = try await connection.call(PortalV1.Accounts.setState) {
        $0.login = login
        $0.disabled = disabled
    }
    return accountOutput(response.account)
}
