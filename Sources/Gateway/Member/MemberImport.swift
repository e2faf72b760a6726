import ArgumentParser
import Foundation
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Import: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import members from a CSV file (columns in the README); nothing is written if any row is bad.",
            discussion: "Example: gateway member import members.csv --dry-run")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The CSV file (UTF-8, with or without BOM).") var file: String
        @Flag(help: "Write the good rows even when some rows are bad.") var importValidRows = false
        @Flag(help: "Check the file and count what would change, without writing.") var dryRun = false
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        /// The most of a file one message carries (a message may carry 4 MiB).
        static let partBytes = 3 << 20

        func perform() async throws -> Output {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let lines = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            progress("read \(file): \(data.count) bytes, about \(max(lines - 1, 0)) rows")
            var request = MemberV1.ImportMembersRequest()
            request.importValidRows = importValidRows
            request.dryRun = dryRun
            request.term = term
            let bytes = [UInt8](data)
            let response = try await connection.with(.registry) { client in
                // A file larger than one message goes in parts of one upload; the
                // registry imports it whole, all or nothing, when the last part arrives.
                var offset = 0
                if bytes.count > Self.partBytes {
                    request.uploadID = UUID().uuidString.lowercased()
                    request.more = true
                    while bytes.count - offset > Self.partBytes {
                        request.csv = Array(bytes[offset..<(offset + Self.partBytes)])
                        let kept = try await client.call(MemberV1.Members.import, request, options: CallOptions(timeout: .seconds(60)))
                        offset += Self.partBytes
                        progress("sent \(kept.receivedBytes) of \(bytes.count) bytes")
                    }
                    request.more = false
                }
                request.csv = Array(bytes[offset...])
                progress("sent to member-registry for validation\(dryRun ? " (dry run)" : ""); waiting…")
                return try await client.call(MemberV1.Members.import, request, options: CallOptions(timeout: .seconds(300)))
            }
            var output = Output(response)
            output.line("rows: \(response.rows)  created: \(response.created)  updated: \(response.updated)  unchanged: \(response.unchanged)  bad rows: \(Set(response.problems.map(\.line)).count)")
            if !response.problems.isEmpty {
                var table = Table("行 line", "列 field", "问题 problem")
                for p in response.problems { table.add(String(p.line), p.field, p.reason) }
                output.add(table)
            }
            if dryRun {
                output.line("dry run: nothing was written")
                // Scripts check a file with --dry-run: a file with bad rows is not good.
                if !response.problems.isEmpty { output.exitCode = 2 }
            } else if !response.problems.isEmpty && !importValidRows {
                output.line("nothing was written: fix the rows above, or pass --import-valid-rows to write the good rows")
                output.exitCode = 2
            } else {
                output.line(response.written ? "written" : "nothing to change")
            }
            return output
        }
    }
}
