"""The package's enums, made on first use (``import enum`` costs more than the rest
of the package): :class:`Status` (``tokenbridge.errors.Status``), and
:class:`LoginKind`, :class:`TlsRoots` and :class:`RequestStatus`
(``tokenbridge.models``). Their modules, and the package, hand them out by name
(PEP 562 ``__getattr__``); each keeps its public module as ``__module__``, so
``repr``, pickling and documentation are as before."""

from __future__ import annotations

import enum


class Status(enum.IntEnum):
    """``tb_status``: the C ABI's status codes (fixed numbers)."""

    __module__ = "tokenbridge.errors"

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


class LoginKind(enum.IntEnum):
    """How a uContact client logs in (``tb_ucontact_login_kind``)."""

    __module__ = "tokenbridge.models"

    API_USER = 0
    """``getUserToken``: an API user."""
    AGENT = 1
    """``AgentLogin``: an agent, whose profile comes back."""


class TlsRoots(enum.IntEnum):
    """Which certificate authorities are trusted (``tb_tls_roots``)."""

    __module__ = "tokenbridge.models"

    MOZILLA = 0
    """Mozilla's roots, bundled in the library (the default)."""
    OS = 1
    """The operating system's trust store."""


class RequestStatus(str, enum.Enum):
    """A messenger request's status: in a :class:`MessengerFilter`, which requests
    to count or list; in a :class:`MessengerRequest`, what the server said
    (:attr:`MessengerRequest.status_kind`). ``tb_messenger_status``."""

    __module__ = "tokenbridge.models"

    OPEN = "open"
    """Open (``A`` on the wire)."""
    CLOSED = "closed"
    """Closed (``E`` on the wire)."""
