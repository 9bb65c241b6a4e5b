/* Lane shuffles over the SIMD layer: interleave, de-interleave and the
 * LANES x LANES transpose that moves data between frame-major memory and
 * lane-major vectors.  GCC's __builtin_shuffle does the work; other
 * compilers get the same results through scalar loops.
 *
 * Expects REAL, VEC, LANES, LANES_LIT (LANES as a literal), FN(). */
#ifndef SPECTRO_SHUFFLE_MASKS
#define SPECTRO_SHUFFLE_MASKS
#define SHUF_LO_2 {0, 2}
#define SHUF_HI_2 {1, 3}
#define SHUF_EVEN_2 {0, 2}
#define SHUF_ODD_2 {1, 3}
#define SHUF_LO_4 {0, 4, 1, 5}
#define SHUF_HI_4 {2, 6, 3, 7}
#define SHUF_EVEN_4 {0, 2, 4, 6}
#define SHUF_ODD_4 {1, 3, 5, 7}
#define SHUF_LO_8 {0, 8, 1, 9, 2, 10, 3, 11}
#define SHUF_HI_8 {4, 12, 5, 13, 6, 14, 7, 15}
#define SHUF_EVEN_8 {0, 2, 4, 6, 8, 10, 12, 14}
#define SHUF_ODD_8 {1, 3, 5, 7, 9, 11, 13, 15}
#define SHUF_LO_16 {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23}
#define SHUF_HI_16 {8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31}
#define SHUF_EVEN_16 {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}
#define SHUF_ODD_16 {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31}
#define SHUF_CAT2(a, b) a##b
#define SHUF_CAT(a, b) SHUF_CAT2(a, b)
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define SPECTRO_VECTOR_SHUFFLE 1
#endif

#if defined(SPECTRO_VECTOR_SHUFFLE)
/* integer vector with LANES elements of REAL's width (SHUF_ELEM) */
typedef SHUF_ELEM FN(vidx) __attribute__((vector_size(sizeof(VEC))));
#define SHUF_INT FN(vidx)
static inline VEC FN(vlo)(VEC a, VEC b) { const SHUF_INT m = SHUF_CAT(SHUF_LO_, LANES_LIT); return __builtin_shuffle(a, b, m); }
static inline VEC FN(vhi)(VEC a, VEC b) { const SHUF_INT m = SHUF_CAT(SHUF_HI_, LANES_LIT); return __builtin_shuffle(a, b, m); }
static inline VEC FN(veven)(VEC a, VEC b) { const SHUF_INT m = SHUF_CAT(SHUF_EVEN_, LANES_LIT); return __builtin_shuffle(a, b, m); }
static inline VEC FN(vodd)(VEC a, VEC b) { const SHUF_INT m = SHUF_CAT(SHUF_ODD_, LANES_LIT); return __builtin_shuffle(a, b, m); }
#undef SHUF_INT
#else
static inline VEC FN(vlo)(VEC a, VEC b) { VEC r; for (int i = 0; i < LANES / 2; ++i) { r[2 * i] = a[i]; r[2 * i + 1] = b[i]; } return r; }
static inline VEC FN(vhi)(VEC a, VEC b) { VEC r; for (int i = 0; i < LANES / 2; ++i) { r[2 * i] = a[LANES / 2 + i]; r[2 * i + 1] = b[LANES / 2 + i]; } return r; }
static inline VEC FN(veven)(VEC a, VEC b) { VEC r; for (int i = 0; i < LANES / 2; ++i) { r[i] = a[2 * i]; r[LANES / 2 + i] = b[2 * i]; } return r; }
static inline VEC FN(vodd)(VEC a, VEC b) { VEC r; for (int i = 0; i < LANES / 2; ++i) { r[i] = a[2 * i + 1]; r[LANES / 2 + i] = b[2 * i + 1]; } return r; }
#endif

/* Unaligned vector load / store. */
static inline VEC FN(vload)(const REAL *p) { VEC v; memcpy(&v, p, sizeof v); return v; }
static inline void FN(vstore)(REAL *p, VEC v) { memcpy(p, &v, sizeof v); }

/* Transpose LANES vectors in place: r[i][l] becomes r[l][i].  log2(LANES)
 * rounds of pairwise interleaves (each round is a perfect shuffle). */
static inline void FN(transpose)(VEC *r) {
  VEC t[LANES];
  for (int s = 1; s < LANES; s *= 2) {
    for (int i = 0; i < LANES / 2; ++i) {
      t[2 * i] = FN(vlo)(r[i], r[i + LANES / 2]);
      t[2 * i + 1] = FN(vhi)(r[i], r[i + LANES / 2]);
    }
    memcpy(r, t, sizeof t);
  }
}
