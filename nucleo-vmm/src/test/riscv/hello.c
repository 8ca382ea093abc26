/*
 * Hello world plus some compute: CRC-32 (bitwise and table-driven), FNV-1a 64 and a
 * 64-bit mixing hash over a generated buffer, with known-answer checks. Also checks the
 * boot registers: a0 = hart id 0, a1 = address of a flattened device tree.
 */
#include "nucleo.h"

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static uint32_t crc_table[256];

static uint32_t crc32_table(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--) {
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    while (n--) {
        h = (h ^ *p++) * 0x100000001b3ULL;
    }
    return h;
}

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

/* A small ARX mixing function over 32-byte blocks, in the spirit of a hash round. */
static void mix_hash(const uint8_t *p, size_t n, uint64_t out[4])
{
    uint64_t s[4] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                     0xa54ff53a5f1d36f1ULL};
    for (size_t off = 0; off + 32 <= n; off += 32) {
        for (int i = 0; i < 4; i++) {
            uint64_t w = 0;
            for (int b = 7; b >= 0; b--) {
                w = (w << 8) | p[off + 8 * i + b];
            }
            s[i] ^= w;
        }
        for (int r = 0; r < 4; r++) {
            s[0] += s[1]; s[1] = rotl(s[1], 13) ^ s[0]; s[0] = rotl(s[0], 32);
            s[2] += s[3]; s[3] = rotl(s[3], 16) ^ s[2];
            s[0] += s[3]; s[3] = rotl(s[3], 21) ^ s[0];
            s[2] += s[1]; s[1] = rotl(s[1], 17) ^ s[2]; s[2] = rotl(s[2], 32);
        }
    }
    for (int i = 0; i < 4; i++) {
        out[i] = s[i];
    }
}

static uint8_t buf[65536];

int main(void)
{
    pr("Hello from a bare-metal RISC-V program!\n");
    check("hart id (a0 at entry)", boot_hartid, 0);
    uint32_t magic = 0;
    if (boot_fdt >= RAM_BASE && boot_fdt < RAM_BASE + 0x10000000UL && (boot_fdt & 3) == 0) {
        magic = *(volatile uint32_t *)(uintptr_t)boot_fdt;
    }
    check32("FDT magic at a1 (read little-endian)", magic, 0xedfe0dd0u);

    const uint8_t check_str[] = "123456789";
    check32("crc32(\"123456789\") bitwise", crc32_bitwise(check_str, 9), 0xcbf43926u);
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        }
        crc_table[i] = c;
    }
    check32("crc32(\"123456789\") table", crc32_table(check_str, 9), 0xcbf43926u);
    check("fnv1a64(\"a\")", fnv1a64((const uint8_t *)"a", 1), 0xaf63dc4c8601ec8cULL);
    check("fnv1a64(\"\")", fnv1a64((const uint8_t *)"", 0), 0xcbf29ce484222325ULL);

    uint64_t x = 0x0123456789abcdefULL;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)(x >> 24);
    }
    uint32_t c1 = crc32_table(buf, sizeof(buf));
    uint32_t c2 = crc32_bitwise(buf, sizeof(buf));
    pr("crc32 of 64 KiB of xorshift bytes: %08x\n", c1);
    check32("  bitwise and table agree", c2, c1);
    pr("fnv1a64 of it: %016lx\n", fnv1a64(buf, sizeof(buf)));
    uint64_t h[4];
    mix_hash(buf, sizeof(buf), h);
    pr("mix hash of it: %016lx%016lx%016lx%016lx\n", h[0], h[1], h[2], h[3]);
    return finish("hello");
}
