/* compute.c - a compute benchmark: a prime sieve, a matrix multiply and a CRC-32, repeated.
 *
 *     compute [ROUNDS]   (default 1; each round retires roughly a million RV32 instructions)
 *
 * Integer work only, no system calls inside the loop, and a deterministic result: the same
 * program run by QEMU, by an interpreter or by a binary translator must print the same lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIEVE_LIMIT 40000
#define N 20                 /* matrices are N x N */
#define CRC_BYTES 4096

static unsigned char composite[SIEVE_LIMIT + 1];
static int a[N][N], b[N][N], c[N][N];
static unsigned char buffer[CRC_BYTES];

/* Sieve of Eratosthenes: returns how many primes are <= limit, and the largest one. */
static int sieve(int limit, int *largest)
{
    memset(composite, 0, sizeof composite);
    int count = 0;
    for (int i = 2; i <= limit; i++) {
        if (composite[i])
            continue;
        count++;
        *largest = i;
        for (int j = i * i; j <= limit; j += i)   /* i * i fits: limit is small */
            composite[j] = 1;
    }
    return count;
}

/* c = a * b, then the trace of c */
static int matrix_multiply(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int sum = 0;
            for (int k = 0; k < N; k++)
                sum += a[i][k] * b[k][j];
            c[i][j] = sum;
        }
    int trace = 0;
    for (int i = 0; i < N; i++)
        trace += c[i][i];
    return trace;
}

/* CRC-32 (the one of zip and Ethernet), bit by bit: no table, just shifts and xors. */
static unsigned int crc32(const unsigned char *data, int length)
{
    unsigned int crc = 0xFFFFFFFFu;
    for (int i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    if (rounds < 1) {
        fprintf(stderr, "compute: ROUNDS must be at least 1\n");
        return 1;
    }

    /* The CRC of "123456789" is the standard check value 0xcbf43926. */
    printf("crc32(\"123456789\") = 0x%08x\n", crc32((const unsigned char *)"123456789", 9));

    unsigned int total = 0;
    int primes = 0, largest = 0, trace = 0;
    unsigned int crc = 0;
    for (int r = 0; r < rounds; r++) {
        primes = sieve(SIEVE_LIMIT - r % 7, &largest);

        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                a[i][j] = (i * 7 + j * 3 + r) % 19 - 9;
                b[i][j] = (i * 5 - j * 11 + r) % 23;
            }
        trace = matrix_multiply();

        for (int i = 0; i < CRC_BYTES; i++)
            buffer[i] = (unsigned char)(i * 31 + r);
        crc = crc32(buffer, CRC_BYTES);

        total = total * 33 + (unsigned int)primes + (unsigned int)largest
                + (unsigned int)trace + crc;
    }
    printf("rounds: %d\n", rounds);
    printf("last round: %d primes (largest %d), trace %d, crc32 0x%08x\n",
           primes, largest, trace, crc);
    printf("checksum: 0x%08x\n", total);
    return 0;
}
