/* CPU STFT / iSTFT kernels, written once for REAL = float or double
 * (instantiated by stft_cpu.c).  Expects REAL, SUFFIX, WINDOW (plan field). */

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(name, SUFFIX)

/* Gather frame t of one signal into buf: padding applied by index, window on
 * load.  `load` converts one input sample. */
static void FN(gather_frame)(const spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                             int64_t length, int64_t t, REAL *buf) {
  const int64_t n = plan->n_fft;
  const REAL *w = plan->WINDOW;
  const int64_t start = t * plan->hop - plan->fr.pad_left;
  const int reflect = plan->fr.center && plan->fr.pad_mode == SPECTRO_PAD_REFLECT;
  const int inside = start >= 0 && start + n <= length;
  for (int64_t j = 0; j < n; ++j) {
    int64_t idx = start + j;
    if (!inside) {
      if (idx < 0 || idx >= length) {
        if (!reflect) {
          buf[j] = 0;
          continue;
        }
        idx = reflect_index(idx, length);
      }
    }
    REAL v;
    switch (dtype) {
    case SPECTRO_FLOAT64: v = (REAL)((const double *)signal)[idx]; break;
    case SPECTRO_INT16: v = (REAL)((const int16_t *)signal)[idx] * (REAL)(1.0 / 32768.0); break;
    default: v = (REAL)((const float *)signal)[idx]; break;
    }
    buf[j] = v * w[j];
  }
}

static void FN(forward)(const spectro_stft_plan *plan, const void *signal, spectro_dtype dtype,
                        int64_t batch, int64_t length, int64_t n_frames, REAL *out,
                        spectro_layout layout, REAL *buf, REAL *spec, void *scratch) {
  const int64_t F = plan->bins;
  const REAL scale = (REAL)plan->forward_scale;
  const size_t elem = dtype == SPECTRO_FLOAT64 ? sizeof(double)
                      : dtype == SPECTRO_INT16 ? sizeof(int16_t)
                                               : sizeof(float);
  for (int64_t b = 0; b < batch; ++b) {
    const void *x = (const char *)signal + (size_t)(b * length) * elem;
    REAL *ob = out + 2 * b * F * n_frames;
    for (int64_t t = 0; t < n_frames; ++t) {
      FN(gather_frame)(plan, x, dtype, length, t, buf);
      FN(fft_r2c)(plan->fft, buf, spec, scratch);
      if (layout == SPECTRO_LAYOUT_BNF) {
        REAL *o = ob + 2 * t * F;
        for (int64_t k = 0; k < 2 * F; ++k) o[k] = spec[k] * scale;
      } else {
        for (int64_t k = 0; k < F; ++k) {
          REAL *o = ob + 2 * (k * n_frames + t);
          o[0] = spec[2 * k] * scale;
          o[1] = spec[2 * k + 1] * scale;
        }
      }
    }
  }
}

/* Overlap-add of the windowed inverse frames straight into the output
 * (positions outside [pad_left, pad_left + length) are dropped), then the
 * division by the envelope.  Accumulates in REAL. */
static void FN(inverse)(const spectro_stft_plan *plan, const REAL *spec, int64_t batch,
                        int64_t n_frames, spectro_layout layout, int64_t length, REAL *out,
                        REAL *buf, REAL *frame, void *scratch) {
  const int64_t n = plan->n_fft, hop = plan->hop, F = plan->bins;
  const int64_t off = plan->fr.pad_left;
  const REAL *w = plan->WINDOW;
  /* irfft is unscaled: 1/n; normalized undoes the forward 1/sqrt(n) */
  const REAL scale = (REAL)(1.0 / ((double)n * plan->forward_scale));
  const int64_t full = n + hop * (n_frames - 1);
  for (int64_t b = 0; b < batch; ++b) {
    const REAL *sb = spec + 2 * b * F * n_frames;
    REAL *y = out + b * length;
    for (int64_t i = 0; i < length; ++i) y[i] = 0;
    for (int64_t t = 0; t < n_frames; ++t) {
      int64_t p0 = t * hop; /* padded position of the frame's first sample */
      if (p0 + n <= off || p0 >= off + length) continue;
      if (layout == SPECTRO_LAYOUT_BNF) {
        memcpy(buf, sb + 2 * t * F, (size_t)(2 * F) * sizeof(REAL));
      } else {
        for (int64_t k = 0; k < F; ++k) {
          buf[2 * k] = sb[2 * (k * n_frames + t)];
          buf[2 * k + 1] = sb[2 * (k * n_frames + t) + 1];
        }
      }
      FN(fft_c2r)(plan->fft, buf, frame, scratch);
      int64_t j0 = off - p0 > 0 ? off - p0 : 0;
      int64_t j1 = off + length - p0 < n ? off + length - p0 : n;
      REAL *yy = y + (p0 - off);
      for (int64_t j = j0; j < j1; ++j) yy[j] += frame[j] * w[j] * scale;
    }
    int64_t end = full - off < length ? full - off : length;
    for (int64_t i = 0; i < end; ++i) {
      double env = stft_envelope_at(plan, n_frames, i + off);
      y[i] = env > 1e-11 ? (REAL)(y[i] / env) : 0;
    }
  }
}

#undef FN
#undef CAT
#undef CAT2
