// Barrier of the threads that share one call (the main thread and, in Node, one worker).
//
// The threaded build shares the linear memory between the two module instances and synchronizes through atomics
// on the control block; the single-threaded build (browsers, no SharedArrayBuffer) always runs with nthreads = 1.
// A short spin comes before the futex-style wait because most waits (the two halves of a GEMM) are short, while a
// sleeping thread costs tens of microseconds to wake. Returns the abort flag: the worker sets it when it fails, so
// the main thread never waits forever on a thread that is gone.
#include "common.h"

#define SPIN 4000

int team_barrier(int* ctrl, int nthreads) {
  if (nthreads <= 1) return 0;
#ifdef LINALG_THREADS
  int gen = __atomic_load_n(&ctrl[CTRL_BAR_GEN], __ATOMIC_SEQ_CST);
  if (__atomic_fetch_add(&ctrl[CTRL_BAR_COUNT], 1, __ATOMIC_SEQ_CST) == nthreads - 1) {
    __atomic_store_n(&ctrl[CTRL_BAR_COUNT], 0, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&ctrl[CTRL_BAR_GEN], 1, __ATOMIC_SEQ_CST);
    __builtin_wasm_memory_atomic_notify(&ctrl[CTRL_BAR_GEN], 0x7fffffff);
  } else {
    for (int s = 0; s < SPIN; s++) {
      if (__atomic_load_n(&ctrl[CTRL_BAR_GEN], __ATOMIC_SEQ_CST) != gen) break;
      if (__atomic_load_n(&ctrl[CTRL_ABORT], __ATOMIC_SEQ_CST) != 0) break;
    }
    // 100 ms slices: the abort flag is re-read even if a notify is missed. A partner that has not arrived after a
    // minute is gone (no step between barriers takes that long below the 2 GiB memory limit): give up, and let the
    // caller start over on one thread.
    int slices = 0;
    while (__atomic_load_n(&ctrl[CTRL_BAR_GEN], __ATOMIC_SEQ_CST) == gen &&
           __atomic_load_n(&ctrl[CTRL_ABORT], __ATOMIC_SEQ_CST) == 0) {
      if (__builtin_wasm_memory_atomic_wait32(&ctrl[CTRL_BAR_GEN], gen, 100000000LL) == 2 && ++slices == 600) {
        __atomic_store_n(&ctrl[CTRL_ABORT], 1, __ATOMIC_SEQ_CST);
        __builtin_wasm_memory_atomic_notify(&ctrl[CTRL_BAR_GEN], 0x7fffffff);
      }
    }
  }
  return __atomic_load_n(&ctrl[CTRL_ABORT], __ATOMIC_SEQ_CST);
#else
  (void)ctrl;
  return 0;
#endif
}
