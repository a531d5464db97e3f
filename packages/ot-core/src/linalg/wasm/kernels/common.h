// Shared definitions of the float64 kernels compiled to WebAssembly (wasm32 + simd128).
//
// Everything here is freestanding: no libc, no malloc, no static data. The TypeScript side lays out the linear
// memory (matrices, permutations, per-thread scratch) and passes byte offsets. No function takes the address of
// a local or keeps an array on the stack, so two instances of the module (main thread and a worker) can share one
// memory without a per-thread stack: build-kernels.sh checks that no code touches __stack_pointer.
#ifndef LINALG_COMMON_H
#define LINALG_COMMON_H

#include <wasm_simd128.h>

typedef double f64;
typedef v128_t v2;

#define INLINE static inline __attribute__((always_inline))
// V8 (Node, Chrome) first runs every wasm function in its baseline compiler and optimizes a function only after it
// has used up a budget of calls and loop iterations, and it cannot switch a call that is already running: a loop
// that runs once for a whole second would stay in baseline code (~5× slower). So every hot loop sits in a NOINLINE
// function that is called many times (per block, panel, row, sweep), never directly in a once-called driver.
#define NOINLINE static __attribute__((noinline))
#define EXPORT(name) __attribute__((export_name(#name)))

INLINE int imin(int a, int b) { return a < b ? a : b; }
INLINE int imax(int a, int b) { return a > b ? a : b; }
INLINE f64 fabs_(f64 x) { return __builtin_fabs(x); }
INLINE f64 fsqrt(f64 x) { return __builtin_sqrt(x); }

INLINE v2 vsplat(f64 x) { return wasm_f64x2_splat(x); }
INLINE v2 vload(const f64* p) { return wasm_v128_load(p); }
INLINE void vstore(f64* p, v2 x) { wasm_v128_store(p, x); }
INLINE v2 vadd(v2 a, v2 b) { return wasm_f64x2_add(a, b); }
INLINE v2 vsub(v2 a, v2 b) { return wasm_f64x2_sub(a, b); }
INLINE v2 vmul(v2 a, v2 b) { return wasm_f64x2_mul(a, b); }
// No fused multiply-add in simd128; on the x86 cores this targets, mul and add issue on separate ports anyway.
INLINE v2 vmadd(v2 acc, v2 a, v2 b) { return wasm_f64x2_add(acc, wasm_f64x2_mul(a, b)); }
INLINE f64 vhsum(v2 x) { return wasm_f64x2_extract_lane(x, 0) + wasm_f64x2_extract_lane(x, 1); }

// ---- scratch layout (per thread), in doubles from the thread's workspace pointer ----
// GEMM packing: an MC×KC block of A and a KC×NC block of B, packed into MR-row and NR-column micro-panels.
#define MR 4
#define NR 4
#define KC 256
#define MC 128
#define NC 1024
#define WS_PACK_A 0
#define WS_PACK_B (WS_PACK_A + MC * KC)
#define WS_EDGE (WS_PACK_B + KC * NC)
#define WS_DOUBLES (WS_EDGE + MR * NR)

// ---- gemm.c ----
// Operand layouts: A(i, p) = a[i*ars + p*acs]; B(p, j) = b[p*brs + j*bcs]; C row-major with row stride ldc.
#define A_PLAIN 0
#define A_SYM_LOWER 1  // A = rows adiag.. of a symmetric matrix held as its lower triangle at a (row stride ars,
                       // acs must be 1): A(i, p) = S(adiag + i, p), S(r, p) = a[max(r,p)*ars + min(r,p)]
#define A_UPPER 2      // A(i, p) = 0 for p < i + adiag (read as zero whatever memory holds)
#define B_PLAIN 0
#define B_LOWER 1      // B(p, j) = 0 for p < j + bdiag
#define C_FULL 0
#define C_LOWER 1      // only entries with j <= i + cdiag are wanted (tiles wholly above are skipped)

void gemm(int m, int n, int k, f64 alpha,
          const f64* a, int ars, int acs, int amode, int adiag,
          const f64* b, int brs, int bcs, int bmode, int bdiag,
          f64* c, int ldc, int cmode, int cdiag, f64* ws);

// ---- team.c: the threads working on one call ----
// Control block (int32 words) shared by the threads; words 3–7 belong to the worker's start/stop protocol
// (worker-team.ts), the others to the kernels.
#define CTRL_BAR_COUNT 0
#define CTRL_BAR_GEN 1
#define CTRL_ABORT 2
#define CTRL_STATUS 12  // a word the team's threads share results through
#define CTRL_PROG0 13   // two words: progress of the threads' bulge-chasing sweeps
#define CTRL_SLEEP 15   // set while a bulge-chasing thread sleeps on the other's progress
#define CTRL_CHUNK 16   // the next row chunk of the band reduction's update
int team_barrier(int* ctrl, int nthreads);

// Splits [0, total) into nthreads near-equal ranges; returns thread tid's start (its end is the next start).
INLINE int split_even(int total, int tid, int nthreads) { return (int)((long long)total * tid / nthreads); }
// The same for the rows of a lower triangle, by area: row r starts thread tid's share where r² ≈ total²·tid/nthreads.
INLINE int split_area(int total, int tid, int nthreads) {
  if (tid <= 0) return 0;
  if (tid >= nthreads) return total;
  int r = (int)(total * __builtin_sqrt((f64)tid / nthreads));
  return r < total ? r : total;
}

// ---- parameter block of the exported entry points (int32 words; f64 words from PRM_F64 on) ----
// The TypeScript side (wasm/call-layout.ts) writes the same layout.
#define PRM_N 0        // matrix order n
#define PRM_A 1        // byte offsets of the three n×n buffers
#define PRM_B 2
#define PRM_R 3
#define PRM_PERM_A 4   // int32[n] pivot orders
#define PRM_PERM_B 5
#define PRM_DG 6       // 2n doubles: running diagonals of the two factorizations
#define PRM_WS 7       // per-thread GEMM workspaces, WS_DOUBLES apart
#define PRM_CTRL 8     // the team's control block
#define PRM_SC 9       // shared scratch (call-layout.ts sizes it)
#define PRM_BAND 10    // band storage: 2·b·n doubles
#define PRM_OUT 11     // results: OUT_WORDS doubles, then d (n) and e (n)
#define OUT_WORDS 8
#define PRM_BW 12      // bandwidth b of the two-stage reduction
#define PRM_X 13       // which factor the congruence uses: 0 → A's, 1 → B's
#define PRM_RX 14      // its rank
#define CONGRUENCE_BLOCK 128  // block size of congruence_lower (call-layout.ts sizes the scratch for it)
#define PRM_F64 8      // f64 index of the tolerances: tolA, negTolA, tolB, negTolB

// This thread's GEMM workspace.
INLINE f64* thread_ws(const int* prm, int tid) { return (f64*)prm[PRM_WS] + tid * WS_DOUBLES; }

#endif
