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
from .clients import AnnaClient, AsyncClient, YativoClient
from .config import Config, Retries
from .errors import (
    CancelledError,
    WouldDeadlockError,
    HttpStatusError,
    InternalError,
    InvalidArgumentError,
    RejectedError,
    TokenBridgeError,
    TransportConnectionError,
    TransportError,
    TransportTimeoutError,
    UnauthorizedError,
    UnexpectedResponseError,
)
from .models import Response, Token

# Made or imported on first use (PEP 562): the enums (`import enum` costs more than
# the rest of the package), the answers a cold start seldom needs, generic calls,
# logging and the webhook check. Type checkers see them imported.
_LAZY = {
    "TRACE": "_logging",
    "disable_logging": "_logging",
    "enable_logging": "_logging",
    "Status": "errors",
    "HttpResponse": "generic",
    "Request": "generic",
    "UContactClient": "clients",
    "AccessData": "models",
    "AgentProfile": "models",
    "MessengerChannel": "models",
    "MessengerDepartment": "models",
    "MessengerFilter": "models",
    "MessengerRequest": "models",
    "MessengerStructure": "models",
    "LoginKind": "models",
    "RequestStatus": "models",
    "TlsRoots": "models",
    "SIGNATURE_HEADERS": "webhook",
    "WebhookVerificationError": "webhook",
    "YativoEvent": "webhook",
    "verify_webhook": "webhook",
}
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._logging import TRACE, disable_logging, enable_logging
    from .clients import UContactClient
    from .errors import Status
    from .generic import HttpResponse, Request
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
        TlsRoots,
    )
    from .webhook import SIGNATURE_HEADERS, WebhookVerificationError, YativoEvent, verify_webhook


if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all
    from . import _lazy

    __getattr__ = _lazy.getattr_for(__name__, __package__, _LAZY, globals())


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LAZY))


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
