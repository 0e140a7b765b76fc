/* files.c - files through system calls: wc on standard input, then a file written, read back
 * and seeked in the current directory, and the error a missing file gives.
 *
 *     files < some.txt     counts lines, words and bytes like wc, then writes files.out
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    /* 1. wc: count lines, words and bytes of standard input (stdio reads it in big chunks). */
    long lines = 0, words = 0, bytes = 0;
    int c, in_word = 0;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n')
            lines++;
        if (isspace(c))
            in_word = 0;
        else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    printf("stdin: %ld lines, %ld words, %ld bytes\n", lines, words, bytes);

    /* 2. Write a file with open/write/close: each call is one system call. */
    char text[128];
    int length = snprintf(text, sizeof text, "lines=%ld\nwords=%ld\nbytes=%ld\n",
                          lines, words, bytes);
    int fd = open("files.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        printf("open files.out for writing: %s\n", strerror(errno));
        return 1;
    }
    ssize_t written = write(fd, text, length);
    close(fd);
    printf("wrote %zd bytes to files.out\n", written);

    /* 3. Read it back, then jump around with lseek. */
    fd = open("files.out", O_RDONLY);
    if (fd < 0) {
        printf("open files.out for reading: %s\n", strerror(errno));
        return 1;
    }
    char back[128];
    ssize_t got = read(fd, back, sizeof back - 1);
    back[got < 0 ? 0 : got] = '\0';
    printf("read %zd bytes back, %s\n", got, strcmp(back, text) == 0 ? "same as written" : "DIFFERENT");

    struct stat info;
    if (fstat(fd, &info) == 0)
        printf("fstat: size %ld, regular file: %s\n", (long)info.st_size,
               S_ISREG(info.st_mode) ? "yes" : "no");

    off_t end = lseek(fd, 0, SEEK_END);                 /* the offset of the end: the size */
    off_t second = strchr(text, '\n') + 1 - text;       /* where the line "words=..." starts */
    off_t where = lseek(fd, second, SEEK_SET);
    char word[8] = { 0 };
    got = read(fd, word, 5);
    printf("lseek: the file ends at offset %ld; at offset %ld, read %zd bytes: \"%.*s\"\n",
           (long)end, (long)where, got, (int)(got < 0 ? 0 : got), word);
    close(fd);

    /* 4. The same with stdio: fopen, fgets, fclose. */
    FILE *file = fopen("files.out", "r");
    char line[64];
    int n = 0;
    while (file && fgets(line, sizeof line, file))
        printf("line %d: %s", ++n, line);
    if (file)
        fclose(file);

    /* 5. A file that does not exist: the system call fails, errno says why. */
    errno = 0;
    fd = open("missing.txt", O_RDONLY);
    int saved = errno;
    printf("open missing.txt: %d, errno %d (%s)\n", fd, saved, strerror(saved));
    if (fopen("missing.txt", "r") == NULL)
        perror("fopen missing.txt");            /* perror writes to standard error */
    return 0;
}
