/* args.c - what a program receives from whoever starts it: argc and argv, the environment,
 * and the exit status it hands back.
 *
 *     args [STATUS [WORDS...]]   exits with STATUS (a number, default 0)
 *
 * Only the environment variables named below are printed, so the output does not depend on
 * the machine it runs on.
 */
#include <stdio.h>
#include <stdlib.h>

static const char *const shown[] = { "GREETING", "LANGUAGE", "EMPTY" };

int main(int argc, char **argv)
{
    printf("argc = %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
    printf("argv[%d] = %s\n", argc, argv[argc] == NULL ? "NULL" : "(not NULL!)");

    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const char *value = getenv(shown[i]);
        if (value)
            printf("%s = \"%s\"\n", shown[i], value);
        else
            printf("%s is not set\n", shown[i]);
    }

    int status = argc > 1 ? atoi(argv[1]) : 0;
    fprintf(stderr, "args: exit status %d\n", status);
    return status;
}
