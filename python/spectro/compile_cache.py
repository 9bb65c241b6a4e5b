"""Repeated-shape promotion and cache statistics."""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any, Callable, Dict, Optional, Tuple

_stats: Dict[str, int] = {}


def _stats_enabled() -> bool:
    return os.environ.get("SPECTRO_CACHE_STATS", "0") not in ("", "0", "false", "False")


def record_cache_event(name: str) -> None:
    if _stats_enabled():
        _stats[name] = _stats.get(name, 0) + 1


def get_cache_debug_stats(reset: bool = False) -> Dict[str, Any]:
    """Counters of cache events (recorded when SPECTRO_CACHE_STATS=1)."""
    from . import _spectro
    from .transform import _transform_cache_info

    out = {
        "enabled": _stats_enabled(),
        "events": dict(_stats),
        "transform_cache": _transform_cache_info(),
        "autotune": _spectro.cache_stats(False),
    }
    if reset:
        reset_cache_debug_stats()
    return out


def reset_cache_debug_stats() -> None:
    from . import _spectro

    _stats.clear()
    _spectro.cache_stats(True)


class RepeatedShapeCompileCache:
    """Promote an input shape to a compiled callable once it has been seen
    ``min_hits`` times; keep at most ``max_compiled_shapes`` (LRU).  ``get``
    returns None until then, so the caller runs its eager path."""

    __slots__ = ("_factory", "_min_hits", "_max_compiled", "_max_pending", "_pending", "_compiled")

    def __init__(
        self,
        compile_factory: Callable[[Tuple[int, ...]], Any],
        *,
        min_hits: int = 2,
        max_compiled_shapes: int = 8,
        max_pending_shapes: Optional[int] = None,
    ) -> None:
        if not callable(compile_factory):
            raise TypeError("compile_factory must be callable")
        if min_hits < 1:
            raise ValueError(f"min_hits must be >= 1 (got {min_hits})")
        if max_compiled_shapes < 1:
            raise ValueError(f"max_compiled_shapes must be >= 1 (got {max_compiled_shapes})")
        if max_pending_shapes is None:
            max_pending_shapes = max(16, 4 * max_compiled_shapes)
        if max_pending_shapes < 1:
            raise ValueError(f"max_pending_shapes must be >= 1 (got {max_pending_shapes})")
        self._factory = compile_factory
        self._min_hits = int(min_hits)
        self._max_compiled = int(max_compiled_shapes)
        self._max_pending = int(max_pending_shapes)
        self._pending: "OrderedDict[Tuple[int, ...], int]" = OrderedDict()
        self._compiled: "OrderedDict[Tuple[int, ...], Any]" = OrderedDict()

    def get(self, shape) -> Any:
        key = tuple(int(d) for d in shape)
        hit = self._compiled.get(key)
        if hit is not None:
            self._compiled.move_to_end(key)
            record_cache_event("shape_compile_cache.hit")
            return hit
        hits = self._pending.get(key, 0) + 1
        self._pending[key] = hits
        self._pending.move_to_end(key)
        if len(self._pending) > self._max_pending:
            self._pending.popitem(last=False)
        if hits < self._min_hits:
            record_cache_event("shape_compile_cache.miss")
            return None
        compiled = self._factory(key)
        if len(self._compiled) >= self._max_compiled:
            self._compiled.popitem(last=False)
            record_cache_event("shape_compile_cache.evict")
        self._compiled[key] = compiled
        self._pending.pop(key, None)
        record_cache_event("shape_compile_cache.promote")
        return compiled

    def clear(self) -> None:
        self._pending.clear()
        self._compiled.clear()

    def cache_info(self) -> Dict[str, Any]:
        return {
            "min_hits": self._min_hits,
            "max_compiled_shapes": self._max_compiled,
            "max_pending_shapes": self._max_pending,
            "pending_shapes": len(self._pending),
            "compiled_shapes": len(self._compiled),
            "compiled_shape_keys": list(self._compiled.keys()),
        }
