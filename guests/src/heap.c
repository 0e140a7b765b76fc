/* heap.c - the heap: malloc, realloc, free, and qsort with a comparator.
 *
 *     heap [COUNT]   sorts COUNT pseudo-random numbers (default 1000)
 *
 * The array grows by doubling with realloc; the C library asks the operating system for more
 * memory (mmap) only now and then, and hands it out piece by piece. The numbers come from a
 * fixed-seed generator, so every run prints the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned int seed = 2024;

static unsigned int next_random(void)   /* a linear congruential generator */
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % 100000;
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 1000;
    if (count < 1) {
        fprintf(stderr, "heap: COUNT must be at least 1\n");
        return 1;
    }

    /* Build the array, doubling its capacity whenever it is full. */
    int capacity = 4, size = 0, grown = 0;
    int *numbers = malloc(capacity * sizeof *numbers);
    if (numbers == NULL)
        return 1;
    while (size < count) {
        if (size == capacity) {
            int *bigger = realloc(numbers, 2 * capacity * sizeof *numbers);
            if (bigger == NULL) {
                fprintf(stderr, "heap: out of memory at %d numbers\n", size);
                free(numbers);
                return 1;
            }
            numbers = bigger;
            capacity *= 2;
            grown++;
        }
        numbers[size++] = (int)next_random();
    }
    printf("%d numbers, capacity %d after %d reallocs\n", size, capacity, grown);

    qsort(numbers, size, sizeof *numbers, compare_ints);

    printf("smallest:");
    for (int i = 0; i < 5 && i < size; i++)
        printf(" %d", numbers[i]);
    printf("\nlargest: ");
    for (int i = size - 5 < 0 ? 0 : size - 5; i < size; i++)
        printf(" %d", numbers[i]);
    printf("\nmedian:   %d\n", numbers[size / 2]);

    unsigned int checksum = 0;
    int sorted = 1;
    for (int i = 0; i < size; i++) {
        checksum = checksum * 31 + (unsigned int)numbers[i];
        if (i > 0 && numbers[i - 1] > numbers[i])
            sorted = 0;
    }
    printf("sorted:   %s\nchecksum: 0x%08x\n", sorted ? "yes" : "NO", checksum);
    free(numbers);

    /* Strings on the heap: a copy of each word, sorted by strcmp. */
    const char *words[] = { "virtual", "machine", "process", "system", "hypervisor",
                            "emulator", "translator", "abi", "api", "isa" };
    int nwords = sizeof words / sizeof words[0];
    char **copies = calloc(nwords, sizeof *copies);
    if (copies == NULL)
        return 1;
    for (int i = 0; i < nwords; i++) {
        copies[i] = malloc(strlen(words[i]) + 1);
        if (copies[i] == NULL)
            return 1;
        strcpy(copies[i], words[i]);
    }
    qsort(copies, nwords, sizeof *copies, compare_strings);
    printf("words:   ");
    for (int i = 0; i < nwords; i++) {
        printf(" %s", copies[i]);
        free(copies[i]);
    }
    printf("\n");
    free(copies);
    return 0;
}
