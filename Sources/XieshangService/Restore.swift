import Foundation
import GRDB
import XieshangWire

/// Puts a service's database back from a file `rpc.v1.Backup` produced, into a data folder
/// no process is using (on a new machine, or after stopping the service). The restored
/// database gets a new identity: its outbox is behind what the service's event consumers
/// already applied, and the events it writes next will reuse sequence numbers they applied
/// from the old history, so each consumer must see a database other than its cursor's
/// (it then stops applying that source and says so, until an operator decides).
public enum Restore {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public struct Report: Sendable {
        /// What the backup said of itself.
        public var backup: RpcV1.BackupInfo
        /// The database written, and its new identity.
        public var database: String
        public var identity: String
        /// Files of an earlier database moved aside (`--replace`).
        public var movedAside: [String]
    }

    /// Checks `backup` (a readable SQLite file that passes `integrity_check`, with the
    /// manifest of a backup of `service`), then writes it as `<dataDir>/<service>.sqlite`
    /// with a new identity. A folder holding a database already is refused unless
    /// `replace`, which moves that database aside (never deletes it).
    public static func run(backup: String, dataDir: String, service: String, replace: Bool) throws -> Report {
        guard FileManager.default.isReadableFile(atPath: backup) else { throw Failure("cannot read \(backup)") }
        var readOnly = Configuration()
        readOnly.readonly = true
        let info: RpcV1.BackupInfo
        do {
            let source = try DatabaseQueue(path: backup, configuration: readOnly)
            let (check, manifest) = try source.read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try BackupManifest.read(db))
            }
            try source.close()
            guard check == ["ok"] else {
                throw Failure("\(backup) is damaged (SQLite's integrity check: \(check.prefix(3).joined(separator: "; "))): nothing was restored")
            }
            guard let manifest else {
                throw Failure("\(backup) is not a backup taken by gateway backup (it has no manifest): nothing was restored")
            }
            info = manifest
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("\(backup) is damaged or not a SQLite database (\((error as? DatabaseError)?.message ?? "\(error)")): nothing was restored")
        }
        guard info.service == service else {
            throw Failure("\(backup) is a backup of \(info.service), not of \(service): nothing was restored")
        }

        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let folder = dataDir as NSString
        let lock: Int32
        do {
            lock = try DataFolderGuard.lock(dataDir: dataDir, name: service)
        } catch let error as ServiceDatabase.OpenError {
            throw Failure("\(error.reason); stop it first; nothing was restored")
        }
        defer { close(lock) }

        let database = folder.appendingPathComponent("\(service).sqlite")
        let present = FileManager.default.fileExists(atPath: database)
        if present && !replace {
            throw Failure("\(dataDir) holds a database of \(service) already (\(database)): give --replace to move it aside and restore; nothing was restored")
        }
        // The copy is made whole beside the database first: a restore stopped part-way
        // leaves the folder as it was (and at most a `.restoring` file the next one replaces).
        let restoring = database + ".restoring"
        try? FileManager.default.removeItem(atPath: restoring)
        try FileManager.default.copyItem(atPath: backup, toPath: restoring)
        let identity = UUID().uuidString.lowercased()
        do {
            let copy = try DatabaseQueue(path: restoring)
            try copy.write { db in
                try db.execute(sql: "DROP TABLE backup_manifest")
                try db.execute(sql: "UPDATE runtime_identity SET value = ? WHERE id = 1", arguments: [identity])
            }
            try copy.close()
        } catch {
            try? FileManager.default.removeItem(atPath: restoring)
            throw Failure("cannot write \(restoring): \(error); nothing was restored")
        }
        var movedAside: [String] = []
        if present {
            let stamp = Backups.stamp(Int64(Date().timeIntervalSince1970 * 1000))
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: database + suffix) {
                let aside = "\(database).before-restore-\(stamp)\(suffix)"
                try FileManager.default.moveItem(atPath: database + suffix, toPath: aside)
                movedAside.append(aside)
            }
        }
        try syncFile(restoring)
        guard rename(restoring, database) == 0 else {
            throw Failure("cannot move \(restoring) to \(database): \(String(cString: strerror(errno)))")
        }
        // The folder's marker names the database the service is to find there.
        let marker = folder.appendingPathComponent("\(service).identity")
        try (identity + "\n").write(toFile: marker, atomically: true, encoding: .utf8)
        try syncFile(dataDir)
        return Report(backup: info, database: database, identity: identity, movedAside: movedAside)
    }

    private static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        _ = fsync(fd)
    }
}
