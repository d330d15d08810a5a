"""Keep freed memory in the process between training steps (glibc's malloc thresholds).

A training step allocates the same temporaries every time (activations, gradients, their products)
and frees them at the end. By default glibc hands big freed blocks straight back to the operating
system (blocks of 128 KiB and more are separate memory maps, and the top of the heap is trimmed
past 128 KiB), so the next step maps them again and page-faults every page in: at 10,000 points that
was half of an MLP step, all of it kernel time. So, once, when the engine loads: big blocks come
from the heap instead of memory maps of their own, and the heap is never trimmed, so a step's
temporaries are reused by the next step, as a caching allocator reuses them. The process keeps the
memory of its largest step mapped (as PyTorch's caching GPU allocator does). Other platforms and C
libraries are left as they are; glibc still maps memory directly where the heap cannot grow.
"""

import ctypes
import ctypes.util
import sys

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_M_MMAP_MAX = -4
_MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value on 64-bit systems (for arenas of other threads)
_NEVER = -1  # M_TRIM_THRESHOLD = -1: never give the top of the heap back
_TOP_PAD = 16 << 20  # grow the heap in 16 MiB steps


def keep_freed_memory() -> bool:
    """Set glibc's malloc thresholds so that freed temporaries stay mapped; True if they were set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        and mallopt(_M_MMAP_MAX, 0)
        and mallopt(_M_TRIM_THRESHOLD, _NEVER)
        and mallopt(_M_TOP_PAD, _TOP_PAD)
    )
