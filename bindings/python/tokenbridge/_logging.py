"""The library's log records into Python's :mod:`logging` (``tb_set_log_callback``)."""

from __future__ import annotations

import ctypes
import os
from _thread import allocate_lock  # threading.Lock: threading costs more than this package
# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from typing import Any, Optional

from . import _native

LOGGER_NAME = "tokenbridge"
TRACE = 5
"""The level of ``TB_LOG_TRACE`` records (below :data:`logging.DEBUG`)."""

# logging is imported when logging is enabled, not with the package (it costs more to
# import than this package); its levels are fixed numbers.
_ERROR, _WARNING, _INFO, _DEBUG = 40, 30, 20, 10  # logging.ERROR, WARNING, INFO, DEBUG

# tb_log_level -> logging level
_LEVELS = {1: _ERROR, 2: _WARNING, 3: _INFO, 4: _DEBUG, 5: TRACE}

_lock = allocate_lock()
_installed = False
_loggers: "dict[str, logging.Logger]" = {}


def _after_fork_in_child() -> None:
    # A thread of the parent may have held the lock at the fork; it is not here.
    global _lock
    _lock = allocate_lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _logger_for(target: str) -> logging.Logger:
    """``"tokenbridge::http"`` -> logger ``tokenbridge.http``; a library's module
    path such as ``"rustls::client"`` -> ``tokenbridge.rustls.client``."""
    logger = _loggers.get(target)
    if logger is None:
        import logging

        name = target.replace("::", ".")
        if name != LOGGER_NAME and not name.startswith(LOGGER_NAME + "."):
            name = LOGGER_NAME + "." + name
        logger = logging.getLogger(name)
        _loggers[target] = logger
    return logger


def _receive(user_data: Any, level: int, target: Any, target_len: int, message: Any, message_len: int) -> None:
    # Runs on whichever native thread made the record (ctypes takes the GIL). It
    # must never raise into the library, and calls no tb_ function.
    try:
        py_level = _LEVELS.get(level, _ERROR)
        where = ctypes.string_at(target, target_len).decode("utf-8", "replace") if target else LOGGER_NAME
        logger = _logger_for(where)
        if logger.isEnabledFor(py_level):
            text = ctypes.string_at(message, message_len).decode("utf-8", "replace") if message else ""
            logger.log(py_level, "%s", text)
    except BaseException:  # noqa: B902 - nothing may cross back into native code
        pass


# Kept alive for the whole process: the library may call it from any thread.
_CALLBACK = _native.LOG_CALLBACK(_receive)


def _max_level(level: int) -> int:
    if level <= TRACE:
        return 5
    if level <= _DEBUG:
        return 4
    if level <= _INFO:
        return 3
    if level <= _WARNING:
        return 2
    return 1


def enable_logging(level: Optional[int] = None) -> None:
    """Sends the library's log records to the ``tokenbridge`` logger and its
    children by target (``tokenbridge.http``; the libraries underneath as e.g.
    ``tokenbridge.rustls.client``).

    ``level`` (a :mod:`logging` level, e.g. ``logging.DEBUG``; :data:`TRACE` for
    everything, the wire dump included) is the most detailed level the library
    produces; ``None`` takes the ``tokenbridge`` logger's effective level now.
    Call again to change it. No record holds a password, secret or token.
    """
    global _installed
    import logging

    if level is None:
        level = logging.getLogger(LOGGER_NAME).getEffectiveLevel()
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError("level must be a logging level (int), not {}".format(type(level).__name__))
    lib = _native.lib()
    with _lock:
        _native.call(lib.tb_set_log_callback, _CALLBACK, _max_level(level), None,
                     names={"callback": "enable_logging", "max_level": "level"})
        if not _installed:
            import atexit

            atexit.register(disable_logging)
            _installed = True


def disable_logging() -> None:
    """Stops sending the library's log records (the default)."""
    if _native._lib is None:
        return
    with _lock:
        _native.call(_native.lib().tb_set_log_callback, _native.LOG_CALLBACK(), 0, None)
