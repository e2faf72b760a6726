import Foundation
import GRDB
import Synchronization

/// Guards a service's data folder against the two ways acknowledged writes could vanish
/// without a word:
///
/// - **Two processes on one folder.** The first holds an exclusive `flock` on
///   `<name>.lock` for its whole life; a second one is refused at start, naming the holder.
/// - **A database that is gone.** The folder keeps a marker, `<name>.identity`, apart from
///   the database, holding the identity written into the database when it was created. A
///   service whose marker exists but whose database is missing (deleted, a volume not
///   mounted) or holds another identity refuses to start, instead of starting empty with
///   ids from 1 that other services' ids would then mistake for other people; the operator
///   says `--allow-empty-database` when starting anew is meant. Under a running service,
///   the file open is compared with the file at its path (device and inode): once it was
///   deleted or replaced, health fails and writes are refused.
final class DataFolderGuard: Sendable {
    struct Refusal: Error {
        let reason: String
    }

    let database: String
    let marker: String
    /// The lock file's descriptor, held open (and locked) until the process ends.
    private let lockFD: Int32
    private let allowEmpty: Bool
    /// The database file's (device, inode) once opened.
    private let identity: Mutex<(dev: UInt64, ino: UInt64)?>

    init(dataDir: String, name: String, database: String, allowEmpty: Bool) throws {
        self.database = database
        marker = (dataDir as NSString).appendingPathComponent("\(name).identity")
        lockFD = try Self.lock(dataDir: dataDir, name: name)
        identity = Mutex(nil)
        self.allowEmpty = allowEmpty

        if FileManager.default.fileExists(atPath: marker), !FileManager.default.fileExists(atPath: database), !allowEmpty {
            throw ServiceDatabase.OpenError(
                path: database,
                reason: "the database is missing, but this data folder held one (\(marker) says so): restore it from a backup, or start with --allow-empty-database (XIESHANG_ALLOW_EMPTY_DATABASE=1) if starting anew is intended")
        }
    }

    deinit { Foundation.close(lockFD) }

    /// Takes the folder's `<name>.lock` (an exclusive `flock`, held until the descriptor is
    /// closed) and writes this process's id in it; refused, naming the holder, when another
    /// process has it. The service holds it for its life, a restore while it writes.
    static func lock(dataDir: String, name: String) throws -> Int32 {
        let lockPath = (dataDir as NSString).appendingPathComponent("\(name).lock")
        let fd = Foundation.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ServiceDatabase.OpenError(path: lockPath, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            Foundation.close(fd)
            throw ServiceDatabase.OpenError(
                path: dataDir,
                reason: "another \(name) process (pid \(holder.isEmpty ? "?" : holder)) is using this data folder; two processes on one database would lose each other's writes")
        }
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// Called once the database is open and migrated: gives a new database its identity,
    /// checks an existing one against the marker, writes the marker, and remembers the
    /// file's inode.
    func adopt(_ writer: any DatabaseWriter) throws {
        let stored = try writer.write { db -> String in
            if let id = try String.fetchOne(db, sql: "SELECT value FROM runtime_identity WHERE id = 1") { return id }
            let fresh = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO runtime_identity (id, value) VALUES (1, ?)", arguments: [fresh])
            return fresh
        }
        if let expected = try? String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !expected.isEmpty, expected != stored, !allowEmpty {
            throw Refusal(reason: "this database (identity \(stored)) is not the one this data folder held (\(expected), in \(marker)): put the right file back, or start with --allow-empty-database if this one is meant")
        }
        let temporary = marker + ".tmp"
        try (stored + "\n").write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, marker) == 0 else {
            throw Refusal(reason: "cannot write \(marker): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard stat(database, &info) == 0 else { throw Refusal(reason: "the database vanished while opening") }
        identity.withLock { $0 = (UInt64(info.st_dev), UInt64(info.st_ino)) }
    }

    /// Why the file open is not the file at its path any more, or nil while it is.
    func replaced() -> String? {
        guard let opened = identity.withLock({ $0 }) else { return nil }
        var info = stat()
        guard stat(database, &info) == 0 else {
            return "the database file \(database) was deleted under the running service: writes are refused; restore it and restart (the service refuses to start empty)"
        }
        if UInt64(info.st_dev) != opened.dev || UInt64(info.st_ino) != opened.ino {
            return "the database file \(database) was replaced under the running service: writes are refused; restart it to open the file now in place"
        }
        return nil
    }
}
