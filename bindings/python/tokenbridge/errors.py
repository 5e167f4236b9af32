"""Status codes and the exceptions raised for them."""

from __future__ import annotations

import enum
# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Type, Union


class Status(enum.IntEnum):
    """``tb_status``: the C ABI's status codes (fixed numbers)."""

    OK = 0
    INVALID_ARGUMENT = 1
    ABSENT = 2
    """Not a failure: a getter's field is not in the answer (read as ``None``)."""
    DNS = 10
    CONNECT = 11
    TLS = 12
    TIMEOUT = 13
    RESET = 14
    PROXY = 15
    PROTOCOL = 16
    IO = 17
    HTTP_STATUS = 20
    REJECTED = 21
    UNAUTHORIZED = 22
    UNEXPECTED_RESPONSE = 23
    CANCELLED = 24
    WOULD_DEADLOCK = 25
    PANIC = 99


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
            self.status.name if isinstance(self.status, Status) else self.status,
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


_CLASSES: Dict[int, Type[TokenBridgeError]] = {
    Status.INVALID_ARGUMENT: InvalidArgumentError,
    Status.DNS: TransportConnectionError,
    Status.CONNECT: TransportConnectionError,
    Status.TLS: TransportError,
    Status.TIMEOUT: TransportTimeoutError,
    Status.RESET: TransportConnectionError,
    Status.PROXY: TransportConnectionError,
    Status.PROTOCOL: TransportError,
    Status.IO: TransportError,
    Status.HTTP_STATUS: HttpStatusError,
    Status.REJECTED: RejectedError,
    Status.UNAUTHORIZED: UnauthorizedError,
    Status.UNEXPECTED_RESPONSE: UnexpectedResponseError,
    Status.CANCELLED: CancelledError,
    Status.WOULD_DEADLOCK: WouldDeadlockError,
    Status.PANIC: InternalError,
}


def error_class(status: int) -> Type[TokenBridgeError]:
    """The exception class for a status (the base class for an unknown one)."""
    return _CLASSES.get(status, TokenBridgeError)


def _status(status: int) -> Union[Status, int]:
    try:
        return Status(status)
    except ValueError:
        return status
