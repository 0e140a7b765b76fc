/* shell.c - the /init of the course's tiny Linux: mounts /proc and /sys, then reads commands from
 * the console and runs them itself (help, echo, uname, cat, ls, count, uptime, poweroff).
 *
 * Build (from this folder; one static position-independent RV32IMA program):
 *
 *   python -m ziglang cc -target riscv32-linux-musl -mcpu=generic_rv32+m+a -fPIE -Os -s \
 *       -fno-asynchronous-unwind-tables -fno-unwind-tables -Wl,--build-id=none \
 *       -Wl,-z,stack-size=16384 -o init shell.c
 *
 * -fPIE: position independent, so the no-MMU kernel (no virtual addresses: every program shares
 *        one physical address space) can load it wherever it finds room; zig links musl programs
 *        statically anyway, and a static PIE starts in musl's rcrt1.o, which relocates the program
 *        itself. (-static-pie is not needed: zig cc ignores it with a warning.) The MMU kernel runs
 *        the same file.
 * -mcpu=generic_rv32+m+a: RV32IMA, no compressed (C) or floating-point (F, D) instructions.
 * -Wl,-z,stack-size=16384: written in PT_GNU_STACK; the no-MMU kernel's ELF-FDPIC loader gives the
 *        program a stack of exactly that size (128 KiB by default), as it cannot grow one later.
 *
 * One process does everything: a no-MMU kernel has no fork(), so there are no child programs.
 * Output goes straight to the console with write() rather than printf: printf alone would make
 * the program three times bigger (it brings floating-point formatting along), and its buffer
 * would need flushing before each read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* --- output: small helpers around write() --------------------------------------------------- */

static void put(const char *s)
{
    write(1, s, strlen(s));
}

/* n in decimal, zero-padded to at least `width` digits (printf's "%0*llu"). */
static void put_num(unsigned long long n, int width)
{
    char digits[24];
    int i = sizeof digits;
    do {
        digits[--i] = '0' + n % 10;
        n /= 10;
        width--;
    } while (n != 0 || width > 0);
    write(1, digits + i, sizeof digits - i);
}

/* "who: what: reason" on stderr, the reason taken from errno (what may be NULL). */
static void complain(const char *who, const char *what)
{
    const char *reason = strerror(errno);
    write(2, who, strlen(who));
    write(2, ": ", 2);
    if (what) {
        write(2, what, strlen(what));
        write(2, ": ", 2);
    }
    write(2, reason, strlen(reason));
    write(2, "\n", 1);
}

/* Microseconds on a clock; CLOCK_MONOTONIC never jumps when the date is set. */
static unsigned long long now_us(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (unsigned long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* --- the commands: each gets the words of its line, argv[0] being its own name -------------- */

static void cmd_help(int argc, char **argv);

static void cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            put(" ");
        put(argv[i]);
    }
    put("\n");
}

static void cmd_uname(int argc, char **argv)
{
    (void)argc, (void)argv;
    struct utsname u;               /* the kernel fills it in: uname(2) */
    if (uname(&u) < 0) {
        complain("uname", NULL);
        return;
    }
    const char *fields[] = {u.sysname, u.release, u.version, u.machine};
    for (int i = 0; i < 4; i++) {
        put(fields[i]);
        put(i < 3 ? " " : "\n");
    }
}

/* The bytes cat copies and ls reads: static, as the no-MMU stack is only 16 KiB; aligned for the
 * 64-bit numbers in struct dirent. */
static char buffer[1024] __attribute__((aligned(8)));

static void cmd_cat(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            complain("cat", argv[i]);
            continue;
        }
        /* Read until read() returns 0: files in /proc say their size is 0, they are made as read. */
        ssize_t n;
        while ((n = read(fd, buffer, sizeof buffer)) > 0)
            write(1, buffer, n);
        if (n < 0)
            complain("cat", argv[i]);
        close(fd);
    }
}

/* Names side by side, like ls: a / after directories, an @ after symbolic links, and names
 * starting with a dot left out. In the order the file system gives them (not sorted).
 * getdents() (the getdents64 system call) fills the buffer with struct dirent records of varying
 * length, each giving the length of its own record. (opendir() would do the same but allocate its
 * buffer with malloc, and zig's C library brings a 16 KiB allocator along for that.) */
static void cmd_ls(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : ".";
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        complain("ls", path);
        return;
    }
    size_t column = 0;
    int n;
    while ((n = getdents(fd, (struct dirent *)buffer, sizeof buffer)) > 0) {
        for (int at = 0; at < n; ) {
            struct dirent *entry = (struct dirent *)(buffer + at);
            at += entry->d_reclen;
            if (entry->d_name[0] == '.')
                continue;
            const char *mark = entry->d_type == DT_DIR ? "/" : entry->d_type == DT_LNK ? "@" : "";
            size_t width = strlen(entry->d_name) + strlen(mark);
            if (column > 0 && column + 2 + width > 78) {  /* 2: the spaces between names */
                put("\n");
                column = 0;
            } else if (column > 0) {
                put("  ");
                column += 2;
            }
            put(entry->d_name);
            if (*mark)
                put(mark);
            column += width;
        }
    }
    if (column > 0)
        put("\n");
    if (n < 0)
        complain("ls", path);
    close(fd);
}

/* A decimal number that fits an unsigned long, or 0 (refused) when s is something else. */
static int parse_number(const char *s, unsigned long *out)
{
    unsigned long n = 0;
    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > (~0UL - 9) / 10)
            return 0;
        n = n * 10 + (*s - '0');
    }
    *out = n;
    return 1;
}

