"""Status codes and the exceptions raised for them."""

from __future__ import annotations

# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Type, Union

    from ._enums import Status


# Status (an IntEnum) is made on first use, by _enums: `import enum` costs more than
# this package. The package itself passes these numbers (Status members once made);
# tests/test_tokenbridge.py checks them against Status.
_OK = 0  # Status.OK
_INVALID_ARGUMENT = 1  # Status.INVALID_ARGUMENT
_ABSENT = 2  # Status.ABSENT
_PANIC = 99  # Status.PANIC


if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all
    from . import _lazy

    # PEP 562: Status on first use.
    __getattr__ = _lazy.getattr_for(__name__, __package__, {"Status": "_enums"}, globals())


class TokenBridgeError(Exception):
    """A call into tokenbridge failed.

    Attributes:
        status: the :class:`Status` (a plain ``int`` if this binding does not know it).
        message: the library's message (never holds a password, secret or token).
        http_status: the HTTP status of the answer, or ``None`` when there was none.
        vendor_message: the API's own message (for :class:`RejectedError`), or ``None``.
    """

    def __init__(
        self,
        message: str,
        status: int,
        http_status: Optional[int] = None,
        vendor_message: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status: Union[Status, int] = _status(status)
        self.http_status = http_status
        self.vendor_message = vendor_message

    def __repr__(self) -> str:
        return "{}({!r}, status={}, http_status={!r}, vendor_message={!r})".format(
            type(self).__name__,
            self.message,
            getattr(self.status, "name", self.status),  # a Status, or an unknown int
            self.http_status,
            self.vendor_message,
        )


class InvalidArgumentError(TokenBridgeError, ValueError):
    """A bad argument or setting (the message names it); nothing was sent."""


class TransportError(TokenBridgeError):
    """No HTTP answer: DNS, connect, TLS, timeout, reset, proxy, protocol or I/O
    failure (see :attr:`status`). Timeouts are also :class:`TimeoutError`s, and
    connection failures :class:`ConnectionError`s (see the subclasses)."""


class TransportTimeoutError(TransportError, TimeoutError):
    """A timeout ran out (``TB_TIMEOUT``): a ``Config`` timeout, or the call's
    deadline (``with_options(timeout=...)``). Also a built-in :class:`TimeoutError`."""


class TransportConnectionError(TransportError, ConnectionError):
    """No connection: DNS, connect refused, reset or closed early, or the proxy
    (``TB_DNS``, ``TB_CONNECT``, ``TB_RESET``, ``TB_PROXY``). Also a built-in
    :class:`ConnectionError`."""


class HttpStatusError(TokenBridgeError):
    """The server answered an unexpected HTTP status (see :attr:`http_status`)."""


class RejectedError(TokenBridgeError):
    """The API said no; :attr:`vendor_message` holds its own words."""


class UnauthorizedError(TokenBridgeError):
    """HTTP 401, even after logging in again once."""


class UnexpectedResponseError(TokenBridgeError):
    """The answer could not be understood."""


class CancelledError(TokenBridgeError):
    """The call was cancelled through its cancellation token (``TB_CANCELLED``).

    The asyncio face (``client.aio``) raises :class:`asyncio.CancelledError`
    instead when its task is cancelled."""


class WouldDeadlockError(TokenBridgeError):
    """The call was made from inside the same client's login on the same thread (a
    logging handler calling the client back) and needed the token that login is
    getting (``TB_WOULD_DEADLOCK``). It fails at once instead of waiting for itself;
    nothing was sent and the login goes on. Call again after the handler returned."""


class InternalError(TokenBridgeError):
    """An internal error in the library (a bug); the client stays usable."""


# By Status name: the numbers are Status's.
_CLASSES: Dict[str, Type[TokenBridgeError]] = {
    "INVALID_ARGUMENT": InvalidArgumentError,
    "DNS": TransportConnectionError,
    "CONNECT": TransportConnectionError,
    "TLS": TransportError,
    "TIMEOUT": TransportTimeoutError,
    "RESET": TransportConnectionError,
    "PROXY": TransportConnectionError,
    "PROTOCOL": TransportError,
    "IO": TransportError,
    "HTTP_STATUS": HttpStatusError,
    "REJECTED": RejectedError,
    "UNAUTHORIZED": UnauthorizedError,
    "UNEXPECTED_RESPONSE": UnexpectedResponseError,
    "CANCELLED": CancelledError,
    "WOULD_DEADLOCK": WouldDeadlockError,
    "PANIC": InternalError,
}


def error_class(status: int) -> Type[TokenBridgeError]:
    """The exception class for a status (the base class for an unknown one)."""
    known = _status(status)
    name = getattr(known, "name", None)
    return _CLASSES.get(name, TokenBridgeError) if name else TokenBridgeError


def _status(status: int) -> Union[Status, int]:
    from ._enums import Status

    try:
        return Status(status)
    except ValueError:
        return status
