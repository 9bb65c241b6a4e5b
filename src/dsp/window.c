/* Analysis windows, computed in double (torch.*_window / scipy.signal
 * formulas). */
#include "dsp.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void window_fill(spectro_window type, int periodic, int64_t length, double *out) {
  if (length == 1) { /* torch and scipy both return [1] */
    out[0] = 1.0;
    return;
  }
  double denom = periodic ? (double)length : (double)(length - 1);
  for (int64_t i = 0; i < length; ++i) {
    double x = 2.0 * M_PI * (double)i / denom;
    switch (type) {
    case SPECTRO_WINDOW_HANN: out[i] = 0.5 - 0.5 * cos(x); break;
    case SPECTRO_WINDOW_HAMMING: out[i] = 0.54 - 0.46 * cos(x); break;
    case SPECTRO_WINDOW_BLACKMAN: out[i] = 0.42 - 0.5 * cos(x) + 0.08 * cos(2.0 * x); break;
    default: out[i] = 1.0; break;
    }
  }
}
