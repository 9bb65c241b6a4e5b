/* Spectrogram pictures: magma colour map, one panel per channel (low
 * frequencies at the bottom), tick labels in a built-in 5x7 font, a colour
 * bar, written through libpng.  The image is sized to the content: one
 * pixel per frame and per row, stretched by whole factors for short or
 * narrow inputs and reduced (maximum of each block, so peaks stay visible)
 * for very long or tall ones. */
#include "picture.h"

#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

enum {
  PANEL_MIN_W = 256,
  PANEL_MAX_W = 8192,
  PANEL_MIN_H = 128,
  PANEL_MAX_H = 1024,
  PLOT_MAX_H = 4096, /* all channel panels together: many channels get lower panels */
  PANEL_FLOOR_H = 32,
  TICK = 4,
  GLYPH_W = 5,
  GLYPH_H = 7,
  ADVANCE = GLYPH_W + 1,
  BAR_GAP = 10,
  BAR_W = 12,
  MAX_TICKS = 64,
  LABEL_MAX = 16
};

typedef struct rgb {
  uint8_t r, g, b;
} rgb;

static const rgb WHITE = {255, 255, 255}, INK = {20, 20, 20};

/* ---------------------------------------------------------------- colours */

/* Every 8th entry of matplotlib's magma colour map (CC0; entries 0, 8, ...,
 * 248 and 255).  The 256-entry table is interpolated linearly between them,
 * which stays within 1/255 of the full map. */
static const float magma_anchors[33][3] = {
    {0.001462f, 0.000466f, 0.013866f}, {0.013708f, 0.011771f, 0.068667f}, {0.039608f, 0.031090f, 0.133515f},
    {0.074257f, 0.052017f, 0.202660f}, {0.113094f, 0.065492f, 0.276784f}, {0.159018f, 0.068354f, 0.352688f},
    {0.211718f, 0.061992f, 0.418647f}, {0.265447f, 0.060237f, 0.461840f}, {0.316654f, 0.071690f, 0.485380f},
    {0.366012f, 0.090314f, 0.497960f}, {0.414709f, 0.110431f, 0.504662f}, {0.463508f, 0.129893f, 0.507652f},
    {0.512831f, 0.148179f, 0.507648f}, {0.562866f, 0.165368f, 0.504692f}, {0.613617f, 0.181811f, 0.498536f},
    {0.664915f, 0.198075f, 0.488836f}, {0.716387f, 0.214982f, 0.475290f}, {0.767398f, 0.233705f, 0.457755f},
    {0.816914f, 0.255895f, 0.436461f}, {0.863320f, 0.283729f, 0.412403f}, {0.904281f, 0.319610f, 0.388137f},
    {0.937221f, 0.364929f, 0.368567f}, {0.960949f, 0.418323f, 0.359630f}, {0.976690f, 0.476226f, 0.364466f},
    {0.986700f, 0.535582f, 0.382210f}, {0.992785f, 0.594891f, 0.410283f}, {0.996096f, 0.653659f, 0.446213f},
    {0.997325f, 0.711848f, 0.488154f}, {0.996898f, 0.769591f, 0.534892f}, {0.995131f, 0.827052f, 0.585701f},
    {0.992440f, 0.884330f, 0.640099f}, {0.989434f, 0.941470f, 0.697519f}, {0.987053f, 0.991438f, 0.749504f},
};

static void build_colormap(rgb table[256]) {
  for (int i = 0; i < 256; ++i) {
    int a = i / 8 < 31 ? i / 8 : 31;      /* anchor below */
    int ia = a * 8, ib = a == 31 ? 255 : ia + 8; /* their table indices */
    float t = (float)(i - ia) / (float)(ib - ia);
    float c[3];
    for (int k = 0; k < 3; ++k) c[k] = magma_anchors[a][k] + t * (magma_anchors[a + 1][k] - magma_anchors[a][k]);
    table[i] = (rgb){(uint8_t)lrintf(c[0] * 255), (uint8_t)lrintf(c[1] * 255), (uint8_t)lrintf(c[2] * 255)};
  }
}

/* ---------------------------------------------------------------- font */

/* 5x7 glyphs, one byte per row, bit 4 = leftmost pixel: digits and the few
 * letters the labels use (Hz, k, s, dB, MFCC). */
