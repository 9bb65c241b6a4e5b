/* CPython extension: a thin, strict layer over the C API.  Arrays come in
 * through the buffer protocol (numpy, or anything exporting PEP 3118
 * buffers); the Python package allocates outputs with numpy and passes them
 * in.  The GIL is released while the library computes. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "spectro.h"

#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------ errors */

static PyObject *raise_status(spectro_status st) {
  const char *msg = spectro_last_error();
  if (msg == NULL || msg[0] == '\0') msg = spectro_status_string(st);
  switch (st) {
  case SPECTRO_ERR_DTYPE: PyErr_SetString(PyExc_TypeError, msg); break;
  case SPECTRO_ERR_OUT_OF_MEMORY: PyErr_SetString(PyExc_MemoryError, msg); break;
  case SPECTRO_ERR_WINDOW_COVERAGE:
  case SPECTRO_ERR_INTERNAL:
  case SPECTRO_ERR_DEVICE: PyErr_SetString(PyExc_RuntimeError, msg); break;
  default: PyErr_SetString(PyExc_ValueError, msg); break;
  }
  return NULL;
}

/* Library warnings raised on a worker thread are kept here and turned into
 * Python RuntimeWarnings once the GIL is back. */
static _Thread_local char pending_warning[512];

static void capture_warning(void *user, const char *message) {
  (void)user;
  snprintf(pending_warning, sizeof pending_warning, "%s", message);
}

static int flush_warning(void) {
  if (pending_warning[0] == '\0') return 0;
  char msg[512];
  memcpy(msg, pending_warning, sizeof msg);
  pending_warning[0] = '\0';
  return PyErr_WarnEx(PyExc_RuntimeWarning, msg, 1);
}

/* ------------------------------------------------------------ buffers */

typedef enum { KIND_REAL, KIND_COMPLEX } elem_kind;

/* Get a C-contiguous buffer and classify its element type.  `name` is the
 * Python parameter name used in messages. */
static int get_buffer(PyObject *obj, Py_buffer *view, int writable, const char *name) {
  int flags = PyBUF_STRIDES | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
  if (PyObject_GetBuffer(obj, view, flags) != 0) {
    if (PyObject_CheckBuffer(obj)) return -1; /* keep the exporter's reason (e.g. read-only) */
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "%s must be a numpy array (or a buffer), got %s", name,
                 Py_TYPE(obj)->tp_name);
    return -1;
  }
  if (!PyBuffer_IsContiguous(view, 'C')) {
    PyErr_Format(PyExc_ValueError,
                 "%s must be C-contiguous; pass numpy.ascontiguousarray(%s) (spectro makes no "
                 "hidden copies)",
                 name, name);
    PyBuffer_Release(view);
    return -1;
  }
  return 0;
}

/* Map a buffer format to a spectro dtype.  Returns -1 if unsupported. */
static int buffer_dtype(const Py_buffer *view, elem_kind *kind) {
  const char *f = view->format ? view->format : "B";
  if (*f == '<' || *f == '=' || *f == '@') ++f;
  if (strcmp(f, "f") == 0 && view->itemsize == 4) return *kind = KIND_REAL, SPECTRO_FLOAT32;
  if (strcmp(f, "d") == 0 && view->itemsize == 8) return *kind = KIND_REAL, SPECTRO_FLOAT64;
  if (strcmp(f, "h") == 0 && view->itemsize == 2) return *kind = KIND_REAL, SPECTRO_INT16;
  if (strcmp(f, "Zf") == 0 && view->itemsize == 8) return *kind = KIND_COMPLEX, SPECTRO_FLOAT32;
  if (strcmp(f, "Zd") == 0 && view->itemsize == 16) return *kind = KIND_COMPLEX, SPECTRO_FLOAT64;
  return -1;
}

static const char *format_name(const Py_buffer *view) { return view->format ? view->format : "B"; }

/* ------------------------------------------------------------ Plan */

typedef struct {
  PyObject_HEAD spectro_stft_plan *plan;
  int64_t n_fft, hop, bins;
} PlanObject;

static int parse_choice(const char *value, const char *name, const char *const *choices, int count,
                        const int *values, int *out) {
  for (int i = 0; i < count; ++i)
    if (strcmp(value, choices[i]) == 0) {
      *out = values[i];
      return 0;
    }
  PyObject *list = PyUnicode_FromString("");
  for (int i = 0; i < count && list; ++i) {
    PyObject *next = PyUnicode_FromFormat("%U%s'%s'", list, i ? ", " : "", choices[i]);
    Py_DECREF(list);
    list = next;
  }
  if (list) {
    PyErr_Format(PyExc_ValueError, "%s must be one of %U (got '%s')", name, list, value);
    Py_DECREF(list);
  }
  return -1;
}

static int parse_layout(const char *s, const char *name, spectro_layout *out) {
  static const char *const names[] = {"bfn", "bnf"};
  static const int values[] = {SPECTRO_LAYOUT_BFN, SPECTRO_LAYOUT_BNF};
  int v = 0;
  if (parse_choice(s, name, names, 2, values, &v) != 0) return -1;
  *out = (spectro_layout)v;
  return 0;
}

/* The STFT part of a plan's arguments (shared by Plan and FrontendPlan).
 * A custom window stays borrowed in *wview until the plan is created. */
