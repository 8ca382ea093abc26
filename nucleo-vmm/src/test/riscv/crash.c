/*
 * A guest that can make no progress: mtvec and the pc both point at 0x40000000, where
 * the board has nothing (on Nucleo's board; QEMU's virt has PCIe there). The fetch
 * faults, the trap vector faults again, forever. The hypervisor must end the VM with a
 * "guest crash" instead of spinning.
 */
#include "nucleo.h"

#define NOWHERE 0x40000000UL

int main(void)
{
    pr("crash: jumping to %08lx with mtvec = %08lx\n", NOWHERE, NOWHERE);
    csr_write(mtvec, NOWHERE);
    __asm__ volatile("jr %0" :: "r"(NOWHERE));
    pr("crash: still running after the jump\n");
    return 3;
}
