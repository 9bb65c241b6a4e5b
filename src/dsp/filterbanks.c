/* Filterbank builders, computed in double: mel (torchaudio's and librosa's
 * formulas and frequency grids), DCT-II.  Matrices are [rows][cols]
 * row-major. */
#include "dsp.h"

#include "../core/core.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double hz_to_mel(double f, spectro_mel_scale scale) {
  if (scale == SPECTRO_MEL_HTK) return 2595.0 * log10(1.0 + f / 700.0);
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = log(6.4) / 27.0;
  return f < min_log_hz ? f / f_sp : min_log_mel + log(f / min_log_hz) / logstep;
}

static double mel_to_hz(double m, spectro_mel_scale scale) {
  if (scale == SPECTRO_MEL_HTK) return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
  const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = log(6.4) / 27.0;
  return m < min_log_mel ? f_sp * m : min_log_hz * exp(logstep * (m - min_log_mel));
}

spectro_status spectro_mel_filterbank(int64_t n_freqs, double sample_rate, int64_t n_mels, double f_min,
                                      double f_max, spectro_mel_scale scale, spectro_mel_norm norm,
                                      spectro_freq_grid grid, double *out) {
  RETURN_IF(n_freqs < 2, SPECTRO_ERR_INVALID_ARGUMENT, "n_freqs must be >= 2 (got %lld)", (long long)n_freqs);
  RETURN_IF(!(sample_rate > 0) || !isfinite(sample_rate), SPECTRO_ERR_INVALID_ARGUMENT,
            "sample_rate must be > 0 (got %g)", sample_rate);
  RETURN_IF(n_mels < 1, SPECTRO_ERR_INVALID_ARGUMENT, "n_mels must be >= 1 (got %lld)", (long long)n_mels);
  RETURN_IF(!(f_min >= 0) || !isfinite(f_min), SPECTRO_ERR_INVALID_ARGUMENT, "f_min must be >= 0 (got %g)", f_min);
  RETURN_IF(!(f_max > f_min), SPECTRO_ERR_INVALID_ARGUMENT, "f_min must be < f_max (got f_min=%g, f_max=%g)",
            f_min, f_max);
  RETURN_IF(f_max > sample_rate / 2 + 1e-9, SPECTRO_ERR_INVALID_ARGUMENT,
            "f_max must be <= sample_rate / 2 = %g (got %g)", sample_rate / 2, f_max);
  RETURN_IF((unsigned)scale > SPECTRO_MEL_SLANEY, SPECTRO_ERR_INVALID_ARGUMENT, "mel_scale must be htk or slaney (got %d)",
            (int)scale);
  RETURN_IF((unsigned)norm > SPECTRO_MEL_NORM_SLANEY, SPECTRO_ERR_INVALID_ARGUMENT, "norm must be None or slaney (got %d)",
            (int)norm);
  RETURN_IF((unsigned)grid > SPECTRO_FREQ_GRID_LIBROSA, SPECTRO_ERR_INVALID_ARGUMENT,
            "grid must be torchaudio or librosa (got %d)", (int)grid);
  RETURN_IF(out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "out is NULL");
  /* torchaudio: linspace(0, sr // 2, n_freqs); librosa: linspace(0, sr / 2, n_freqs) */
  double top = grid == SPECTRO_FREQ_GRID_TORCHAUDIO ? floor(sample_rate / 2) : sample_rate / 2;
  double m_min = hz_to_mel(f_min, scale), m_max = hz_to_mel(f_max, scale);
  double *pts = spectro_alloc_array((size_t)(n_mels + 2), sizeof(double));
  RETURN_IF(pts == NULL, SPECTRO_ERR_OUT_OF_MEMORY, "out of memory building a mel filterbank");
  for (int64_t i = 0; i < n_mels + 2; ++i)
    pts[i] = mel_to_hz(m_min + (m_max - m_min) * (double)i / (double)(n_mels + 1), scale);
  for (int64_t k = 0; k < n_freqs; ++k) {
    double f = top * (double)k / (double)(n_freqs - 1);
    for (int64_t m = 0; m < n_mels; ++m) {
      double down = (f - pts[m]) / (pts[m + 1] - pts[m]);
      double up = (pts[m + 2] - f) / (pts[m + 2] - pts[m + 1]);
      double w = fmax(0.0, fmin(down, up));
      if (norm == SPECTRO_MEL_NORM_SLANEY) w *= 2.0 / (pts[m + 2] - pts[m]);
      out[k * n_mels + m] = w;
    }
  }
  spectro_free(pts);
  return SPECTRO_OK;
}

