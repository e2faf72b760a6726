#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include "xs_spawn.h"

int xs_spawn(const char *path, char *const argv[], char *const envp[],
             const char *in_path, const char *out_path, const char *err_path, int append_err, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    if ((rc = posix_spawn_file_actions_addopen(&actions, 0, in_path, O_RDONLY, 0)) == 0
        && (rc = posix_spawn_file_actions_addopen(&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == 0
        && (rc = posix_spawn_file_actions_addopen(&actions, 2, err_path,
                                                  O_WRONLY | O_CREAT | (append_err ? O_APPEND : O_TRUNC), 0644)) == 0
        && (rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) == 0) {
        // The child starts with every signal at its default and none blocked, whatever the
        // test process ignores or blocks (as Foundation's Process does too).
        posix_spawnattr_t attributes;
        if ((rc = posix_spawnattr_init(&attributes)) == 0) {
            sigset_t all, none;
            sigfillset(&all);
            sigemptyset(&none);
            posix_spawnattr_setsigdefault(&attributes, &all);
            posix_spawnattr_setsigmask(&attributes, &none);
            posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
            rc = posix_spawn(pid, path, &actions, &attributes, argv, envp);
            posix_spawnattr_destroy(&attributes);
        }
    }
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}
