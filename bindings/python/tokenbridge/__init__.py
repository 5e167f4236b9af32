"""tokenbridge: uContact, Yativo and AnnA clients over the tokenbridge C library.

>>> from tokenbridge import YativoClient, Config
>>> with YativoClient(YativoClient.PRODUCTION_URL, "acct", "secret") as y:  # doctest: +SKIP
...     print(y.login().expires_at)
...     y.with_options(timeout=5).token()    # a 5 s deadline
...     y.send(Request("GET", "wallet/balance", query={"currency": "USD"})).json()

asyncio: ``await client.aio.login()`` (every method; cancelling the task stops the
native call). Logging: ``tokenbridge.enable_logging()`` sends the library's records
to the ``tokenbridge`` logger.

The native library is found through ``TOKENBRIDGE_LIBRARY`` (a full path), else
inside or beside this package, else ``ctypes.util.find_library("tokenbridge")``.
"""

from __future__ import annotations

from . import _native
from ._native import LibraryNotFoundError
from ._logging import TRACE, disable_logging, enable_logging
from .clients import AnnaClient, AsyncClient, UContactClient, YativoClient
from .config import Config, Retries
from .errors import (
    CancelledError,
    WouldDeadlockError,
    HttpStatusError,
    InternalError,
    InvalidArgumentError,
    RejectedError,
    Status,
    TokenBridgeError,
    TransportConnectionError,
    TransportError,
    TransportTimeoutError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from .generic import HttpResponse, Request
from .webhook import SIGNATURE_HEADERS, WebhookVerificationError, YativoEvent, verify_webhook
from .models import (
    AccessData,
    AgentProfile,
    LoginKind,
    MessengerChannel,
    MessengerDepartment,
    MessengerFilter,
    MessengerRequest,
    MessengerStructure,
    RequestStatus,
    Response,
    TlsRoots,
    Token,
)

__version__ = "0.2.0"


def library_version() -> str:
    """The native library's version, ``MAJOR.MINOR.PATCH`` (``tb_version``)."""
    return str(_native.lib().tb_version().decode("utf-8"))


def library_version_number() -> int:
    """The native library's version as ``MAJOR*10000 + MINOR*100 + PATCH``."""
    return int(_native.lib().tb_version_number())


def status_name(status: int) -> str:
    """The C name of a status, e.g. ``"TB_REJECTED"`` (``tb_status_name``)."""
    return _native.status_name(status)


__all__ = [
    "AccessData",
    "AgentProfile",
    "AnnaClient",
    "AsyncClient",
    "Config",
    "HttpResponse",
    "HttpStatusError",
    "InternalError",
    "InvalidArgumentError",
    "LibraryNotFoundError",
    "LoginKind",
    "MessengerChannel",
    "MessengerDepartment",
    "MessengerFilter",
    "MessengerRequest",
    "MessengerStructure",
    "RejectedError",
    "Request",
    "RequestStatus",
    "Response",
    "Retries",
    "SIGNATURE_HEADERS",
    "Status",
    "TRACE",
    "TlsRoots",
    "Token",
    "TokenBridgeError",
    "TransportConnectionError",
    "TransportError",
    "TransportTimeoutError",
    "UContactClient",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "WebhookVerificationError",
    "CancelledError",
    "WouldDeadlockError",
    "YativoClient",
    "YativoEvent",
    "disable_logging",
    "enable_logging",
    "library_version",
    "library_version_number",
    "status_name",
    "verify_webhook",
]