spectro_status spectro_dct_matrix(int64_t n_mfcc, int64_t n_mels, int ortho, double *out) {
  RETURN_IF(n_mels < 1, SPECTRO_ERR_INVALID_ARGUMENT, "n_mels must be >= 1 (got %lld)", (long long)n_mels);
  RETURN_IF(n_mfcc < 1 || n_mfcc > n_mels, SPECTRO_ERR_INVALID_ARGUMENT,
            "n_mfcc must be in [1, n_mels=%lld] (got %lld)", (long long)n_mels, (long long)n_mfcc);
  RETURN_IF(out == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "out is NULL");
  for (int64_t k = 0; k < n_mfcc; ++k)
    for (int64_t n = 0; n < n_mels; ++n) {
      double v = cos(M_PI / (double)n_mels * ((double)n + 0.5) * (double)k);
      if (ortho) v *= (k == 0 ? 1.0 / sqrt(2.0) : 1.0) * sqrt(2.0 / (double)n_mels);
      else v *= 2.0;
      out[k * n_mels + n] = v;
    }
  return SPECTRO_OK;
}

/* index of the first grid value >= f (numpy searchsorted, side left) */
static int64_t search_left(const double *grid, int64_t n, double f) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (grid[mid] < f) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static int64_t search_right(const double *v, int64_t n, double f) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (v[mid] <= f) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