typedef struct glyph {
  char c;
  uint8_t rows[GLYPH_H];
} glyph;

static const glyph font[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}}, {'-', {0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00}},
    {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}}, {'e', {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}},
    {'k', {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}}, {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'z', {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}}, {'s', {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}},
    {'d', {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}}, {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}}, {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
};

static const glyph *find_glyph(char c) {
  for (size_t i = 0; i < sizeof font / sizeof font[0]; ++i)
    if (font[i].c == c) return &font[i];
  return NULL; /* drawn as a space */
}

/* ---------------------------------------------------------------- canvas */

typedef struct canvas {
  uint8_t *px; /* RGB rows */
  int w, h;
} canvas;

static void put_pixel(canvas *cv, int x, int y, rgb c) {
  if (x < 0 || y < 0 || x >= cv->w || y >= cv->h) return;
  uint8_t *p = cv->px + ((size_t)y * (size_t)cv->w + (size_t)x) * 3;
  p[0] = c.r;
  p[1] = c.g;
  p[2] = c.b;
}

static void fill_rect(canvas *cv, int x, int y, int w, int h, rgb c) {
  for (int j = y; j < y + h; ++j)
    for (int i = x; i < x + w; ++i) put_pixel(cv, i, j, c);
}

static int text_width(const char *s, int scale) {
  int n = (int)strlen(s);
  return n ? (n * ADVANCE - 1) * scale : 0;
}

static void draw_text(canvas *cv, int x, int y, const char *s, int scale) {
  for (; *s; ++s, x += ADVANCE * scale) {
    const glyph *g = find_glyph(*s);
    if (g == NULL) continue;
    for (int r = 0; r < GLYPH_H; ++r)
      for (int c = 0; c < GLYPH_W; ++c)
        if (g->rows[r] & (0x10 >> c)) fill_rect(cv, x + c * scale, y + r * scale, scale, scale, INK);
  }
}

/* ---------------------------------------------------------------- layout */

typedef struct tick {
  double pos; /* pixels from the panel's left (time) or bottom (rows) edge */
  char label[LABEL_MAX];
} tick;

typedef struct layout {
  int scale; /* font magnification */
  int panel_w, panel_h, gap; /* gap: between channel panels */
  int left, top, right, bottom, width, height;
  tick xt[MAX_TICKS], yt[MAX_TICKS];
  int nx, ny;
  char vmax_label[LABEL_MAX], vmin_label[LABEL_MAX];
} layout;

/* n pixels stretched by a whole factor towards lo, or reduced to hi. */
static int stretched(int64_t n, int lo, int hi) {
  if (n >= hi) return hi;
  int64_t factor = (lo + n - 1) / n;
  if (factor * n > hi) factor = hi / n;
  return (int)(n * (factor > 1 ? factor : 1));
}

/* Smallest 1-2-5 step >= x. */
static double nice_step(double x) {
  double p = pow(10.0, floor(log10(x)));
  return x <= p ? p : x <= 2 * p ? 2 * p : x <= 5 * p ? 5 * p : 10 * p;
}

static void hz_label(double f, char *out) {
  if (f >= 1000) snprintf(out, LABEL_MAX, "%gk", f / 1000);
  else snprintf(out, LABEL_MAX, "%g", f);
}

/* Fractional row position (0 = bottom edge of row 0) of a frequency,
 * interpolated on the rows' centre frequencies. */
static double row_position(const picture *p, double f) {
  int64_t k = 0;
  while (k + 2 < p->rows && p->row_hz[k + 1] < f) ++k;
  double span = p->row_hz[k + 1] - p->row_hz[k];
  return (double)k + 0.5 + (span > 0 ? (f - p->row_hz[k]) / span : 0);
}

static int rows_are_linear(const picture *p) {
  if (p->row_hz == NULL || p->rows < 3) return 1;
  double step = p->row_hz[1] - p->row_hz[0], total = p->row_hz[p->rows - 1] - p->row_hz[0];
  return fabs(total - step * (double)(p->rows - 1)) <= 1e-6 * fabs(total);
}

static void add_tick(tick *t, int *n, double pos, const char *label) {
  if (*n >= MAX_TICKS) return;
  t[*n].pos = pos;
  snprintf(t[*n].label, LABEL_MAX, "%s", label);
  ++*n;
}

