/*
 * test-file.c - the input and output file rules: what is read, what is
 * refused before a byte is read, what is replaced, what is written into, and
 * that a failed write names its cause.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schedlab/file.h"

static char dir[64];

static int make_dir(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/sl-file-XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int remove_dir(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path)
{
    char *data;
    size_t size;
    assert_int_equal(sl_file_read(path, 1 << 20, false, &data, &size, NULL, 0), 0);
    return data;
}

/* Entries in the test directory: a temporary left behind shows here. */
static int entries(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

static void test_read_regular_and_cap(void **state)
{
    char path[128], why[256];
    path_of(path, sizeof path, "in.txt");
    put(path, "hello");
    char *data;
    size_t size;
    assert_int_equal(sl_file_read(path, 5, false, &data, &size, why, sizeof why), 0);
    assert_int_equal(size, 5);
    assert_string_equal(data, "hello");
    free(data);
    assert_int_equal(sl_file_read(path, 4, false, &data, &size, why, sizeof why), SL_ETOOBIG);
    assert_null(data);
    char want[256];
    snprintf(want, sizeof want, "%s: 5 bytes, over the cap of 4 bytes", path);
    assert_string_equal(why, want);
    unlink(path);
}

/* Before: /dev/zero as a demo was read forever, a FIFO blocked the open. */
static void test_read_refuses_devices_fifos_dirs(void **state)
{
    char why[256], *data;
    size_t size;
    assert_int_equal(sl_file_read("/dev/zero", 1 << 20, false, &data, &size, why, sizeof why),
                     SL_ENOTREG);
    assert_string_equal(why, "/dev/zero: a character device, not a regular file (schedlab reads "
                             "only regular files)");
    assert_int_equal(sl_file_read("/", 1 << 20, false, &data, &size, why, sizeof why), SL_ENOTREG);
    assert_non_null(strstr(why, "a directory"));
    char fifo[128];
    path_of(fifo, sizeof fifo, "fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* No writer: a blocking open would never return and the test would time out. */
    assert_int_equal(sl_file_read(fifo, 1 << 20, false, &data, &size, why, sizeof why), SL_ENOTREG);
    assert_non_null(strstr(why, "a FIFO, not a regular file"));
    unlink(fifo);
    assert_int_equal(sl_file_read("/nonexistent/x", 10, false, &data, &size, why, sizeof why),
                     SL_ENOENT);
    assert_string_equal(why, "/nonexistent/x: cannot open: No such file or directory");
}

static void test_read_stdin_only_when_offered(void **state)
{
    char path[128], *data;
    size_t size;
    path_of(path, sizeof path, "stdin.txt");
    put(path, "from stdin");
    int saved = dup(STDIN_FILENO);
    int fd = open(path, O_RDONLY);
    dup2(fd, STDIN_FILENO);
    close(fd);
    assert_int_equal(sl_file_read("-", 100, true, &data, &size, NULL, 0), 0);
    assert_string_equal(data, "from stdin");
    free(data);
    lseek(STDIN_FILENO, 0, SEEK_SET);
    /* A stream has no size to check first: it is cut one byte past the cap. */
    assert_int_equal(sl_file_read("-", 4, true, &data, &size, NULL, 0), SL_ETOOBIG);
    dup2(saved, STDIN_FILENO);
    close(saved);
    assert_int_equal(sl_file_read("-", 100, false, &data, &size, NULL, 0), SL_ENOENT);
    unlink(path);
}

static int write_text(const char *path, const char *text, char *why, size_t why_size)
{
    sl_ofile *o;
    int rc = sl_ofile_open(&o, path, why, why_size);
    if (rc < 0)
        return rc;
    fputs(text, sl_ofile_stream(o));
    return sl_ofile_commit(o, why, why_size);
}

static void test_write_new_and_replace(void **state)
{
    char path[128], why[256];
    path_of(path, sizeof path, "out.txt");
    assert_int_equal(write_text(path, "first", why, sizeof why), 0);
    assert_int_equal(entries(), 1);
    chmod(path, 0640);
    assert_int_equal(write_text(path, "second", why, sizeof why), 0);
    char *got = slurp(path);
    assert_string_equal(got, "second");
    free(got);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* the replaced file's mode is kept */
    assert_int_equal(entries(), 1);            /* no temporary left behind */

    /* Abandoned: the old content stays, nothing else appears. */
    sl_ofile *o;
    assert_int_equal(sl_ofile_open(&o, path, why, sizeof why), 0);
    assert_false(sl_ofile_in_place(o));
    fputs("third", sl_ofile_stream(o));
    sl_ofile_abort(o);
    got = slurp(path);
    assert_string_equal(got, "second");
    free(got);
    assert_int_equal(entries(), 1);
    unlink(path);
}

/* Before: the temporary PATH.tmp.PID was opened with fopen("wb"), so a link
 * planted under that name redirected the write to the link's target. */
static void test_write_never_follows_a_planted_name(void **state)
{
    char path[128], victim[128], planted[192], why[256];
    path_of(path, sizeof path, "trace.out");
    path_of(victim, sizeof victim, "victim");
    put(victim, "precious");
    snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
    assert_int_equal(symlink(victim, planted), 0);
    assert_int_equal(write_text(path, "trace", why, sizeof why), 0);
    char *got = slurp(victim);
    assert_string_equal(got, "precious");
    free(got);
    got = slurp(path);
    assert_string_equal(got, "trace");
    free(got);
    unlink(planted);
    unlink(victim);
    unlink(path);
}

static void test_write_follows_a_link_to_its_target(void **state)
{
    char path[128], target[128], why[256];
    path_of(target, sizeof target, "real.txt");
    path_of(path, sizeof path, "link.txt");
    put(target, "old");
    assert_int_equal(symlink("real.txt", path), 0);
    assert_int_equal(write_text(path, "new", why, sizeof why), 0);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *got = slurp(target);
    assert_string_equal(got, "new");
    free(got);
    unlink(path);
    unlink(target);
}

/* Before: `--trace /dev/full` (as root) renamed a regular file over the
 * device node, and a failed write said "input/output error". */
static void test_write_into_devices(void **state)
{
    char why[256];
    assert_int_equal(write_text("/dev/null", "gone", why, sizeof why), 0);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));

    sl_ofile *o;
    assert_int_equal(sl_ofile_open(&o, "/dev/full", why, sizeof why), 0);
    assert_true(sl_ofile_in_place(o));
    fputs("no room", sl_ofile_stream(o));
    assert_int_equal(sl_ofile_commit(o, why, sizeof why), SL_ENOSPC);
    assert_string_equal(why, "cannot write /dev/full (a character device, written into): No "
                             "space left on device");
    assert_int_equal(stat("/dev/full", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
}

static void test_write_refuses_directories(void **state)
{
    char why[256], want[256];
    assert_int_equal(write_text(dir, "x", why, sizeof why), SL_ENOTREG);
    snprintf(want, sizeof want,
             "%s is a directory: refused (schedlab replaces only regular files and writes into "
             "character devices and FIFOs)",
             dir);
    assert_string_equal(why, want);
}

static void *drain(void *arg)
{
    int fd = open(arg, O_RDONLY);
    char buf[64] = "";
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return strndup(buf, n > 0 ? (size_t)n : 0);
}

static void test_write_into_fifos(void **state)
{
    char fifo[128], why[256];
    path_of(fifo, sizeof fifo, "out.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* No reader: refused at once rather than waiting for one forever. */
    assert_int_equal(write_text(fifo, "x", why, sizeof why), SL_EIO);
    assert_non_null(strstr(why, "a FIFO with no reader"));

    pthread_t reader;
    pthread_create(&reader, NULL, drain, fifo);
    sl_ofile *o = NULL;
    for (int i = 0; i < 2000 && sl_ofile_open(&o, fifo, why, sizeof why) != 0; i++)
        usleep(1000); /* until the reader has opened its end */
    assert_non_null(o);
    fputs("through the pipe", sl_ofile_stream(o));
    assert_int_equal(sl_ofile_commit(o, why, sizeof why), 0);
    char *got;
    pthread_join(reader, (void **)&got);
    assert_string_equal(got, "through the pipe");
    free(got);
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    unlink(fifo);
}

/* Permission is said as permission: as root, checked as user nobody. */
static void test_write_permission_denied(void **state)
{
    char sub[128], path[192];
    path_of(sub, sizeof sub, "locked");
    assert_int_equal(chmod(dir, 0755), 0); /* nobody may look in, not write */
    assert_int_equal(mkdir(sub, 0555), 0);
    snprintf(path, sizeof path, "%s/out.txt", sub);
    pid_t pid = fork();
    if (pid == 0) {
        if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        char why[256];
        int rc = write_text(path, "x", why, sizeof why);
        char want[256];
        snprintf(want, sizeof want, "cannot write %s: Permission denied", path);
        _exit(rc == SL_EACCES && strcmp(why, want) == 0 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    rmdir(sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_regular_and_cap),
        cmocka_unit_test(test_read_refuses_devices_fifos_dirs),
        cmocka_unit_test(test_read_stdin_only_when_offered),
        cmocka_unit_test(test_write_new_and_replace),
        cmocka_unit_test(test_write_never_follows_a_planted_name),
        cmocka_unit_test(test_write_follows_a_link_to_its_target),
        cmocka_unit_test(test_write_into_devices),
        cmocka_unit_test(test_write_refuses_directories),
        cmocka_unit_test(test_write_into_fifos),
        cmocka_unit_test(test_write_permission_denied),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
