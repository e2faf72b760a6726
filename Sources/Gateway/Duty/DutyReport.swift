import ArgumentParser
import XieshangLabels
import Foundation
import XieshangRPC
import XieshangWire

extension DutyCommand {
    struct Report: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The committee's annual 履职报告: every member's duties by kind and points, who did nothing; as a table, CSV or a printable HTML page.",
            discussion: "Example: gateway duty report --year 2026 --format html \\\n             --output duty-2026.html")
        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, html }
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The year (default: this year).") var year: Int32?
        @Option(help: "Only this sector.") var sector: String?
        @Option(help: "table, csv or html (default table).") var format: Format = .table
        @Option(help: "Write it to this file.") var output: String?

        func perform() async throws -> Output {
            let year = self.year ?? CommitteeClock.thisYear
            let response = try await connection.call(DutyV1.Duty.ranking, options: .read) { request in
                request.year = year
                request.sector = sector ?? ""
            }
            let report = DutyReportPage(year: year, sector: sector ?? "", response)
            var result = Output(response)
            let text: String
            switch format {
            case .table: text = report.table
            case .csv: text = report.csv
            case .html: text = report.html
            }
            if let output {
                try text.write(toFile: output, atomically: true, encoding: String.Encoding.utf8)
                result.line("wrote the \(year) 履职报告 (\(response.members.count) members) to \(output)")
            } else {
                result.line(text)
            }
            return result
        }
    }
}