/* Evenly spaced ticks on a linear row axis (STFT bins in Hz, MFCC index). */
static void linear_row_ticks(const picture *p, layout *L, double min_px) {
  double v0 = p->row_hz ? p->row_hz[0] : 0, v1 = p->row_hz ? p->row_hz[p->rows - 1] : (double)(p->rows - 1);
  double per_row = p->rows > 1 && v1 > v0 ? (v1 - v0) / (double)(p->rows - 1) : 1;
  double px_per_row = (double)L->panel_h / (double)p->rows;
  double step = nice_step(fmax(min_px / px_per_row * per_row, p->row_hz ? 1e-6 : 1));
  for (double v = ceil(v0 / step) * step; v <= v1 + 1e-9 && L->ny < MAX_TICKS; v += step) {
    char label[LABEL_MAX];
    if (p->row_hz) hz_label(v, label);
    else snprintf(label, LABEL_MAX, "%g", v);
    add_tick(L->yt, &L->ny, ((v - v0) / per_row + 0.5) * px_per_row, label);
  }
}

/* 1-2-5 frequencies on a mel axis, skipping any too close to the last. */
static void mel_row_ticks(const picture *p, layout *L, double min_px) {
  static const int mantissas[] = {1, 2, 5};
  double last = -1e9;
  for (double decade = 10; decade <= 1e5; decade *= 10)
    for (int m = 0; m < 3; ++m) {
      double f = mantissas[m] * decade;
      if (f < p->row_hz[0] || f > p->row_hz[p->rows - 1]) continue;
      double pos = row_position(p, f) * (double)L->panel_h / (double)p->rows;
      if (pos - last < min_px) continue;
      char label[LABEL_MAX];
      hz_label(f, label);
      add_tick(L->yt, &L->ny, pos, label);
      last = pos;
    }
}

static void time_ticks(const picture *p, layout *L) {
  double seconds = (double)p->frames * p->frame_seconds;
  double px_per_s = seconds > 0 ? L->panel_w / seconds : 1;
  double step = nice_step(fmax((6 * ADVANCE + 10) * L->scale / px_per_s, 1e-3));
  int decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
  double t0 = p->time_offset - 0.5 * p->frame_seconds; /* left edge of frame 0 */
  for (double t = ceil(t0 / step) * step; t <= t0 + seconds + 1e-9 && L->nx < MAX_TICKS; t += step) {
    char label[LABEL_MAX];
    snprintf(label, LABEL_MAX, "%.*f", decimals, fabs(t) < 1e-12 ? 0.0 : t);
    add_tick(L->xt, &L->nx, (t - t0) * px_per_s, label);
  }
}

static void value_label(double v, int decibels, char *out) {
  if (decibels) snprintf(out, LABEL_MAX, "%.0f", fabs(v) < 0.5 ? 0.0 : v);
  else snprintf(out, LABEL_MAX, "%.3g", v);
}

static int widest(const tick *t, int n, int scale) {
  int w = 0;
  for (int i = 0; i < n; ++i)
    if (text_width(t[i].label, scale) > w) w = text_width(t[i].label, scale);
  return w;
}

/* Panel sizes: one pixel per frame and row, within the PANEL_* bounds;
 * many channels share PLOT_MAX_H. */
static void panel_sizes(const picture *p, layout *L) {
  L->panel_w = stretched(p->frames, PANEL_MIN_W, PANEL_MAX_W);
  int64_t share = PLOT_MAX_H / p->channels;
  int max_h = share < PANEL_FLOOR_H ? PANEL_FLOOR_H : share > PANEL_MAX_H ? PANEL_MAX_H : (int)share;
  L->panel_h = stretched(p->rows, max_h < PANEL_MIN_H ? max_h : PANEL_MIN_H, max_h);
  L->scale = (int)p->channels * L->panel_h >= 600 ? 2 : 1;
  L->gap = GLYPH_H * L->scale + 3; /* room for the edge labels of two neighbouring panels */
}