spectro_status spectro_log_triangular_filterbank(int64_t n_freqs, double sample_rate, double bands_per_octave,
                                                 double f_min, double f_max, double f_ref, int norm_filters,
                                                 int unique_bins, int include_nyquist, double *out,
                                                 int64_t out_capacity, int64_t *n_bands) {
  RETURN_IF(n_bands == NULL, SPECTRO_ERR_INVALID_ARGUMENT, "n_bands is NULL");
  RETURN_IF(n_freqs < 2 || n_freqs > ((int64_t)1 << 26), SPECTRO_ERR_INVALID_ARGUMENT,
            "n_freqs must be in [2, 2^26] (got %lld)", (long long)n_freqs);
  RETURN_IF(!(sample_rate > 0) || !isfinite(sample_rate), SPECTRO_ERR_INVALID_ARGUMENT,
            "sample_rate must be > 0 (got %g)", sample_rate);
  RETURN_IF(!(bands_per_octave > 0) || bands_per_octave > 1e4, SPECTRO_ERR_INVALID_ARGUMENT,
            "bands_per_octave must be > 0 (got %g)", bands_per_octave);
  RETURN_IF(!(f_min > 0) || !isfinite(f_min), SPECTRO_ERR_INVALID_ARGUMENT, "f_min must be > 0 (got %g)", f_min);
  RETURN_IF(!(f_max > f_min) || !isfinite(f_max), SPECTRO_ERR_INVALID_ARGUMENT,
            "f_min must be < f_max (got f_min=%g, f_max=%g)", f_min, f_max);
  RETURN_IF(isnan(f_ref) || isinf(f_ref), SPECTRO_ERR_INVALID_ARGUMENT, "f_ref must be finite (got %g)", f_ref);
  spectro_status st = SPECTRO_OK;
  double *grid = spectro_alloc_array((size_t)n_freqs, sizeof(double));
  double *centres = NULL;
  int64_t *bins = NULL;
  if (grid == NULL) return spectro_error(SPECTRO_ERR_OUT_OF_MEMORY, "out of memory building a filterbank");
  for (int64_t k = 0; k < n_freqs; ++k)
    grid[k] = include_nyquist ? (double)k * sample_rate / (double)(2 * (n_freqs - 1))
                              : (double)k * sample_rate / (double)(2 * n_freqs);
  /* centre frequencies */
  int64_t nc = 0;
  if (f_ref > 0) { /* madmom log_frequencies */
    double left = floor(log2(f_min / f_ref) * bands_per_octave);
    double right = ceil(log2(f_max / f_ref) * bands_per_octave);
    int64_t total = (int64_t)(right - left);
    if (total < 0) total = 0;
    centres = spectro_alloc_array((size_t)total + 1, sizeof(double));
    if (centres == NULL) goto oom;
    for (int64_t i = 0; i < total; ++i) centres[i] = f_ref * pow(2.0, (left + (double)i) / bands_per_octave);
    int64_t a = search_left(centres, total, f_min);
    int64_t b = search_right(centres + a, total - a, f_max);
    memmove(centres, centres + a, (size_t)b * sizeof(double));
    nc = b;
  } else { /* f_min-anchored: round(bpo * octaves) + 2 centres, not clipped */
    int64_t bands = (int64_t)nearbyint(bands_per_octave * log2(f_max / f_min));
    nc = bands + 2 > 0 ? bands + 2 : 0;
    centres = spectro_alloc_array((size_t)nc + 1, sizeof(double));
    if (centres == NULL) goto oom;
    for (int64_t i = 0; i < nc; ++i) centres[i] = f_min * pow(2.0, (double)i / bands_per_octave);
  }
  /* madmom frequencies2bins: nearest bin, ties to the upper one */
  bins = spectro_alloc_array((size_t)nc + 1, sizeof(int64_t));
  if (bins == NULL) goto oom;
  int64_t nb = 0;
  for (int64_t i = 0; i < nc; ++i) {
    int64_t idx = search_left(grid, n_freqs, centres[i]);
    if (idx < 1) idx = 1;
    if (idx > n_freqs - 1) idx = n_freqs - 1;
    double left = grid[idx - 1], right = grid[idx];
    if (centres[i] - left < right - centres[i]) idx -= 1;
    bins[nb++] = idx;
  }
  if (unique_bins && nb > 0) { /* bins are non-decreasing: drop repeats */
    int64_t w = 1;
    for (int64_t i = 1; i < nb; ++i)
      if (bins[i] != bins[w - 1]) bins[w++] = bins[i];
    nb = w;
  }
  if (nb < 3) {
    st = spectro_error(SPECTRO_ERR_INVALID_ARGUMENT,
                       "too few distinct bins (%lld) for a triangular filter: widen f_min=%g..f_max=%g, raise "
                       "bands_per_octave=%g or n_freqs=%lld",
                       (long long)nb, f_min, f_max, bands_per_octave, (long long)n_freqs);
    goto done;
  }
  *n_bands = nb - 2;
  if (out == NULL) goto done;
  if (out_capacity < n_freqs * (nb - 2)) {
    st = spectro_error(SPECTRO_ERR_SHAPE, "out holds %lld values; the filterbank needs n_freqs * n_bands = %lld",
                       (long long)out_capacity, (long long)(n_freqs * (nb - 2)));
    goto done;
  }
  const int64_t nbands = nb - 2;
  memset(out, 0, (size_t)(n_freqs * nbands) * sizeof(double));
  for (int64_t m = 0; m < nbands; ++m) {
    int64_t start = bins[m], centre = bins[m + 1], stop = bins[m + 2];
    if (stop - start < 2) { /* too narrow: a single bin */
      centre = start;
      stop = start + 1;
    }
    int64_t c = centre - start, len = stop - start;
    double vals_sum = 0;
    for (int64_t j = 0; j < len; ++j) {
      double v = j < c ? (double)j / (double)c : 1.0 - (double)(j - c) / (double)(len - c);
      vals_sum += v;
    }
    for (int64_t j = 0; j < len && start + j < n_freqs; ++j) {
      double v = j < c ? (double)j / (double)c : 1.0 - (double)(j - c) / (double)(len - c);
      if (norm_filters && vals_sum > 0) v /= vals_sum;
      out[(start + j) * nbands + m] = v;
    }
  }
done:
  spectro_free(grid);
  spectro_free(centres);
  spectro_free(bins);
  return st;
oom:
  st = spectro_error(SPECTRO_ERR_OUT_OF_MEMORY, "out of memory building a filterbank");
  goto done;
}
