import Crypto
import Foundation
import GRDB
import Synchronization
import XieshangRPC
import XieshangWire

/// Online backups of a service's database, for administrators (`rpc.v1.Backup`): Take
/// copies the database with SQLite's online backup API from one read snapshot while the
/// service goes on serving, into `<data>/backups/<id>.sqlite`, and records in the copy what
/// it is (`backup_manifest`: the service, when, the schema's newest migration, the outbox's
/// position and the database's identity); Read hands the file over in chunks of 1 MiB and
/// removes it once read to the end. A copy nobody reads is removed an hour after it was
/// taken, at the next Take; at most `maxKept` wait at once.
public final class Backups: Sendable {
    private let database: ServiceDatabase
    private let service: String
    /// One Take at a time: each copies the whole database.
    private let taking = Mutex<Bool>(false)

    public static let chunkBytes = 1 << 20
    static let keepForMs: Int64 = 3_600_000
    static let maxKept = 4

    public init(database: ServiceDatabase, service: String) {
        self.database = database
        self.service = service
    }

    private var folder: String? {
        database.path.map { (($0 as NSString).deletingLastPathComponent as NSString).appendingPathComponent("backups") }
    }

    /// Adds `rpc.v1.Backup/Take` and `Read` to a server's handlers.
    public func register(in handlers: inout RPCHandlers) {
        handlers.register(RpcV1.Backup.take) { [self] _, _ in try await take() }
        // A chunk's read, like the digest below, is file work that waits on the disk: off the
        // server's socket thread, which serves the other calls meanwhile.
        handlers.register(RpcV1.Backup.read) { [self] request, _ in try await offSocketThread { [self] in try read(request) } }
    }

    func take() async throws -> RpcV1.BackupInfo {
        if database.engine == .postgres {
            throw RPCError(.failedPrecondition, "this service's database is PostgreSQL: back it up with PostgreSQL's own tools (pg_dump, or base backups with WAL archiving), not Backup/Take")
        }
        guard let folder else { throw RPCError(.failedPrecondition, "this service's database is in memory: there is nothing to back up") }
        guard taking.withLock({ busy in defer { busy = true }; return !busy }) else {
            throw RPCError(.unavailable, "a backup of \(service) is being taken; try again when it is done")
        }
        defer { taking.withLock { $0 = false } }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let kept = removeStale(in: folder)
        guard kept < Self.maxKept else {
            throw RPCError(.resourceExhausted, "\(kept) backups of \(service) wait to be read (in \(folder)); read them to the end or wait an hour")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let id = Self.stamp(now) + "-" + UUID().uuidString.prefix(8).lowercased()
        let file = (folder as NSString).appendingPathComponent(id + ".sqlite")
        do {
            let copy = try DatabaseQueue(path: file)
            try await database.sqliteWriter().read { source in
                try copy.writeWithoutTransaction { destination in try source.backup(to: destination) }
            }
            var info = try await copy.write { [service] db in
                var info = RpcV1.BackupInfo()
                info.id = id
                info.service = service
                info.takenAtMs = now
                info.schemaVersion = try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1") ?? ""
                info.migrations = UInt32(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations") ?? 0)
                info.outboxSequence = UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) FROM outbox") ?? 0)
                info.sourceIdentity = try String.fetchOne(db, sql: "SELECT value FROM runtime_identity WHERE id = 1") ?? ""
                try BackupManifest.write(info, in: db)
                return info
            }
            try copy.close()
            let (size, digest) = try await offSocketThread { try Self.measure(file) }
            info.sizeBytes = size
            info.sha256 = digest
            return info
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw error
        }
    }

    func read(_ request: RpcV1.ReadBackupRequest) throws -> RpcV1.ReadBackupResponse {
        guard let folder else { throw RPCError(.failedPrecondition, "this service's database is in memory: there are no backups") }
        // Ids are ours (a stamp and hex): anything else is no file of this folder.
        guard !request.id.isEmpty, request.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw RPCError(.invalidArgument, "backup id \"\(request.id.prefix(80))\" is not one Backup/Take gave",
                           violations: [RpcV1.FieldViolation(field: "id", description: "not a backup id")])
        }
        let file = (folder as NSString).appendingPathComponent(request.id + ".sqlite")
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw RPCError(.notFound, "no backup \(request.id) of \(service): it was read to the end, removed after an hour, or never taken")
        }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard request.offset <= size else {
            throw RPCError(.outOfRange, "offset \(request.offset) is past the backup's end (\(size) bytes)",
                           violations: [RpcV1.FieldViolation(field: "offset", description: "past the end")])
        }
        try handle.seek(toOffset: request.offset)
        var response = RpcV1.ReadBackupResponse()
        response.data = [UInt8](try handle.read(upToCount: Self.chunkBytes) ?? Data())
        response.done = request.offset + UInt64(response.data.count) >= size
        if response.done { try? FileManager.default.removeItem(atPath: file) }
        return response
    }

    /// Removes copies older than an hour; returns how many remain.
    private func removeStale(in folder: String) -> Int {
        let now = Date()
        var kept = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".sqlite") {
            let path = (folder as NSString).appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
            if now.timeIntervalSince(modified) * 1000 > Double(Self.keepForMs) {
                try? FileManager.default.removeItem(atPath: path)
            } else {
                kept += 1
            }
        }
        return kept
    }

    /// `20261201T120000Z`.
    static func stamp(_ ms: Int64) -> String { UTC.compact(ms) }

    /// A file's size and lower-case hex SHA-256.
    public static func measure(_ path: String) throws -> (UInt64, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RPCError(.internal, "cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: UInt64 = 0
        while let chunk = try handle.read(upToCount: chunkBytes), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += UInt64(chunk.count)
        }
        return (size, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

/// What a backup file says of itself, in its `backup_manifest` table.
public enum BackupManifest {
    static func write(_ info: RpcV1.BackupInfo, in db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE backup_manifest (
                service TEXT NOT NULL, taken_at_ms INTEGER NOT NULL, schema_version TEXT NOT NULL,
                migrations INTEGER NOT NULL, outbox_sequence INTEGER NOT NULL, source_identity TEXT NOT NULL)
            """)
        try db.execute(sql: "INSERT INTO backup_manifest VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [info.service, info.takenAtMs, info.schemaVersion, info.migrations, Int64(info.outboxSequence), info.sourceIdentity])
    }

    /// The manifest of the backup open in `db`, or nil when it is no backup of ours.
    public static func read(_ db: Database) throws -> RpcV1.BackupInfo? {
        guard try db.tableExists("backup_manifest"), let row = try Row.fetchOne(db, sql: "SELECT * FROM backup_manifest") else { return nil }
        var info = RpcV1.BackupInfo()
        info.service = row["service"]
        info.takenAtMs = row["taken_at_ms"]
        info.schemaVersion = row["schema_version"]
        info.migrations = row["migrations"]
        info.outboxSequence = UInt64(row["outbox_sequence"] as Int64)
        info.sourceIdentity = row["source_identity"]
        return info
    }
}