/* Count to N and time it: the machine's speed as a program inside it sees it. */
static void cmd_count(int argc, char **argv)
{
    unsigned long n;
    if (argc != 2 || !parse_number(argv[1], &n)) {
        put("usage: count N\n");
        return;
    }
    unsigned long long start = now_us(CLOCK_MONOTONIC);
    volatile unsigned long i;       /* volatile: the compiler may not skip the loop */
    for (i = 0; i < n; i++)
        continue;
    unsigned long long us = now_us(CLOCK_MONOTONIC) - start;

    put("counted to ");
    put_num(i, 1);
    put(" in ");
    put_num(us / 1000, 1);
    put(".");
    put_num(us % 1000, 3);
    put(" ms");
    if (us > 0) {
        put(" (");
        put_num((unsigned long long)n * 1000000 / us, 1);
        put(" per second)");
    }
    put("\n");
}

static void cmd_uptime(int argc, char **argv)
{
    (void)argc, (void)argv;
    /* CLOCK_BOOTTIME starts at 0 when the kernel boots: the number in /proc/uptime. */
    unsigned long long us = now_us(CLOCK_BOOTTIME);
    put("up ");
    put_num(us / 1000000, 1);
    put(".");
    put_num(us / 10000 % 100, 2);
    put(" s\n");
}

/* Power the machine off; it stops with exit status 0. Only init may: anywhere else (a test on
 * a host computer under qemu-riscv32) this must never switch the computer off, so it exits. */
static void cmd_poweroff(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (getpid() != 1) {
        put("poweroff: not init (pid ");
        put_num(getpid(), 1);
        put("): exiting\n");
        exit(0);
    }
    sync();                         /* write out what file systems still hold in memory */
    tcdrain(1);                     /* and let the console send what it holds: the kernel */
                                    /* powers off at once, mid-line if the UART is slow */
    reboot(RB_POWER_OFF);           /* does not return when it works */
    complain("poweroff", NULL);
}

static const struct command {
    const char *name;
    void (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"help", cmd_help, "list the commands"},
    {"echo", cmd_echo, "echo WORDS...    print the words"},
    {"uname", cmd_uname, "the kernel's name, release, version and machine"},
    {"cat", cmd_cat, "cat FILE...      print files, e.g. /proc/cpuinfo /proc/meminfo"},
    {"ls", cmd_ls, "ls [DIR]         list a directory, e.g. /proc /sys"},
    {"count", cmd_count, "count N          count to N and time it"},
    {"uptime", cmd_uptime, "time since the kernel started"},
    {"poweroff", cmd_poweroff, "switch the machine off (so does the end of input)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (size_t i = 0; i < NCOMMANDS; i++) {
        put(commands[i].name);
        put(&"          "[strlen(commands[i].name)]);   /* pad the names to 10 columns */
        put(commands[i].help);
        put("\n");
    }
}

/* --- the shell ------------------------------------------------------------------------------- */

/* Split a line into words at spaces and tabs (no quotes; a carriage return, should the terminal
 * send one, counts as a space), then run the command the first word names. */
static void run_line(char *line)
{
    char *argv[16];
    int argc = 0;
    for (char *word = strtok(line, " \t\r"); word && argc < 16; word = strtok(NULL, " \t\r"))
        argv[argc++] = word;
    if (argc == 0)
        return;                     /* an empty line: just the prompt again */
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[0], commands[i].name) == 0) {
            commands[i].run(argc, argv);
            return;
        }
    write(2, argv[0], strlen(argv[0]));
    write(2, ": command not found\n", 20);
}

/* The kernel opens /dev/console as fds 0, 1 and 2 before starting init; if it could not (no
 * /dev/console in the initramfs), make the device node (character device 5,1) and try again. */
static void open_console(int init)
{
    if (fcntl(0, F_GETFD) >= 0)
        return;
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0 && init) {
        mkdir("/dev", 0755);
        mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1));
        fd = open("/dev/console", O_RDWR);
    }
    if (fd < 0)
        return;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
        close(fd);
}

int main(void)
{
    int init = getpid() == 1;       /* mount and power off only as the real init */
    open_console(init);
    if (init) {
        /* proc and sysfs are the kernel's views of itself as files; they need mount points. */
        if (mkdir("/proc", 0555) < 0 && errno != EEXIST)
            complain("mkdir", "/proc");
        if (mount("proc", "/proc", "proc", 0, NULL) < 0)
            complain("mount", "/proc");
        mkdir("/sys", 0555);        /* sysfs is optional: failures stay quiet */
        mount("sysfs", "/sys", "sysfs", 0, NULL);
    }
    put("course shell: type help\n");

    /* Read the console a byte at a time. The terminal driver (the kernel's tty) echoes what is
     * typed and handles backspace; read() returns only once Enter is pressed. */
    static char line[256];
    size_t length = 0;
    int too_long = 0;
    put("# ");
    for (;;) {
        char c;
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {               /* end of input (Ctrl-D) or no console */
            if (length > 0) {       /* a last line without a newline */
                line[length] = '\0';
                run_line(line);
            }
            break;
        }
        if (c != '\n') {
            if (length < sizeof line - 1)
                line[length++] = c;
            else
                too_long = 1;
            continue;
        }
        line[length] = '\0';
        if (too_long)
            put("line too long\n");
        else
            run_line(line);
        length = 0;
        too_long = 0;
        put("# ");
    }
    if (length == 0)
        put("\n");                  /* leave the prompt's line */
    cmd_poweroff(0, NULL);
    /* Still here: init may not exit (the kernel would panic), so wait forever. */
    for (;;)
        pause();
}
