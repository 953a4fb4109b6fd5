/* C twin of `ipcj bench -m ring-block`: bench_ring_spin.c with blocking put/take and no spin. */
#define BENCH_RING_BLOCKING 1
#include "bench_ring_spin.c"
