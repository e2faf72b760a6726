import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// `gateway backup`: an online copy of one service's database, or of every service's.
struct BackupCommand: GatewayCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a running service's database (administrators), while it keeps serving.",
        discussion: """
            The service copies its database from one snapshot (SQLite's online backup API) and \
            hands it over; the file records the service, the schema's newest migration, the \
            outbox's position and the database's identity. Put it back with gateway restore.

            Examples: gateway backup --service meeting-scheduler --output scheduler.sqlite
                      gateway backup --all --output-dir backups/2026-12-01
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "The service: member-registry, meeting-scheduler, proposal-tracker, notifier or duty-record.") var service: String?
    @Flag(help: "Every service, one file each in --output-dir.") var all = false
    @Option(help: "The file to write (with --service); it must not exist.") var output: String?
    @Option(help: "The folder to write <service>-<id>.sqlite into (with --all).") var outputDir: String?

    func validate() throws {
        switch (service, all) {
        case (let name?, false):
            guard SuiteService.all.contains(where: { $0.name == name }) else {
                throw ValidationError("unknown service \"\(name)\"; known: \(SuiteService.all.map(\.name).joined(separator: ", "))")
            }
            guard let output, outputDir == nil else { throw ValidationError("--service writes one file: give --output FILE") }
            guard !FileManager.default.fileExists(atPath: output) else { throw ValidationError("\(output) exists already; a backup never overwrites a file") }
        case (nil, true):
            guard outputDir != nil, output == nil else { throw ValidationError("--all writes a file per service: give --output-dir DIR") }
        default:
            throw ValidationError("give --service NAME --output FILE, or --all --output-dir DIR")
        }
    }

    func perform() async throws -> Output {
        var taken: [(info: RpcV1.BackupInfo, file: String)] = []
        if let service, let output {
            taken.append((try await backUp(SuiteService.all.first { $0.name == service }!, to: output), output))
        } else if let outputDir {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            for service in SuiteService.all {
                let info = try await backUp(service) { (outputDir as NSString).appendingPathComponent("\(service.name)-\($0).sqlite") }
                taken.append((info, (outputDir as NSString).appendingPathComponent("\(service.name)-\(info.id).sqlite")))
            }
        }
        var table = Table("服务 service", "文件 file", "大小 bytes", "结构 schema", "事件 outbox", "时间 taken")
        for (info, file) in taken {
            table.add(info.service, file, "\(info.sizeBytes)", "\(info.schemaVersion) (\(info.migrations))", "\(info.outboxSequence)",
                      CommitteeClock.second(info.takenAtMs))
        }
        return Output(taken.map(\.info), table)
    }

    private func backUp(_ service: SuiteService, to file: String) async throws -> RpcV1.BackupInfo {
        try await backUp(service) { _ in file }
    }

    /// Takes a backup of `service` and writes it where `destination` (given the backup's
    /// id) says, checking its size and SHA-256 against what the service measured.
    private func backUp(_ service: SuiteService, _ destination: (String) -> String) async throws -> RpcV1.BackupInfo {
        // Copying a large database takes longer than a call: a minute at least.
        let slow = CallOptions(timeout: .seconds(max(60, connection.timeoutSeconds)))
        return try await connection.with(service) { client in
            let info = try await client.call(RpcV1.Backup.take, RpcV1.TakeBackupRequest(), options: slow)
            let file = destination(info.id)
            let partial = file + ".partial"
            guard FileManager.default.createFile(atPath: partial, contents: nil), let handle = FileHandle(forWritingAtPath: partial) else {
                throw RPCError(.failedPrecondition, "cannot write \(partial)")
            }
            do {
                var request = RpcV1.ReadBackupRequest()
                request.id = info.id
                while true {
                    let chunk = try await client.call(RpcV1.Backup.read, request, options: slow)
                    try handle.write(contentsOf: chunk.data)
                    request.offset += UInt64(chunk.data.count)
                    progress("\(service.name): \(request.offset) of \(info.sizeBytes) bytes")
                    if chunk.done { break }
                }
                try handle.synchronize()
                try handle.close()
                let (size, digest) = try Backups.measure(partial)
                guard size == info.sizeBytes, digest == info.sha256 else {
                    throw RPCError(.dataLoss, "the backup of \(service.name) arrived damaged (\(size) bytes, sha256 \(digest); the service measured \(info.sizeBytes), \(info.sha256)); take it again")
                }
                try FileManager.default.moveItem(atPath: partial, toPath: file)
                return info
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: partial)
                throw error
            }
        }
    }
}

/// `gateway restore`: puts a service's database back from a backup, into a data folder no
/// process uses.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a service's database back from a backup (on the service's machine, with the service stopped).",
        discussion: """
            Checks the file (SQLite's integrity check, a backup of that service), writes it as \
            <data-dir>/<service>.sqlite with a new identity, and names it in the folder's \
            marker. The services that consume its events notice a restored source and stop \
            applying it, saying so in their health, until an operator restarts them with \
            --accept-source <service>.

            Example: gateway restore --service meeting-scheduler --input scheduler.sqlite \\
                         --data-dir /var/lib/xieshang/meeting-scheduler
            """)
    @Option(help: "The service: member-registry, meeting-scheduler, proposal-tracker, notifier or duty-record.") var service: String
    @Option(help: "The backup file (from gateway backup).") var input: String
    @Option(help: "The service's data folder.") var dataDir: String
    @Flag(help: "The folder holds a database already: move it aside (<service>.sqlite.before-restore-<time>) and restore.") var replace = false

    func validate() throws {
        guard SuiteService.all.contains(where: { $0.name == service }) else {
            throw ValidationError("unknown service \"\(service)\"; known: \(SuiteService.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        do {
            let report = try Restore.run(backup: input, dataDir: dataDir, service: service, replace: replace)
            for aside in report.movedAside { print("moved aside: \(aside)") }
            print("restored \(service) into \(report.database): taken \(CommitteeClock.second(report.backup.takenAtMs)), "
                  + "schema \(report.backup.schemaVersion) (\(report.backup.migrations) migrations), outbox at \(report.backup.outboxSequence), "
                  + "new identity \(report.identity)")
            print("start \(service) on \(dataDir); its event consumers will report it restored until restarted with --accept-source \(service)")
        } catch let failure as Restore.Failure {
            Terminal.error(failure.description)
            throw ExitCode(2)
        }
    }
}
