import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Thread {
    /// Starts a thread that the kernel knows by `name`, as `top -H`, `perf`, `gdb` and
    /// `/proc/PID/task/*/comm` show it (Linux keeps the first 15 bytes).
    ///
    /// Foundation on Linux keeps a `name` set before `start()` to itself: the thread kept
    /// the name of whichever pool thread started it ("…default-qos"), so a service's socket
    /// loop, writer and consumer threads could not be told apart. The thread names itself
    /// first.
    public static func start(named name: String, _ body: @escaping @Sendable () -> Void) {
        let kernelName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let thread = Thread {
            #if canImport(Glibc)
            // pthread_setname_np is a GNU extension Swift's Glibc module does not import;
            // a thread may rename itself through its own comm file (proc(5)).
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            if fd >= 0 {
                _ = kernelName.withCString { write(fd, $0, strlen($0)) }
                close(fd)
            }
            #endif
            body()
        }
        thread.name = name
        thread.start()
    }
}