/* Margins sized to the labels they hold. */
static void margins(const picture *p, layout *L) {
  int label_h = GLYPH_H * L->scale;
  int y_label_w = widest(L->yt, L->ny, L->scale);
  int row_label_w = text_width(p->row_label ? p->row_label : "", L->scale);
  L->left = 4 + (y_label_w > row_label_w ? y_label_w : row_label_w) + 3 + TICK;
  L->top = label_h + 8 + label_h / 2; /* row label, clear of the top tick's label */
  L->bottom = TICK + 3 + label_h + 4;
  int bar_labels = text_width(L->vmax_label, L->scale);
  if (text_width(L->vmin_label, L->scale) > bar_labels) bar_labels = text_width(L->vmin_label, L->scale);
  if (text_width(p->value_label ? p->value_label : "", L->scale) > bar_labels)
    bar_labels = text_width(p->value_label, L->scale);
  L->right = BAR_GAP + BAR_W + 4 + bar_labels + 4;
  int unit_room = (L->nx ? text_width(L->xt[L->nx - 1].label, L->scale) / 2 : 0) + 3 * ADVANCE * L->scale;
  if (L->right < unit_room) L->right = unit_room; /* the "s" after the last time label */
}

static void compute_layout(const picture *p, layout *L) {
  memset(L, 0, sizeof *L);
  panel_sizes(p, L);
  double min_px = (GLYPH_H + 8) * L->scale;
  if (rows_are_linear(p)) linear_row_ticks(p, L, min_px);
  else mel_row_ticks(p, L, min_px);
  time_ticks(p, L);
  int decibels = p->value_label && p->value_label[0];
  value_label(p->vmax, decibels, L->vmax_label);
  value_label(p->vmin, decibels, L->vmin_label);
  margins(p, L);
  L->width = L->left + L->panel_w + L->right;
  L->height = L->top + (int)p->channels * L->panel_h + (int)(p->channels - 1) * L->gap + L->bottom;
}

/* ---------------------------------------------------------------- drawing */

static int colour_index(double v, double lo, double hi) {
  if (!(v > lo)) return 0; /* NaN and values below the range */
  if (!(hi > lo) || v >= hi) return 255;
  return (int)((v - lo) / (hi - lo) * 255.0 + 0.5);
}

/* Source index range [lo, hi) of output cell i of n over m inputs. */
static void cell_range(int i, int n, int64_t m, int64_t *lo, int64_t *hi) {
  *lo = (int64_t)i * m / n;
  *hi = (int64_t)(i + 1) * m / n;
  if (*hi <= *lo) *hi = *lo + 1;
}

static double block_max(const picture *p, int64_t c, int64_t r0, int64_t r1, int64_t f0, int64_t f1) {
  double m = -INFINITY;
  for (int64_t r = r0; r < r1; ++r) {
    const float *row = p->values + (size_t)((c * p->rows + r) * p->frames);
    for (int64_t f = f0; f < f1; ++f)
      if (row[f] > m) m = row[f];
  }
  return m;
}

static void draw_panel(canvas *cv, const picture *p, const layout *L, const rgb *cmap, int64_t c, int y0) {
  for (int py = 0; py < L->panel_h; ++py) {
    int64_t r0, r1;
    cell_range(L->panel_h - 1 - py, L->panel_h, p->rows, &r0, &r1); /* row 0 at the bottom */
    for (int px = 0; px < L->panel_w; ++px) {
      int64_t f0, f1;
      cell_range(px, L->panel_w, p->frames, &f0, &f1);
      put_pixel(cv, L->left + px, y0 + py, cmap[colour_index(block_max(p, c, r0, r1, f0, f1), p->vmin, p->vmax)]);
    }
  }
  /* frame and row ticks */
  fill_rect(cv, L->left - 1, y0 - 1, L->panel_w + 2, 1, INK);
  fill_rect(cv, L->left - 1, y0 + L->panel_h, L->panel_w + 2, 1, INK);
  fill_rect(cv, L->left - 1, y0 - 1, 1, L->panel_h + 2, INK);
  fill_rect(cv, L->left + L->panel_w, y0 - 1, 1, L->panel_h + 2, INK);
  for (int i = 0; i < L->ny; ++i) {
    int y = y0 + L->panel_h - (int)lround(L->yt[i].pos);
    fill_rect(cv, L->left - 1 - TICK, y, TICK, 1, INK);
    int tw = text_width(L->yt[i].label, L->scale);
    draw_text(cv, L->left - 1 - TICK - 3 - tw, y - GLYPH_H * L->scale / 2, L->yt[i].label, L->scale);
  }
}

