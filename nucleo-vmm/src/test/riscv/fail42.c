/* Reports failure code 42 through the test finisher (0x3333 | 42 << 16). */
#include "nucleo.h"

int main(void)
{
    pr("fail42: reporting failure code 42 through the finisher\n");
    return 42;
}
