"""Gradient recording switches: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

As in ``torch/autograd/grad_mode.py``, each works as a context manager and as a decorator, and the
switch is thread-local: the playground trains in a worker thread while the GUI thread may evaluate
the model under ``no_grad``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

__all__ = ["enable_grad", "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled"]


class _State(threading.local):
    enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    """True if operations in this thread are being recorded for backward."""
    return _state.enabled


class _GradMode:
    """Base of the switches: a context manager that is also a decorator."""

    mode = True

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> _GradMode:
        return self.__class__()


class no_grad(_GradMode):
    """Context manager / decorator that stops recording operations (``torch.no_grad``)."""

    mode = False

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # used bare, as ``@no_grad``


class enable_grad(_GradMode):
    """Context manager / decorator that turns recording back on inside ``no_grad`` (``torch.enable_grad``)."""

    mode = True

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class inference_mode(_GradMode):
    """Same as ``no_grad`` in this engine."""

    def __init__(self, mode: bool = True):
        self.mode = not mode

    def __call__(self, fn: _F) -> _F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _state.enabled
            _state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _state.enabled = prev

        return wrapper  # type: ignore[return-value]


class set_grad_enabled(_GradMode):
    """Turn recording on or off: immediately, and as a context manager restoring the previous mode on exit."""

    def __init__(self, mode: bool):
        self._prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev

    def __call__(self, fn: _F) -> _F:
        _state.enabled = self._prev
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> set_grad_enabled:
        return self.__class__(self.mode)
