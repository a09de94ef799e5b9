// Host-state probe: nanoseconds per dependent load of a random pointer chase over working sets of 1, 8 and 64
// MiB (one cache line per node, huge pages requested), best of 5 passes of thread CPU time. On the shared VMs
// the 8 MiB figure (the size of the encoders' rank and pair tables) swings several-fold from minute to minute
// as other tenants use the L3; printing it next to a benchmark says which host state the run saw.
//
//   scripts/bench/memory_latency.sh [MiB …]
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "bench_common.h"

/// Builds one random cycle through `lines` cache lines of `nodes` (the first word of each line is the index of
/// the next line) and returns the nanoseconds per step of following it.
static double chase(uint64_t *nodes, size_t lines) {
    uint32_t *order = malloc(lines * sizeof *order);
    for (size_t i = 0; i < lines; i++) order[i] = (uint32_t)i;
    for (size_t i = lines - 1; i > 0; i--) {   // Fisher–Yates with the seeded generator
        size_t j = (size_t)((uniform() + 1) * 0.5 * (double)(i + 1)) % (i + 1);
        uint32_t t = order[i]; order[i] = order[j]; order[j] = t;
    }
    for (size_t i = 0; i < lines; i++) nodes[order[i] * 8] = (uint64_t)order[(i + 1) % lines] * 8;
    free(order);
    const size_t steps = 10000000;
    double best = 1e9;
    uint64_t p = 0;
    for (int pass = 0; pass < 5; pass++) {
        double start = now();
        for (size_t s = 0; s < steps; s++) p = nodes[p];
        double t = now() - start;
        if (t < best) best = t;
    }
    if (p == 1) puts("");   // keeps the chase from being optimised away
    return best / steps * 1e9;
}

int main(int argc, char **argv) {
    int defaults[] = {1, 8, 64};
    int count = argc > 1 ? argc - 1 : 3;
    for (int k = 0; k < count; k++) {
        size_t mib = argc > 1 ? (size_t)atoi(argv[k + 1]) : (size_t)defaults[k];
        size_t bytes = mib << 20;
        uint64_t *nodes = aligned_alloc(2 << 20, bytes);
        madvise(nodes, bytes, MADV_HUGEPAGE);
        printf("%zu MiB: %.1f ns per load\n", mib, chase(nodes, bytes / 64));
        free(nodes);
    }
    return 0;
}
