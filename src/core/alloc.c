/* Allocation hooks (zstd's ZSTD_customMem).  Each block records the hooks
 * that made it, so it is always freed by the matching free. */
#include "core.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGNMENT 64

static void *default_alloc(void *opaque, size_t size) {
  (void)opaque;
  return malloc(size);
}
static void default_free(void *opaque, void *ptr) {
  (void)opaque;
  free(ptr);
}

static spectro_allocator current = {default_alloc, default_free, NULL};

void spectro_set_allocator(const spectro_allocator *allocator) {
  if (allocator == NULL || allocator->alloc == NULL || allocator->free == NULL) {
    current.alloc = default_alloc;
    current.free = default_free;
    current.opaque = NULL;
  } else {
    current = *allocator;
  }
}

/* Header stored just before the aligned pointer. */
typedef struct block_header {
  spectro_allocator owner;
  void *raw;
} block_header;

void *spectro_alloc(size_t size) {
  size_t extra = ALIGNMENT + sizeof(block_header);
  if (size > SIZE_MAX - extra) return NULL;
  spectro_allocator owner = current;
  void *raw = owner.alloc(owner.opaque, size + extra);
  if (raw == NULL) return NULL;
  uintptr_t base = (uintptr_t)raw + sizeof(block_header);
  uintptr_t aligned = (base + ALIGNMENT - 1) & ~(uintptr_t)(ALIGNMENT - 1);
  block_header header = {owner, raw};
  memcpy((void *)(aligned - sizeof(block_header)), &header, sizeof header);
  return (void *)aligned;
}

void *spectro_alloc_array(size_t count, size_t elem_size) {
  if (elem_size != 0 && count > SIZE_MAX / elem_size) return NULL;
  return spectro_alloc(count * elem_size);
}

void spectro_free(void *ptr) {
  if (ptr == NULL) return;
  block_header header;
  memcpy(&header, (char *)ptr - sizeof(block_header), sizeof header);
  header.owner.free(header.owner.opaque, header.raw);
}
