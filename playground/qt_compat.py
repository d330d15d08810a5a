"""Keep CPython alive under PySide6 builds that drop references to ``None``, ``True`` and ``False``.

PySide6 6.12 returns ``None`` from void methods (``widget.update()``, ``label.setText(...)``) and
``True`` from ``Signal.emit`` without taking a reference. On Python 3.12 and later these objects are
immortal and nothing happens; on Python 3.11 every such call lowers their reference count, and after a
few thousand calls CPython aborts with "Fatal Python error: none_dealloc: deallocating None".

:func:`protect` checks whether the installed PySide6 behaves like that and, if so, gives the three
objects the immortality that Python 3.12 gives them (a reference count no program can exhaust).
Importing this module applies it; every Qt module of the app imports it first.
"""

from __future__ import annotations

import ctypes
import sys

#: Added to the reference counts: 2**40 leaked references would take years at thousands a second.
_IMMORTAL = 1 << 40
_SINGLETONS = (None, True, False)

applied = False


def pyside_drops_references() -> bool:
    """True if a void PySide6 call lowers ``None``'s reference count."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    return sys.getrefcount(None) <= before - 32


def protect() -> bool:
    """Make ``None``, ``True`` and ``False`` immortal if this PySide6 needs it; True if it did."""
    global applied
    if applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False  # already immortal
    if not pyside_drops_references():
        return False
    for obj in _SINGLETONS:
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is a PyObject's first field
        if count.value < _IMMORTAL:
            count.value += _IMMORTAL
    applied = True
    return True


protect()
