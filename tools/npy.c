/* .npy / .npz / CSV writers.  The npz is written without compression and
 * with a fixed member timestamp, so equal arrays give equal files. */
#include "npy.h"

#include <errno.h>
#include <string.h>

#define NPY_ALIGN 64 /* numpy pads the header so the data starts aligned */
#define ZIP_DOS_DATE 0x0021 /* 1980-01-01 */

static char byte_order(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one ? '<' : '>';
}

/* The magic, version, header length and header dict, padded with spaces
 * and ended by '\n'.  Returns the length or 0 when it does not fit. */
static size_t npy_header(const npy_array *a, char *out, size_t cap) {
  char shape[200] = "(";
  for (int d = 0; d < a->ndim; ++d) {
    size_t used = strlen(shape);
    snprintf(shape + used, sizeof shape - used, "%lld%s", (long long)a->shape[d],
             a->ndim == 1 ? ",)" : d + 1 < a->ndim ? ", " : ")");
  }
  if (a->ndim == 0) strcpy(shape, "()");
  char dict[300];
  int n = snprintf(dict, sizeof dict, "{'descr': '%c%s', 'fortran_order': False, 'shape': %s, }", byte_order(),
                   a->type, shape);
  if (n < 0 || (size_t)n >= sizeof dict) return 0;
  size_t total = 10 + (size_t)n + 1;
  total = (total + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
  if (total > cap) return 0;
  size_t hlen = total - 10;
  memcpy(out, "\x93NUMPY\x01\x00", 8);
  out[8] = (char)(hlen & 0xff);
  out[9] = (char)(hlen >> 8);
  memcpy(out + 10, dict, (size_t)n);
  memset(out + 10 + n, ' ', hlen - (size_t)n - 1);
  out[total - 1] = '\n';
  return total;
}

static int write_all(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : -1; }

int npy_write(FILE *f, const npy_array *a) {
  char header[512];
  size_t hl = npy_header(a, header, sizeof header);
  if (hl == 0) {
    errno = EINVAL;
    return -1;
  }
  return write_all(f, header, hl) || write_all(f, a->data, a->nbytes) ? -1 : 0;
}

/* ---------------------------------------------------------------- zip */

static uint32_t crc32_update(uint32_t crc, const void *data, size_t n) {
  static const uint32_t poly = 0xEDB88320u;
  uint32_t table[16]; /* nibble table: small enough to build per call */
  for (uint32_t i = 0; i < 16; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 4; ++k) c = (c >> 1) ^ (c & 1 ? poly : 0);
    table[i] = c;
  }
  const uint8_t *p = data;
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    crc = (crc >> 4) ^ table[crc & 15];
    crc = (crc >> 4) ^ table[crc & 15];
  }
  return ~crc;
}

static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, v & 0xffff);
  put16(p + 2, v >> 16);
}

typedef struct zip_member {
  char name[80];
  uint32_t crc, size, offset;
} zip_member;

/* Local header (30 bytes) or central directory entry (46 bytes) of a
 * stored member; both share the fields from "version needed" on. */
static size_t zip_header(uint8_t *h, const zip_member *m, int central) {
  memset(h, 0, 46);
  put32(h, central ? 0x02014b50u : 0x04034b50u);
  uint8_t *p = h + 4;
  if (central) {
    put16(p, 20); /* version made by */
    p += 2;
  }
  put16(p, 10); /* version needed: stored */
  put16(p + 6, 0);
  put16(p + 8, ZIP_DOS_DATE);
  put32(p + 10, m->crc);
  put32(p + 14, m->size);
  put32(p + 18, m->size);
  put16(p + 22, (uint32_t)strlen(m->name));
  if (central) put32(h + 42, m->offset);
  return central ? 46 : 30;
}

static int npz_member(FILE *f, const npy_array *a, zip_member *m, uint32_t *offset) {
  char header[512];
  size_t hl = npy_header(a, header, sizeof header);
  if (hl == 0 || a->nbytes > 0xFFFFFFFFu - hl || *offset > 0x7FFFFFFFu) { /* no ZIP64 here */
    errno = EFBIG;
    return -1;
  }
  snprintf(m->name, sizeof m->name, "%s.npy", a->name);
  m->crc = crc32_update(crc32_update(0, header, hl), a->data, a->nbytes);
  m->size = (uint32_t)(hl + a->nbytes);
  m->offset = *offset;
  uint8_t lh[46];
  size_t n = zip_header(lh, m, 0);
  size_t name_len = strlen(m->name);
  if (write_all(f, lh, n) || write_all(f, m->name, name_len) || write_all(f, header, hl) ||
      write_all(f, a->data, a->nbytes))
    return -1;
  *offset += (uint32_t)(n + name_len) + m->size;
  return 0;
}

int npz_write(FILE *f, const npy_array *arrays, int count) {
  zip_member members[8];
  if (count < 1 || count > 8) {
    errno = EINVAL;
    return -1;
  }
  uint32_t offset = 0;
  for (int i = 0; i < count; ++i)
    if (npz_member(f, &arrays[i], &members[i], &offset) != 0) return -1;
  uint32_t cd_size = 0;
  for (int i = 0; i < count; ++i) {
    uint8_t ch[46];
    size_t n = zip_header(ch, &members[i], 1);
    size_t name_len = strlen(members[i].name);
    if (write_all(f, ch, n) || write_all(f, members[i].name, name_len)) return -1;
    cd_size += (uint32_t)(n + name_len);
  }
  uint8_t end[22] = {0};
  put32(end, 0x06054b50u);
  put16(end + 8, (uint32_t)count);
  put16(end + 10, (uint32_t)count);
  put32(end + 12, cd_size);
  put32(end + 16, offset);
  return write_all(f, end, sizeof end);
}

/* ---------------------------------------------------------------- CSV */

static int csv_header(FILE *f, const csv_table *t) {
  if (fputs("channel,frame,time", f) < 0) return -1;
  for (int64_t r = 0; r < t->rows; ++r) {
    int n = t->complex_values ? fprintf(f, ",re_%lld,im_%lld", (long long)r, (long long)r)
                              : fprintf(f, ",%s_%lld", t->prefix, (long long)r);
    if (n < 0) return -1;
  }
  return fputc('\n', f) == EOF ? -1 : 0;
}

int csv_write(FILE *f, const csv_table *t) {
  if (csv_header(f, t) != 0) return -1;
  int per = t->complex_values ? 2 : 1;
  for (int64_t c = 0; c < t->channels; ++c)
    for (int64_t n = 0; n < t->frames; ++n) {
      /* %.9g: float32 values read back bit-exact */
      if (fprintf(f, "%lld,%lld,%.9g", (long long)c, (long long)n, t->time_offset + (double)n * t->frame_seconds) < 0)
        return -1;
      const float *base = t->data + (size_t)(c * t->rows * t->frames + n) * (size_t)per;
      for (int64_t r = 0; r < t->rows; ++r) {
        const float *v = base + (size_t)(r * t->frames) * (size_t)per;
        int w = per == 2 ? fprintf(f, ",%.9g,%.9g", (double)v[0], (double)v[1]) : fprintf(f, ",%.9g", (double)v[0]);
        if (w < 0) return -1;
      }
      if (fputc('\n', f) == EOF) return -1;
    }
  return 0;
}
