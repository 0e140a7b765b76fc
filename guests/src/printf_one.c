/* printf_one.c - one printf, followed in chapter 04 from the C source (API) through the C
 * library to the ecall instruction (ABI) and the instructions that run (ISA). */
#include <stdio.h>

int main(void)
{
    printf("Hello, %s! %d + %d = %d\n", "RISC-V", 2, 3, 2 + 3);
    return 0;
}