static int stft_config_from_args(spectro_stft_config *cfg, long long n_fft, long long hop, long long win_length,
                                 PyObject *window, int periodic, int center, const char *pad_mode, const char *tail,
                                 int normalized, Py_buffer *wview, int *have_view) {
  spectro_stft_config_init(cfg, n_fft, hop);
  cfg->win_length = win_length;
  cfg->periodic = periodic;
  cfg->center = center;
  cfg->normalized = normalized;
  static const char *const pads[] = {"reflect", "constant"};
  static const int pad_values[] = {SPECTRO_PAD_REFLECT, SPECTRO_PAD_CONSTANT};
  static const char *const tails[] = {"symmetric", "minimal"};
  static const int tail_values[] = {SPECTRO_TAIL_SYMMETRIC, SPECTRO_TAIL_MINIMAL};
  int v = 0;
  if (parse_choice(pad_mode, "center_pad_mode", pads, 2, pad_values, &v) != 0) return -1;
  cfg->center_pad_mode = (spectro_pad_mode)v;
  if (parse_choice(tail, "center_tail_pad", tails, 2, tail_values, &v) != 0) return -1;
  cfg->center_tail_pad = (spectro_tail)v;
  *have_view = 0;
  if (PyUnicode_Check(window)) {
    static const char *const names[] = {"hann", "hamming", "blackman", "rect", "ones", "boxcar"};
    static const int values[] = {SPECTRO_WINDOW_HANN, SPECTRO_WINDOW_HAMMING, SPECTRO_WINDOW_BLACKMAN,
                                 SPECTRO_WINDOW_RECT, SPECTRO_WINDOW_RECT, SPECTRO_WINDOW_RECT};
    const char *name = PyUnicode_AsUTF8(window);
    if (name == NULL || parse_choice(name, "window_fn", names, 6, values, &v) != 0) return -1;
    cfg->window = (spectro_window)v;
    return 0;
  }
  if (get_buffer(window, wview, 0, "window") != 0) return -1;
  elem_kind kind;
  if (buffer_dtype(wview, &kind) != SPECTRO_FLOAT64 || kind != KIND_REAL || wview->ndim != 1) {
    PyErr_Format(PyExc_TypeError, "window must be a 1-D float64 array (got format '%s', ndim %d)",
                 format_name(wview), wview->ndim);
    PyBuffer_Release(wview);
    return -1;
  }
  *have_view = 1;
  cfg->window = SPECTRO_WINDOW_CUSTOM;
  cfg->custom_window = (const double *)wview->buf;
  cfg->custom_window_length = wview->shape[0];
  return 0;
}

static int Plan_init(PlanObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"n_fft", "hop_length", "win_length", "window", "periodic", "center",
                           "center_pad_mode", "center_tail_pad", "normalized", NULL};
  long long n_fft, hop, win_length;
  PyObject *window;
  int periodic, center, normalized;
  const char *pad_mode, *tail;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "LLLOppssp", kwlist, &n_fft, &hop, &win_length, &window,
                                   &periodic, &center, &pad_mode, &tail, &normalized))
    return -1;
  if (self->plan != NULL) { /* plans are immutable: another thread may be executing this one */
    PyErr_SetString(PyExc_RuntimeError, "Plan is already initialised; create a new Plan instead");
    return -1;
  }
  spectro_stft_config cfg;
  Py_buffer wview = {0};
  int have_view = 0;
  if (stft_config_from_args(&cfg, n_fft, hop, win_length, window, periodic, center, pad_mode, tail, normalized,
                            &wview, &have_view) != 0)
    return -1;
  spectro_stft_plan *plan = NULL;
  spectro_status st = spectro_stft_plan_create(&cfg, &plan);
  if (have_view) PyBuffer_Release(&wview);
  if (st != SPECTRO_OK) {
    raise_status(st);
    return -1;
  }
  self->plan = plan;
  self->n_fft = n_fft;
  self->hop = hop;
  self->bins = spectro_stft_bins(plan);
  return 0;
}