static void draw_time_axis(canvas *cv, const layout *L, int y) {
  int unit_x = L->left + L->panel_w + 6;
  for (int i = 0; i < L->nx; ++i) {
    int x = L->left + (int)lround(L->xt[i].pos);
    fill_rect(cv, x, y, 1, TICK, INK);
    int tw = text_width(L->xt[i].label, L->scale);
    int tx = x - tw / 2 < 0 ? 0 : x - tw / 2;
    draw_text(cv, tx, y + TICK + 3, L->xt[i].label, L->scale);
    if (tx + tw + 2 * ADVANCE * L->scale > unit_x) unit_x = tx + tw + 2 * ADVANCE * L->scale;
  }
  draw_text(cv, unit_x, y + TICK + 3, "s", L->scale);
}

static void draw_colour_bar(canvas *cv, const picture *p, const layout *L, const rgb *cmap, int plot_h) {
  int x = L->left + L->panel_w + BAR_GAP;
  for (int j = 0; j < plot_h; ++j)
    fill_rect(cv, x, L->top + j, BAR_W, 1, cmap[255 - (int)((int64_t)j * 255 / (plot_h > 1 ? plot_h - 1 : 1))]);
  int tx = x + BAR_W + 4;
  draw_text(cv, tx, L->top, L->vmax_label, L->scale);
  draw_text(cv, tx, L->top + plot_h - GLYPH_H * L->scale, L->vmin_label, L->scale);
  if (p->value_label) draw_text(cv, x, L->top - GLYPH_H * L->scale - 4, p->value_label, L->scale);
}

static void render(canvas *cv, const picture *p, const layout *L) {
  rgb cmap[256];
  build_colormap(cmap);
  fill_rect(cv, 0, 0, cv->w, cv->h, WHITE);
  int plot_h = L->height - L->top - L->bottom;
  for (int64_t c = 0; c < p->channels; ++c)
    draw_panel(cv, p, L, cmap, c, L->top + (int)c * (L->panel_h + L->gap));
  draw_time_axis(cv, L, L->top + plot_h);
  if (p->row_label) draw_text(cv, 4, L->top - GLYPH_H * L->scale - 4, p->row_label, L->scale);
  draw_colour_bar(cv, p, L, cmap, plot_h);
}

/* ---------------------------------------------------------------- PNG */

typedef struct png_failure {
  jmp_buf jump;
  char message[200];
} png_failure;

/* libpng's default handler prints to stderr; the tool prints one line. */
static void on_png_error(png_structp png, png_const_charp msg) {
  png_failure *fail = png_get_error_ptr(png);
  snprintf(fail->message, sizeof fail->message, "%s", msg);
  longjmp(fail->jump, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg) {
  (void)png;
  (void)msg;
}

static int encode_png(FILE *f, const canvas *cv, char *err, size_t cap) {
  png_failure fail = {.message = ""};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &fail, on_png_error, on_png_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (info == NULL) {
    png_destroy_write_struct(&png, NULL);
    snprintf(err, cap, "out of memory for the PNG encoder");
    return -1;
  }
  if (setjmp(fail.jump)) {
    png_destroy_write_struct(&png, &info);
    snprintf(err, cap, "PNG encoding failed: %s", fail.message);
    return -1;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)cv->w, (png_uint_32)cv->h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < cv->h; ++y) png_write_row(png, cv->px + (size_t)y * (size_t)cv->w * 3);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return 0;
}

int picture_write_png(FILE *f, const picture *p, char *err, size_t cap) {
  if (p->channels < 1 || p->rows < 1 || p->frames < 1) {
    snprintf(err, cap, "nothing to draw (empty array)");
    return -1;
  }
  layout L;
  compute_layout(p, &L);
  canvas cv = {malloc((size_t)L.width * (size_t)L.height * 3), L.width, L.height};
  if (cv.px == NULL) {
    snprintf(err, cap, "out of memory for a %dx%d picture", L.width, L.height);
    return -1;
  }
  render(&cv, p, &L);
  int rc = encode_png(f, &cv, err, cap);
  free(cv.px);
  return rc;
}
