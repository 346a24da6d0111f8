// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the write-ahead log
// and the snapshots. Two implementations of one function: the SSE4.2 `crc32` instruction,
// eight bytes at a time, and a slicing-by-8 table for machines without it. The first call
// picks one with __builtin_cpu_supports; both are exported so that tests check each.
#include "CPartyHubSystem.h"
#include <pthread.h>
#include <string.h>
#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define CRC32C_POLYNOMIAL 0x82F63B78u

// table[k][n]: the CRC of byte n followed by k zero bytes, so that eight bytes are folded in
// with eight lookups (slicing-by-8).
static uint32_t crc32c_table[8][256];
static pthread_once_t crc32c_table_once = PTHREAD_ONCE_INIT;

static void crc32c_build_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (CRC32C_POLYNOMIAL & (0u - (crc & 1u)));
        crc32c_table[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        for (int k = 1; k < 8; k++) {
            uint32_t previous = crc32c_table[k - 1][n];
            crc32c_table[k][n] = (previous >> 8) ^ crc32c_table[0][previous & 0xFF];
        }
    }
}

uint32_t partyhub_crc32c_software(uint32_t crc, const void *data, size_t length) {
    pthread_once(&crc32c_table_once, crc32c_build_table);
    const uint8_t *bytes = data;
    uint32_t state = ~crc;
    while (length > 0 && ((uintptr_t)bytes & 7) != 0) {
        state = crc32c_table[0][(state ^ *bytes++) & 0xFF] ^ (state >> 8);
        length--;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        word ^= state;
        state = crc32c_table[7][word & 0xFF] ^ crc32c_table[6][(word >> 8) & 0xFF] ^
                crc32c_table[5][(word >> 16) & 0xFF] ^ crc32c_table[4][(word >> 24) & 0xFF] ^
                crc32c_table[3][(word >> 32) & 0xFF] ^ crc32c_table[2][(word >> 40) & 0xFF] ^
                crc32c_table[1][(word >> 48) & 0xFF] ^ crc32c_table[0][word >> 56];
        bytes += 8;
        length -= 8;
    }
#endif
    while (length > 0) {
        state = crc32c_table[0][(state ^ *bytes++) & 0xFF] ^ (state >> 8);
        length--;
    }
    return ~state;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const void *data, size_t length) {
    const uint8_t *bytes = data;
    uint64_t state = ~crc;
    while (length > 0 && ((uintptr_t)bytes & 7) != 0) {
        state = _mm_crc32_u8((uint32_t)state, *bytes++);
        length--;
    }
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        state = _mm_crc32_u64(state, word);
        bytes += 8;
        length -= 8;
    }
    while (length > 0) {
        state = _mm_crc32_u8((uint32_t)state, *bytes++);
        length--;
    }
    return ~(uint32_t)state;
}
#endif

int partyhub_crc32c_hardware_available(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
    return 0;
#endif
}

uint32_t partyhub_crc32c_hardware(uint32_t crc, const void *data, size_t length) {
#if defined(__x86_64__)
    return crc32c_sse42(crc, data, length);
#else
    (void)crc; (void)data; (void)length;
    __builtin_trap();
#endif
}

typedef uint32_t (*crc32c_function)(uint32_t, const void *, size_t);

// Chosen on first use. Two threads racing here both store the same pointer.
static crc32c_function crc32c_chosen;

static crc32c_function crc32c_choose(void) {
    crc32c_function chosen = __atomic_load_n(&crc32c_chosen, __ATOMIC_ACQUIRE);
    if (chosen == NULL) {
        chosen = partyhub_crc32c_hardware_available() ? partyhub_crc32c_hardware : partyhub_crc32c_software;
        __atomic_store_n(&crc32c_chosen, chosen, __ATOMIC_RELEASE);
    }
    return chosen;
}

uint32_t partyhub_crc32c(uint32_t crc, const void *data, size_t length) {
    return crc32c_choose()(crc, data, length);
}

int partyhub_crc32c_uses_hardware(void) {
    return crc32c_choose() == partyhub_crc32c_hardware ? 1 : 0;
}