static void Plan_dealloc(PlanObject *self) {
  spectro_stft_plan_destroy(self->plan);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static int require_plan(PlanObject *self) {
  if (self->plan == NULL) {
    PyErr_SetString(PyExc_RuntimeError, "Plan was not initialised");
    return -1;
  }
  return 0;
}

static PyObject *Plan_frames(PlanObject *self, PyObject *arg) {
  if (require_plan(self)) return NULL;
  long long length = PyLong_AsLongLong(arg);
  if (length == -1 && PyErr_Occurred()) return NULL;
  int64_t frames;
  spectro_status st = spectro_stft_frames(self->plan, length, &frames);
  if (st != SPECTRO_OK) return raise_status(st);
  return PyLong_FromLongLong(frames);
}

static PyObject *Plan_natural_length(PlanObject *self, PyObject *arg) {
  if (require_plan(self)) return NULL;
  long long n_frames = PyLong_AsLongLong(arg);
  if (n_frames == -1 && PyErr_Occurred()) return NULL;
  int64_t length;
  spectro_status st = spectro_istft_natural_length(self->plan, n_frames, &length);
  if (st != SPECTRO_OK) return raise_status(st);
  return PyLong_FromLongLong(length);
}

static PyObject *Plan_window_into(PlanObject *self, PyObject *arg) {
  if (require_plan(self)) return NULL;
  Py_buffer out;
  if (get_buffer(arg, &out, 1, "out") != 0) return NULL;
  elem_kind kind;
  if (buffer_dtype(&out, &kind) != SPECTRO_FLOAT64 || kind != KIND_REAL || out.len / 8 < self->n_fft) {
    PyBuffer_Release(&out);
    PyErr_SetString(PyExc_ValueError, "out must be a float64 array of n_fft values");
    return NULL;
  }
  spectro_status st = spectro_stft_window(self->plan, out.buf, out.len / 8);
  PyBuffer_Release(&out);
  if (st != SPECTRO_OK) return raise_status(st);
  Py_RETURN_NONE;
}

/* The buffers of a forward call: x is a real signal [..., T] (float32,
 * float64 or int16), out a writable result.  Sets the dtypes, T and the
 * flattened batch.  0 on success (release both views after), -1 with an
 * exception set (nothing to release). */
static int signal_buffers(PyObject *xo, PyObject *oo, Py_buffer *x, Py_buffer *out, int *xd, int *od,
                          elem_kind *ok, int64_t *T, int64_t *batch) {
  if (get_buffer(xo, x, 0, "x") != 0) return -1;
  if (get_buffer(oo, out, 1, "out") != 0) {
    PyBuffer_Release(x);
    return -1;
  }
  elem_kind xk;
  *xd = buffer_dtype(x, &xk);
  *od = buffer_dtype(out, ok);
  if (*xd < 0 || xk != KIND_REAL) {
    PyErr_Format(PyExc_TypeError, "x must be float32, float64 or int16 (got buffer format '%s')", format_name(x));
  } else if (x->ndim < 1) {
    PyErr_SetString(PyExc_ValueError, "x must have at least one dimension [..., T]");
  } else {
    *T = x->shape[x->ndim - 1];
    *batch = 1;
    for (int i = 0; i < x->ndim - 1; ++i) *batch *= x->shape[i];
    return 0;
  }
  PyBuffer_Release(x);
  PyBuffer_Release(out);
  return -1;
}

/* The caller's output array: dtype `want` (float32/float64) of `kind`
 * and exactly `count` values, else ValueError. */
static int check_out(const Py_buffer *out, int od, elem_kind ok, int want, elem_kind kind, int64_t count) {
  if (od == want && ok == kind && out->len == (Py_ssize_t)count * out->itemsize) return 0;
  const char *name = kind == KIND_COMPLEX ? (want == SPECTRO_FLOAT64 ? "complex128" : "complex64")
                                          : (want == SPECTRO_FLOAT64 ? "float64" : "float32");
  PyErr_Format(PyExc_ValueError, "out must be a %s array of %lld values", name, (long long)count);
  return -1;
}

/* stft(x, out, layout): x [..., T] real; out [..., F, N] or [..., N, F]. */
static PyObject *Plan_stft(PlanObject *self, PyObject *args) {
  PyObject *xo, *oo;
  const char *layout_s;
  if (!PyArg_ParseTuple(args, "OOs", &xo, &oo, &layout_s)) return NULL;
  if (require_plan(self)) return NULL;
  spectro_layout layout;
  if (parse_layout(layout_s, "output_layout", &layout) != 0) return NULL;
  Py_buffer x, out;
  int xd, od;
  elem_kind ok;
  int64_t T, batch;
  if (signal_buffers(xo, oo, &x, &out, &xd, &od, &ok, &T, &batch) != 0) return NULL;
  PyObject *result = NULL;
  int64_t frames;
  spectro_status st = spectro_stft_frames(self->plan, T, &frames);
  if (st != SPECTRO_OK) {
    raise_status(st);
    goto done;
  }
  int want = xd == SPECTRO_FLOAT64 ? SPECTRO_FLOAT64 : SPECTRO_FLOAT32;
  if (check_out(&out, od, ok, want, KIND_COMPLEX, batch * self->bins * frames) != 0) goto done;
  Py_BEGIN_ALLOW_THREADS st = spectro_stft_execute(self->plan, x.buf, (spectro_dtype)xd, batch, T, out.buf, layout);
  Py_END_ALLOW_THREADS if (st != SPECTRO_OK) raise_status(st);
  else result = Py_BuildValue("(LL)", (long long)batch, (long long)frames);
done:
  PyBuffer_Release(&x);
  PyBuffer_Release(&out);
  return result;
}

/* istft(z, out, layout, length, validate, quiet): z [..., F, N] or
 * [..., N, F] complex; out [..., length] real. */
static PyObject *Plan_istft(PlanObject *self, PyObject *args) {
  PyObject *zo, *oo;
  const char *layout_s;
  long long length;
  int validate, quiet;
  if (!PyArg_ParseTuple(args, "OOsLpp", &zo, &oo, &layout_s, &length, &validate, &quiet)) return NULL;
  if (require_plan(self)) return NULL;
  spectro_layout layout;
  if (parse_layout(layout_s, "input_layout", &layout) != 0) return NULL;
  Py_buffer z, out;
  if (get_buffer(zo, &z, 0, "z") != 0) return NULL;
  if (get_buffer(oo, &out, 1, "out") != 0) {
    PyBuffer_Release(&z);
    return NULL;
  }
  PyObject *result = NULL;
  elem_kind zk, ok;
  int zd = buffer_dtype(&z, &zk), od = buffer_dtype(&out, &ok);
  if (zd < 0 || zk != KIND_COMPLEX) {
    PyErr_Format(PyExc_TypeError, "z must be complex64 or complex128 (got buffer format '%s')",
                 format_name(&z));
    goto done;
  }
  if (z.ndim < 2) {
    PyErr_Format(PyExc_ValueError, "z must be [..., F, N] (input_layout='bfn') or [..., N, F] "
                                   "(input_layout='bnf'); got %d dimension(s)", z.ndim);
    goto done;
  }
  int64_t a = z.shape[z.ndim - 2], b = z.shape[z.ndim - 1], batch = 1;
  for (int i = 0; i < z.ndim - 2; ++i) batch *= z.shape[i];
  int64_t bins = layout == SPECTRO_LAYOUT_BFN ? a : b, frames = layout == SPECTRO_LAYOUT_BFN ? b : a;
  if (bins != self->bins) {
    PyErr_Format(PyExc_ValueError,
                 "z has %lld frequency bins on axis %d with input_layout='%s'; n_fft=%lld needs "
                 "n_fft//2+1=%lld%s",
                 (long long)bins, layout == SPECTRO_LAYOUT_BFN ? -2 : -1, layout_s, (long long)self->n_fft,
                 (long long)self->bins,
                 ((layout == SPECTRO_LAYOUT_BFN ? b : a) == self->bins) ? " (is the layout swapped?)" : "");
    goto done;
  }
  if (length < 0) {
    int64_t nat;
    spectro_status st = spectro_istft_natural_length(self->plan, frames, &nat);
    if (st != SPECTRO_OK) {
      raise_status(st);
      goto done;
    }
    length = nat;
  }
  if (check_out(&out, od, ok, zd, KIND_REAL, batch * length) != 0) goto done;
  spectro_status st;
  pending_warning[0] = '\0';
  Py_BEGIN_ALLOW_THREADS st = spectro_istft_execute(self->plan, z.buf, (spectro_dtype)zd, batch, bins, frames,
                                                    layout, length, validate ? SPECTRO_ISTFT_VALIDATE : 0,
                                                    out.buf);
  Py_END_ALLOW_THREADS if (quiet) pending_warning[0] = '\0';
  if (st != SPECTRO_OK) {
    pending_warning[0] = '\0';
    raise_status(st);
    goto done;
  }
  if (flush_warning() != 0) goto done;
  result = PyLong_FromLongLong(length);
done:
  PyBuffer_Release(&z);
  PyBuffer_Release(&out);
  return result;
}

/* stft_cuda(in_ptr, out_ptr, batch, length, layout, stream[, dtype]): device
 * pointers (the Python layer checked dtype, shape and contiguity); dtype is
 * a spectro_dtype code (float32 by default). */
static PyObject *Plan_stft_cuda(PlanObject *self, PyObject *args) {
  unsigned long long in_ptr, out_ptr, stream;
  long long batch, length;
  const char *layout_s;
  int dtype = SPECTRO_FLOAT32;
  if (!PyArg_ParseTuple(args, "KKLLsK|i", &in_ptr, &out_ptr, &batch, &length, &layout_s, &stream, &dtype)) return NULL;
  if (require_plan(self)) return NULL;
  spectro_layout layout;
  if (parse_layout(layout_s, "output_layout", &layout) != 0) return NULL;
  spectro_status st;
  Py_BEGIN_ALLOW_THREADS st = spectro_stft_execute_cuda(self->plan, (const void *)(uintptr_t)in_ptr,
                                                        (spectro_dtype)dtype, batch, length, (void *)(uintptr_t)out_ptr, layout,
                                                        (void *)(uintptr_t)stream);
  Py_END_ALLOW_THREADS if (st != SPECTRO_OK) return raise_status(st);
  Py_RETURN_NONE;
}

/* istft_cuda(in_ptr, out_ptr, batch, n_frames, layout, length, validate, quiet, stream) */
static PyObject *Plan_istft_cuda(PlanObject *self, PyObject *args) {
  unsigned long long in_ptr, out_ptr, stream;
  long long batch, n_frames, length;
  const char *layout_s;
  int validate, quiet;
  if (!PyArg_ParseTuple(args, "KKLLsLppK", &in_ptr, &out_ptr, &batch, &n_frames, &layout_s, &length, &validate,
                        &quiet, &stream))
    return NULL;
  if (require_plan(self)) return NULL;
  spectro_layout layout;
  if (parse_layout(layout_s, "input_layout", &layout) != 0) return NULL;
  spectro_status st;
  pending_warning[0] = '\0';
  Py_BEGIN_ALLOW_THREADS st = spectro_istft_execute_cuda(self->plan, (const void *)(uintptr_t)in_ptr, SPECTRO_FLOAT32,
                                                         batch, self->bins, n_frames, layout, length,
                                                         validate ? SPECTRO_ISTFT_VALIDATE : 0,
                                                         (void *)(uintptr_t)out_ptr, (void *)(uintptr_t)stream);
  Py_END_ALLOW_THREADS if (quiet || st != SPECTRO_OK) pending_warning[0] = '\0';
  if (st != SPECTRO_OK) return raise_status(st);
  if (flush_warning() != 0) return NULL;
  Py_RETURN_NONE;
}

static PyObject *Plan_get_bins(PlanObject *self, void *closure) {
  (void)closure;
  return PyLong_FromLongLong(self->bins);
}

static PyMethodDef Plan_methods[] = {
    {"frames", (PyCFunction)Plan_frames, METH_O, "frames(length) -> number of STFT frames"},
    {"natural_length", (PyCFunction)Plan_natural_length, METH_O,
     "natural_length(n_frames) -> iSTFT length without an explicit length"},
    {"window_into", (PyCFunction)Plan_window_into, METH_O, "window_into(out): the n_fft window"},
    {"stft", (PyCFunction)Plan_stft, METH_VARARGS, "stft(x, out, layout) -> (batch, frames)"},
    {"istft", (PyCFunction)Plan_istft, METH_VARARGS,
     "istft(z, out, layout, length, validate, quiet) -> length"},
    {"stft_cuda", (PyCFunction)Plan_stft_cuda, METH_VARARGS, "stft_cuda(in_ptr, out_ptr, batch, length, layout, stream[, dtype])"},
    {"istft_cuda", (PyCFunction)Plan_istft_cuda, METH_VARARGS,
     "istft_cuda(in_ptr, out_ptr, batch, n_frames, layout, length, validate, quiet, stream)"},
    {NULL, NULL, 0, NULL}};

static PyObject *Plan_get_kernels(PlanObject *self, void *closure) {
  (void)closure;
  if (require_plan(self)) return NULL;
  return PyUnicode_FromString(spectro_stft_plan_kernels(self->plan));
}

static PyGetSetDef Plan_getset[] = {{"bins", (getter)Plan_get_bins, NULL, "n_fft // 2 + 1", NULL},
                                    {"kernels", (getter)Plan_get_kernels, NULL, "SIMD kernel variant", NULL},
                                    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject PlanType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "spectro._spectro.Plan",
    .tp_basicsize = sizeof(PlanObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An immutable STFT plan (see include/spectro.h).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Plan_init,
    .tp_dealloc = (destructor)Plan_dealloc,
    .tp_methods = Plan_methods,
    .tp_getset = Plan_getset,
};

/* ------------------------------------------------------------ FrontendPlan */

typedef struct {
  PyObject_HEAD spectro_frontend_plan *plan;
  int64_t features;
} FrontendObject;

static int Frontend_init(FrontendObject *self, PyObject *args, PyObject *kwds) {
  static char *kwlist[] = {"n_fft", "hop_length", "win_length", "window", "periodic", "center", "center_pad_mode",
                           "center_tail_pad", "normalized", "power", "filterbank", "output_scale", "log_mode",
                           "log_amin", "log_scale", "db_multiplier", "amin", "ref", "top_db", "n_mfcc",
                           "dct_ortho", "lifter", NULL};
  long long n_fft, hop, win_length, n_dct = 0;
  PyObject *window, *fb = Py_None;
  int periodic, center, normalized, dct_ortho = 1;
  const char *pad_mode, *tail, *scale_s = "linear", *log_mode_s = "clamp";
  double power = 2.0, log_amin = 1e-5, log_scale = 1.0, db_mult = 10.0, amin = 1e-10, ref = 1.0, top_db = NAN,
         lifter = 0.0;
  if (!PyArg_ParseTupleAndKeywords(args, kwds, "LLLOppssp|dOssddddddLpd", kwlist, &n_fft, &hop, &win_length, &window,
                                   &periodic, &center, &pad_mode, &tail, &normalized, &power, &fb, &scale_s,
                                   &log_mode_s, &log_amin, &log_scale, &db_mult, &amin, &ref, &top_db, &n_dct,
                                   &dct_ortho, &lifter))
    return -1;
  if (self->plan != NULL) {
    PyErr_SetString(PyExc_RuntimeError, "FrontendPlan is already initialised; create a new one instead");
    return -1;
  }
  spectro_frontend_config cfg;
  spectro_frontend_config_init(&cfg, n_fft, hop);
  static const char *const scales[] = {"linear", "log", "db", "log10_plus_one"};
  static const int scale_values[] = {SPECTRO_SCALE_LINEAR, SPECTRO_SCALE_LOG, SPECTRO_SCALE_DB,
                                     SPECTRO_SCALE_LOG10_PLUS_ONE};
  static const char *const modes[] = {"clamp", "add", "log1p"};
  static const int mode_values[] = {SPECTRO_LOG_CLAMP, SPECTRO_LOG_ADD, SPECTRO_LOG_LOG1P};
  int v = 0;
  if (parse_choice(scale_s, "output_scale", scales, 4, scale_values, &v) != 0) return -1;
  cfg.scale = (spectro_scale)v;
  if (parse_choice(log_mode_s, "log_mode", modes, 3, mode_values, &v) != 0) return -1;
  cfg.log_mode = (spectro_log_mode)v;
  cfg.power = power;
  cfg.log_amin = log_amin;
  cfg.log_scale = log_scale;
  cfg.db_multiplier = db_mult;
  cfg.db_amin = amin;
  cfg.db_ref = ref;
  cfg.top_db = top_db;
  cfg.n_dct = n_dct;
  cfg.dct_ortho = dct_ortho;
  cfg.lifter = lifter;
  Py_buffer wview = {0}, fview = {0};
  int have_view = 0, have_fb = 0;
  if (stft_config_from_args(&cfg.stft, n_fft, hop, win_length, window, periodic, center, pad_mode, tail, normalized,
                            &wview, &have_view) != 0)
    return -1;
  int rc = -1;
  if (fb != Py_None) {
    if (get_buffer(fb, &fview, 0, "filterbank") != 0) goto done;
    have_fb = 1;
    elem_kind kind;
    if (buffer_dtype(&fview, &kind) != SPECTRO_FLOAT64 || kind != KIND_REAL || fview.ndim != 2) {
      PyErr_Format(PyExc_TypeError, "filterbank must be a 2-D float64 array [n_freqs, n_bands] (got format '%s', ndim %d)",
                   format_name(&fview), fview.ndim);
      goto done;
    }
    cfg.filterbank = (const double *)fview.buf;
    cfg.filterbank_rows = fview.shape[0];
    cfg.n_bands = fview.shape[1];
  }
  spectro_frontend_plan *plan = NULL;
  spectro_status st = spectro_frontend_plan_create(&cfg, &plan);
  if (st != SPECTRO_OK) {
    raise_status(st);
    goto done;
  }
  self->plan = plan;
  self->features = spectro_frontend_features(plan);
  rc = 0;
done:
  if (have_view) PyBuffer_Release(&wview);
  if (have_fb) PyBuffer_Release(&fview);
  return rc;
}

static void Frontend_dealloc(FrontendObject *self) {
  spectro_frontend_plan_destroy(self->plan);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Frontend_frames(FrontendObject *self, PyObject *arg) {
  if (self->plan == NULL) return PyErr_Format(PyExc_RuntimeError, "FrontendPlan was not initialised");
  long long length = PyLong_AsLongLong(arg);
  if (length == -1 && PyErr_Occurred()) return NULL;
  int64_t frames;
  spectro_status st = spectro_frontend_frames(self->plan, length, &frames);
  if (st != SPECTRO_OK) return raise_status(st);
  return PyLong_FromLongLong(frames);
}

/* execute(x, out, top_db_group): x [..., T] real; out [..., features, frames]. */
static PyObject *Frontend_execute(FrontendObject *self, PyObject *args) {
  PyObject *xo, *oo;
  long long group;
  if (!PyArg_ParseTuple(args, "OOL", &xo, &oo, &group)) return NULL;
  if (self->plan == NULL) return PyErr_Format(PyExc_RuntimeError, "FrontendPlan was not initialised");
  Py_buffer x, out;
  int xd, od;
  elem_kind ok;
  int64_t T, batch;
  if (signal_buffers(xo, oo, &x, &out, &xd, &od, &ok, &T, &batch) != 0) return NULL;
  PyObject *result = NULL;
  int64_t frames;
  spectro_status st = spectro_frontend_frames(self->plan, T, &frames);
  if (st != SPECTRO_OK) {
    raise_status(st);
    goto done;
  }
  int want = xd == SPECTRO_FLOAT64 ? SPECTRO_FLOAT64 : SPECTRO_FLOAT32;
  if (check_out(&out, od, ok, want, KIND_REAL, batch * self->features * frames) != 0) goto done;
  Py_BEGIN_ALLOW_THREADS st = spectro_frontend_execute(self->plan, x.buf, (spectro_dtype)xd, batch, T, group, out.buf);
  Py_END_ALLOW_THREADS if (st != SPECTRO_OK) raise_status(st);
  else result = PyLong_FromLongLong(frames);
done:
  PyBuffer_Release(&x);
  PyBuffer_Release(&out);
  return result;
}

/* workspace_cuda(batch, length, top_db_group) -> bytes of device scratch */
static PyObject *Frontend_workspace_cuda(FrontendObject *self, PyObject *args) {
  long long batch, length, group;
  if (!PyArg_ParseTuple(args, "LLL", &batch, &length, &group)) return NULL;
  if (self->plan == NULL) return PyErr_Format(PyExc_RuntimeError, "FrontendPlan was not initialised");
  size_t bytes = 0;
  spectro_status st = spectro_frontend_workspace_cuda(self->plan, batch, length, group, &bytes);
  if (st != SPECTRO_OK) return raise_status(st);
  return PyLong_FromSize_t(bytes);
}

/* execute_cuda(in_ptr, out_ptr, batch, length, top_db_group, ws_ptr, ws_bytes, stream[, dtype]):
 * device pointers (the Python layer checked dtype, shape and contiguity). */
static PyObject *Frontend_execute_cuda(FrontendObject *self, PyObject *args) {
  unsigned long long in_ptr, out_ptr, ws_ptr, ws_bytes, stream;
  long long batch, length, group;
  int dtype = SPECTRO_FLOAT32;
  if (!PyArg_ParseTuple(args, "KKLLLKKK|i", &in_ptr, &out_ptr, &batch, &length, &group, &ws_ptr, &ws_bytes, &stream,
                        &dtype))
    return NULL;
  if (self->plan == NULL) return PyErr_Format(PyExc_RuntimeError, "FrontendPlan was not initialised");
  spectro_status st;
  Py_BEGIN_ALLOW_THREADS st = spectro_frontend_execute_cuda(
      self->plan, (const void *)(uintptr_t)in_ptr, (spectro_dtype)dtype, batch, length, group, (void *)(uintptr_t)out_ptr,
      (void *)(uintptr_t)ws_ptr, (size_t)ws_bytes, (void *)(uintptr_t)stream);
  Py_END_ALLOW_THREADS if (st != SPECTRO_OK) return raise_status(st);
  Py_RETURN_NONE;
}

static PyObject *Frontend_get_features(FrontendObject *self, void *closure) {
  (void)closure;
  return PyLong_FromLongLong(self->features);
}

static PyMethodDef Frontend_methods[] = {
    {"frames", (PyCFunction)Frontend_frames, METH_O, "frames(length) -> number of frames"},
    {"execute", (PyCFunction)Frontend_execute, METH_VARARGS, "execute(x, out, top_db_group) -> frames"},
    {"workspace_cuda", (PyCFunction)Frontend_workspace_cuda, METH_VARARGS,
     "workspace_cuda(batch, length, top_db_group) -> bytes of device scratch"},
    {"execute_cuda", (PyCFunction)Frontend_execute_cuda, METH_VARARGS,
     "execute_cuda(in_ptr, out_ptr, batch, length, top_db_group, ws_ptr, ws_bytes, stream[, dtype])"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Frontend_getset[] = {{"features", (getter)Frontend_get_features, NULL, "outputs per frame", NULL},
                                        {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject FrontendType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "spectro._spectro.FrontendPlan",
    .tp_basicsize = sizeof(FrontendObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An immutable frontend plan: STFT, power, filterbank, scaling [, DCT].",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Frontend_init,
    .tp_dealloc = (destructor)Frontend_dealloc,
    .tp_methods = Frontend_methods,
    .tp_getset = Frontend_getset,
};

/* ------------------------------------------------------------ filterbanks */

static int writable_f64(PyObject *o, Py_buffer *view, Py_ssize_t count, const char *name) {
  if (get_buffer(o, view, 1, name) != 0) return -1;
  elem_kind kind;
  if (buffer_dtype(view, &kind) != SPECTRO_FLOAT64 || kind != KIND_REAL || view->len != count * 8) {
    PyErr_Format(PyExc_ValueError, "%s must be a float64 array of %zd values", name, count);
    PyBuffer_Release(view);
    return -1;
  }
  return 0;
}

static PyObject *mod_mel_filterbank(PyObject *self, PyObject *args) {
  (void)self;
  long long n_freqs, n_mels;
  double sr, f_min, f_max;
  const char *scale_s, *norm_s, *grid_s;
  PyObject *oo;
  if (!PyArg_ParseTuple(args, "LdLddsssO", &n_freqs, &sr, &n_mels, &f_min, &f_max, &scale_s, &norm_s, &grid_s, &oo))
    return NULL;
  static const char *const scales[] = {"htk", "slaney"};
  static const int scale_values[] = {SPECTRO_MEL_HTK, SPECTRO_MEL_SLANEY};
  static const char *const norms[] = {"none", "slaney"};
  static const int norm_values[] = {SPECTRO_MEL_NORM_NONE, SPECTRO_MEL_NORM_SLANEY};
  static const char *const grids[] = {"torchaudio", "librosa"};
  static const int grid_values[] = {SPECTRO_FREQ_GRID_TORCHAUDIO, SPECTRO_FREQ_GRID_LIBROSA};
  int sc = 0, nm = 0, gr = 0;
  if (parse_choice(scale_s, "mel_scale", scales, 2, scale_values, &sc) || parse_choice(norm_s, "norm", norms, 2, norm_values, &nm) ||
      parse_choice(grid_s, "grid", grids, 2, grid_values, &gr))
    return NULL;
  if (n_freqs < 0 || n_mels < 0 || (n_mels > 0 && n_freqs > PY_SSIZE_T_MAX / 8 / n_mels))
    return PyErr_Format(PyExc_ValueError, "n_freqs and n_mels must be >= 0 (got %lld, %lld)", n_freqs, n_mels);
  Py_buffer out;
  if (writable_f64(oo, &out, (Py_ssize_t)(n_freqs * n_mels), "out") != 0) return NULL;
  spectro_status st = spectro_mel_filterbank(n_freqs, sr, n_mels, f_min, f_max, (spectro_mel_scale)sc,
                                             (spectro_mel_norm)nm, (spectro_freq_grid)gr, out.buf);
  PyBuffer_Release(&out);
  if (st != SPECTRO_OK) return raise_status(st);
  Py_RETURN_NONE;
}

static PyObject *mod_dct_matrix(PyObject *self, PyObject *args) {
  (void)self;
  long long n_mfcc, n_mels;
  int ortho;
  PyObject *oo;
  if (!PyArg_ParseTuple(args, "LLpO", &n_mfcc, &n_mels, &ortho, &oo)) return NULL;
  if (n_mfcc < 0 || n_mels < 0 || (n_mels > 0 && n_mfcc > PY_SSIZE_T_MAX / 8 / n_mels))
    return PyErr_Format(PyExc_ValueError, "n_mfcc and n_mels must be >= 0 (got %lld, %lld)", n_mfcc, n_mels);
  Py_buffer out;
  if (writable_f64(oo, &out, (Py_ssize_t)(n_mfcc * n_mels), "out") != 0) return NULL;
  spectro_status st = spectro_dct_matrix(n_mfcc, n_mels, ortho, out.buf);
  PyBuffer_Release(&out);
  if (st != SPECTRO_OK) return raise_status(st);
  Py_RETURN_NONE;
}

/* log_triangular(n_freqs, sr, bpo, f_min, f_max, f_ref, norm, unique, nyquist, out or None) -> n_bands */
static PyObject *mod_log_triangular(PyObject *self, PyObject *args) {
  (void)self;
  long long n_freqs;
  double sr, bpo, f_min, f_max, f_ref;
  int norm, unique, nyquist;
  PyObject *oo;
  if (!PyArg_ParseTuple(args, "LdddddpppO", &n_freqs, &sr, &bpo, &f_min, &f_max, &f_ref, &norm, &unique, &nyquist, &oo))
    return NULL;
  Py_buffer out = {0};
  int have = 0;
  double *buf = NULL;
  int64_t cap = 0, n_bands = 0;
  if (oo != Py_None) {
    if (get_buffer(oo, &out, 1, "out") != 0) return NULL;
    have = 1;
    elem_kind kind;
    if (buffer_dtype(&out, &kind) != SPECTRO_FLOAT64 || kind != KIND_REAL) {
      PyBuffer_Release(&out);
      return PyErr_Format(PyExc_TypeError, "out must be float64");
    }
    buf = out.buf;
    cap = out.len / 8;
  }
  spectro_status st = spectro_log_triangular_filterbank(n_freqs, sr, bpo, f_min, f_max, f_ref, norm, unique, nyquist,
                                                        buf, cap, &n_bands);
  if (have) PyBuffer_Release(&out);
  if (st != SPECTRO_OK) return raise_status(st);
  return PyLong_FromLongLong(n_bands);
}

static PyObject *mod_version(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyUnicode_FromString(spectro_version());
}

static PyObject *mod_set_num_threads(PyObject *self, PyObject *arg) {
  (void)self;
  long n = PyLong_AsLong(arg);
  if (n == -1 && PyErr_Occurred()) return NULL;
  if (n < 0 || n > 100000) {
    PyErr_Format(PyExc_ValueError, "num_threads must be >= 0 (got %ld)", n);
    return NULL;
  }
  spectro_status st = spectro_set_num_threads((int)n);
  if (st != SPECTRO_OK) return raise_status(st);
  Py_RETURN_NONE;
}

static PyObject *mod_get_num_threads(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyLong_FromLong(spectro_get_num_threads());
}

static PyObject *mod_cache_stats(PyObject *self, PyObject *args) {
  (void)self;
  int reset = 0;
  if (!PyArg_ParseTuple(args, "|p", &reset)) return NULL;
  long long hits, misses, measured;
  spectro_cache_stats(&hits, &misses, &measured);
  if (reset) spectro_reset_cache_stats();
  return Py_BuildValue("{s:L,s:L,s:L}", "autotune_hits", hits, "autotune_misses", misses,
                       "autotune_measurements", measured);
}

static PyObject *mod_cuda_available(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyBool_FromLong(spectro_cuda_available());
}

static PyObject *mod_cuda_last_variant(PyObject *self, PyObject *unused) {
  (void)self;
  (void)unused;
  return PyUnicode_FromString(spectro_cuda_last_variant());
}

static PyMethodDef module_methods[] = {
    {"version", mod_version, METH_NOARGS, "library version"},
    {"cuda_available", mod_cuda_available, METH_NOARGS, "whether the CUDA backend was built"},
    {"cuda_last_variant", mod_cuda_last_variant, METH_NOARGS,
     "the launch variant this thread's last CUDA STFT/iSTFT call took (autotune diagnostics)"},
    {"set_num_threads", mod_set_num_threads, METH_O, "set_num_threads(n): threads per call (0: default)"},
    {"get_num_threads", mod_get_num_threads, METH_NOARGS, "threads the library uses per call"},
    {"cache_stats", mod_cache_stats, METH_VARARGS, "cache_stats(reset=False) -> autotune counters"},
    {"mel_filterbank", mod_mel_filterbank, METH_VARARGS, "mel_filterbank(n_freqs, sr, n_mels, f_min, f_max, scale, norm, grid, out)"},
    {"dct_matrix", mod_dct_matrix, METH_VARARGS, "dct_matrix(n_mfcc, n_mels, ortho, out)"},
    {"log_triangular", mod_log_triangular, METH_VARARGS, "log_triangular(...) -> n_bands"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_spectro", "spectro C core", -1, module_methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__spectro(void) {
  if (PyType_Ready(&PlanType) < 0 || PyType_Ready(&FrontendType) < 0) return NULL;
  PyObject *m = PyModule_Create(&module);
  if (m == NULL) return NULL;
  Py_INCREF(&PlanType);
  if (PyModule_AddObject(m, "Plan", (PyObject *)&PlanType) < 0) {
    Py_DECREF(&PlanType);
    Py_DECREF(m);
    return NULL;
  }
  Py_INCREF(&FrontendType);
  if (PyModule_AddObject(m, "FrontendPlan", (PyObject *)&FrontendType) < 0) {
    Py_DECREF(&FrontendType);
    Py_DECREF(m);
    return NULL;
  }
  spectro_set_warning_handler(capture_warning, NULL);
  return m;
}
