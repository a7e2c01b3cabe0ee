/*
 * record-tee.c - a memory file between ncurses and the terminal.
 *
 * The file is opened append-only and emptied after each pump, so it never
 * holds more than one frame. Pumping happens on the UI thread right after
 * a flush: no second thread reads the bytes, and the cast sees them in the
 * order the terminal does.
 */
#define _GNU_SOURCE
#include "control/record-tee.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "schedlab/error.h"

struct sl_tee {
    FILE *stream;
    int fd;
    sl_cast *cast;
    int tty;
    struct termios saved;
    bool have_saved;
    struct sigaction old_winch, old_tstp;
    int cols, rows;
    uint64_t bytes;
    int err;
};

static volatile sig_atomic_t winched, stop_asked;

static void on_winch(int sig)
{
    winched = 1;
}

/* Only noted: the loop leaves the screen and stops outside the handler, as
 * curses calls are not async-signal-safe. */
static void on_tstp(int sig)
{
    stop_asked = 1;
}

static void catch_tstp(struct sigaction *old)
{
    stop_asked = 0;
    struct sigaction sa = {.sa_handler = on_tstp};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTSTP, &sa, old);
}

/* The modes curses would set: keys unbuffered and unechoed, signals kept
 * (Ctrl-C stops the TUI cleanly), and output untranslated so that a line
 * feed moves down only, as it does when the cast is played. */
static void make_raw(sl_tee *t)
{
    if (tcgetattr(t->tty, &t->saved) != 0)
        return;
    t->have_saved = true;
    struct termios m = t->saved;
    m.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    m.c_iflag &= ~(tcflag_t)(ICRNL | IXON);
    m.c_oflag &= ~(tcflag_t)OPOST;
    m.c_cc[VMIN] = 1;
    m.c_cc[VTIME] = 0;
    tcsetattr(t->tty, TCSANOW, &m);
}

int sl__tee_open(sl_tee **out, sl_cast *cast, int tty)
{
    *out = NULL;
    sl_tee *t = calloc(1, sizeof *t);
    if (!t) {
        sl_cast_close(cast);
        return SL_ENOMEM;
    }
    t->cast = cast;
    t->tty = tty;
    t->fd = memfd_create("schedlab-tee", MFD_CLOEXEC);
    if (t->fd < 0 || fcntl(t->fd, F_SETFL, O_APPEND) != 0 || !(t->stream = fdopen(t->fd, "w"))) {
        if (t->fd >= 0)
            close(t->fd);
        sl_cast_close(cast);
        free(t);
        return SL_EIO;
    }
    if (tty >= 0) {
        make_raw(t);
        sl__tee_tty_size(t, &t->cols, &t->rows);
        /* Installed before curses starts, so curses keeps it: curses would
         * ask the memory file for the new size and get none. */
        winched = 0;
        struct sigaction sa = {.sa_handler = on_winch};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGWINCH, &sa, &t->old_winch);
        /* Also before curses: curses installs its own Ctrl-Z handler only
         * where none is, and its handler would restore the memory file. */
        catch_tstp(&t->old_tstp);
    }
    *out = t;
    return 0;
}

FILE *sl__tee_stream(sl_tee *t)
{
    return t->stream;
}

static void write_all(sl_tee *t, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(t->tty, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            t->err = SL_EIO;
            return;
        }
        buf += w;
        n -= (size_t)w;
    }
}

/* Moves the new bytes to the terminal, and to the cast if `to_cast`. */
static int pass_on(sl_tee *t, uint64_t t_ns, bool to_cast)
{
    fflush(t->stream);
    char buf[65536];
    off_t off = 0;
    ssize_t n;
    while ((n = pread(t->fd, buf, sizeof buf, off)) > 0) {
        if (t->tty >= 0)
            write_all(t, buf, (size_t)n);
        if (t->cast && to_cast) {
            int rc = sl_cast_output(t->cast, t_ns, buf, (size_t)n);
            if (rc < 0 && t->err == 0)
                t->err = rc;
        }
        off += n;
    }
    t->bytes += (uint64_t)off;
    if (off > 0 && ftruncate(t->fd, 0) != 0 && t->err == 0)
        t->err = SL_EIO;
    return t->err;
}

int sl__tee_pump(sl_tee *t, uint64_t t_ns)
{
    return pass_on(t, t_ns, true);
}

bool sl__tee_stop_asked(sl_tee *t)
{
    if (t->tty < 0 || !stop_asked)
        return false;
    stop_asked = 0;
    return true;
}

void sl__tee_stop_here(sl_tee *t)
{
    pass_on(t, 0, false);
    if (t->have_saved)
        tcsetattr(t->tty, TCSANOW, &t->saved);
    /* Stop as the default action would: this is the loop's thread, not the
     * handler, so SIGTSTP is not blocked and the raise stops us at once. */
    struct sigaction dfl = {.sa_handler = SIG_DFL}, ours;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, &ours);
    raise(SIGTSTP);
    /* Continued: the shell may have changed the modes and the size. */
    sigaction(SIGTSTP, &ours, NULL);
    make_raw(t);
    winched = 1;
}

bool sl__tee_tty_size(const sl_tee *t, int *cols, int *rows)
{
    struct winsize ws;
    if (t->tty < 0 || ioctl(t->tty, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0)
        return false;
    *cols = ws.ws_col;
    *rows = ws.ws_row;
    return true;
}

bool sl__tee_resized(sl_tee *t, uint64_t t_ns, int *cols, int *rows)
{
    if (t->tty < 0 || !winched)
        return false;
    winched = 0;
    int c, r;
    if (!sl__tee_tty_size(t, &c, &r) || (c == t->cols && r == t->rows))
        return false;
    t->cols = *cols = c;
    t->rows = *rows = r;
    if (t->cast)
        sl_cast_resize(t->cast, t_ns, c, r);
    return true;
}

void sl__tee_drop(sl_tee *t)
{
    fflush(t->stream);
    if (ftruncate(t->fd, 0) != 0 && t->err == 0)
        t->err = SL_EIO;
}

int sl__tee_mark(sl_tee *t, uint64_t t_ns, const char *label)
{
    if (!t->cast)
        return 0;
    /* What curses wrote before the moment belongs before the marker. */
    pass_on(t, t_ns, true);
    int rc = sl_cast_marker(t->cast, t_ns, label);
    if (rc < 0 && t->err == 0)
        t->err = rc;
    return t->err;
}

sl_cast *sl__tee_cast(sl_tee *t)
{
    return t->cast;
}

uint64_t sl__tee_bytes(const sl_tee *t)
{
    return t->bytes;
}

int sl__tee_close(sl_tee *t, uint64_t t_ns)
{
    if (!t)
        return 0;
    sl__tee_pump(t, t_ns);
    if (t->tty >= 0) {
        if (t->have_saved)
            tcsetattr(t->tty, TCSANOW, &t->saved);
        sigaction(SIGWINCH, &t->old_winch, NULL);
        sigaction(SIGTSTP, &t->old_tstp, NULL);
    }
    int rc = t->err;
    int crc = sl_cast_close(t->cast);
    fclose(t->stream);
    free(t);
    return rc < 0 ? rc : crc;
}
