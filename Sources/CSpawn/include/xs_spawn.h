#ifndef XS_SPAWN_H
#define XS_SPAWN_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated arrays) by posix_spawn: standard
/// input from `in_path`, output to `out_path` (truncated), error to `err_path` (appended when
/// `append_err`, else truncated), and every other descriptor closed in the child. Returns 0
/// and the child's pid in `pid`, or an errno value.
///
/// The tests spawn children this way, not with Foundation's Process.run(), which on Linux
/// crashes now and then reading /proc/self/fd (swift-corelibs-foundation PR 5472).
int xs_spawn(const char *path, char *const argv[], char *const envp[],
             const char *in_path, const char *out_path, const char *err_path, int append_err, pid_t *pid);

#endif
