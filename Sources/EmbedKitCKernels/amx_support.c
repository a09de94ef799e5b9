// Intel AMX run-time detection and tile configuration shared by the AMX GEMM kernels (bf16_split_gemm.c,
// int8_gemm.c).
#include "EmbedKitGemm.h"
#include "amx_support.h"
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)
#include <immintrin.h>
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static int amx_state = -1;

int ek_amx_available(void) {
    int state = __atomic_load_n(&amx_state, __ATOMIC_ACQUIRE);
    if (state >= 0) return state;
    unsigned a, b, c, d;
    int ok = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        int tile = (d >> 24) & 1, bf16 = (d >> 22) & 1, int8 = (d >> 25) & 1;
        int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1;
        unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
        __get_cpuid_count(7, 1, &a1, &b1, &c1, &d1);
        int avx512bf16 = (a1 >> 5) & 1;
        if (tile && bf16 && int8 && avx512f && avx512bw && avx512bf16)
            ok = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
    }
    __atomic_store_n(&amx_state, ok, __ATOMIC_RELEASE);
    return ok;
}

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} __attribute__((packed)) tile_config;

__attribute__((target("amx-tile")))
void ek_amx_configure_tiles(void) {
    tile_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.palette = 1;
    for (int t = 0; t < 8; t++) { cfg.rows[t] = 16; cfg.colsb[t] = 64; }
    _tile_loadconfig(&cfg);
}

__attribute__((target("amx-tile")))
void ek_amx_release_tiles(void) { _tile_release(); }

#else

int ek_amx_available(void) { return 0; }

#endif
