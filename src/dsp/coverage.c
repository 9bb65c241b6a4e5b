/* The iSTFT normalisation envelope (summed squared window).  Inside the
 * signal it is periodic in the hop, so only the edges need the direct sum. */
#include "../stft_plan.h"

double stft_envelope_at(const spectro_stft_plan *plan, int64_t n_frames, int64_t p) {
  const int64_t n = plan->n_fft, hop = plan->hop;
  /* frames f with f*hop <= p < f*hop + n */
  int64_t f_hi = p / hop;
  int64_t f_lo = p - n + 1 <= 0 ? 0 : (p - n + 1 + hop - 1) / hop;
  if (f_hi > n_frames - 1) f_hi = n_frames - 1;
  /* interior: every frame that could cover p exists */
  if (p >= n - 1 && p / hop <= n_frames - 1) {
    int64_t r = p % hop;
    return r < n ? plan->window_sq_period[r] : 0.0;
  }
  double sum = 0.0;
  for (int64_t f = f_lo; f <= f_hi; ++f) {
    double w = plan->window_d[p - f * hop];
    sum += w * w;
  }
  return sum;
}
