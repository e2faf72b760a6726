import ArgumentParser
import Foundation
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Export: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the term's members as CSV (re-imports unchanged).",
            discussion: "Example: gateway member export --output members.csv")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        func perform() async throws -> Output {
            var request = MemberV1.ExportMembersRequest()
            request.term = term
            // Page by page, so that any committee's size fits.
            var csv: [UInt8] = []
            var count = 0
            try await connection.with(.registry) { client in
                repeat {
                    let page = try await client.call(MemberV1.Members.export, request, options: .read)
                    csv += page.csv
                    count += Int(page.count)
                    request.pageToken = page.nextPageToken
                } while !request.pageToken.isEmpty
            }
            guard let output else { return .document(String(decoding: csv, as: UTF8.self)) }
            guard FileManager.default.createFile(atPath: output, contents: Data(csv)) else {
                throw ValidationError("cannot write \(output)")
            }
            progress("wrote \(count) members to \(output)")
            return .none
        }
    }
}
