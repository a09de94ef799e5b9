// One word-pair per thread for EmbedKitTokenizers' piece-cache pool: the cache a thread encoded with last, so its
// next short call takes it back with plain loads and stores (no atomic instruction, no lock).
#ifndef EMBEDKIT_THREAD_SLOT_H
#define EMBEDKIT_THREAD_SLOT_H
#include <stdint.h>

/// `owner` names the pool that lent `value` (a unique number, never reused; 0 = none); `value` is the cache,
/// or NULL while the thread is using it (or has none).
typedef struct {
    uint64_t owner;
    void *_Nullable value;
} ek_thread_slot;

/// The calling thread's slot (zeroed when the thread starts; never freed).
ek_thread_slot *_Nonnull ek_thread_slot_get(void);

#endif
