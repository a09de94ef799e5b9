// Shared by the C micro-benchmarks in this folder: a thread-CPU clock and a seeded uniform generator.
#pragma once
#include <stdint.h>
#include <time.h>

/// Thread CPU time in seconds (steadier than wall time on a shared machine).
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/// Deterministic floats in [-1, 1) (a 64-bit LCG, fixed seed, so every run multiplies the same matrices).
static uint64_t state = 42;
static float uniform(void) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((state >> 40) * (1.0 / (1ull << 24))) * 2 - 1;
}
