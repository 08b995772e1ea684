"""What every benchmark script here shares: a median timer that keeps the garbage collector out."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any


def median_ms(fn: Callable[[], Any], reps: int) -> float:
    """Median wall milliseconds of ``reps`` calls of ``fn`` after one warm-up call (GC paused)."""
    fn()  # warm-up
    gc.disable()
    try:
        samples = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1000)
    finally:
        gc.enable()
    return statistics.median(samples)
