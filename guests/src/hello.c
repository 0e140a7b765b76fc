/* hello.c - printf with a few formats.
 *
 * Every line below crosses the same layers: printf (the C library's API) formats into a
 * buffer, and one system call (writev, the ABI) hands the bytes to the operating system.
 */
#include <stdio.h>

int main(void)
{
    int answer = 42;
    unsigned int word = 0xdeadbeef;
    long long big = 1LL << 40;          /* 64 bits on a 32-bit machine: two registers */
    double pi = 3.14159265358979;       /* no FPU here: software floating point does the work */

    printf("Hello from RISC-V!\n");
    printf("%%d   %d and %d\n", answer, -answer);
    printf("%%u   %u\n", word);
    printf("%%x   0x%x, %%08X 0x%08X\n", word, 255u);
    printf("%%c   '%c', %%s \"%s\"\n", 'A' + 2, "a string");
    printf("%%5d [%5d], %%-5d [%-5d]\n", answer, answer);
    printf("%%lld %lld\n", big);
    printf("%%.3f %.3f, %%e %e\n", pi, pi * 1e6);
    printf("sizeof(int)=%zu sizeof(long)=%zu sizeof(void *)=%zu sizeof(long long)=%zu\n",
           sizeof(int), sizeof(long), sizeof(void *), sizeof(long long));
    return 0;
}
