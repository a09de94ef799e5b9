// The per-thread slot of EmbedKitThreadSlot.h.
#include "EmbedKitThreadSlot.h"

static __thread ek_thread_slot slot;

ek_thread_slot *ek_thread_slot_get(void) { return &slot; }
