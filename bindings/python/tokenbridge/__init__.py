"""tokenbridge: uContact, Yativo and AnnA clients over the tokenbridge C library.

>>> from tokenbridge import YativoClient, Config
>>> with YativoClient(YativoClient.PRODUCTION_URL, "acct", "secret") as y:  # doctest: +SKIP
...     print(y.login().expires_at)

The native library is found through ``TOKENBRIDGE_LIBRARY`` (a full path), else
inside or beside this package, else ``ctypes.util.find_library("tokenbridge")``.
"""

from __future__ import annotations

from . import _native
from ._native import LibraryNotFoundError
from .clients import AnnaClient, UContactClient, YativoClient
from .config import Config, Retries
from .errors import (
    CancelledError,
    HttpStatusError,
    InternalError,
    InvalidArgumentError,
    RejectedError,
    Status,
    TokenBridgeError,
    TransportError,
    UnauthorizedError,
    UnexpectedResponseError,
)
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
    "Config",
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
    "RequestStatus",
    "Response",
    "Retries",
    "Status",
    "TlsRoots",
    "Token",
    "TokenBridgeError",
    "TransportError",
    "UContactClient",
    "UnauthorizedError",
    "UnexpectedResponseError",
    "CancelledError",
    "YativoClient",
    "library_version",
    "library_version_number",
    "status_name",
]
