"""Typed results (dataclasses) read from the library's answer handles.

Each answer (``tb_agent_profile``, ``tb_access_data``, ``tb_messenger_structure``,
``tb_messenger_requests``) is read field by field through its C accessors and copied
into plain Python values before the handle is freed; no JSON crosses into these
classes. The ``raw`` properties are the one escape hatch: the ``*_raw_json`` text,
kept as it came and parsed with :mod:`json` only when asked for.
"""

from __future__ import annotations

# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module. They also see the standard dataclass
# decorator; at run time it is _dataclass's, which makes the same classes without
# importing dataclasses (and inspect) until someone looks at their fields.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt
    from dataclasses import dataclass, field
    from typing import Any, Optional

    from ._enums import LoginKind, RequestStatus, TlsRoots  # noqa: F401 - handed out by __getattr__
    from ._messenger import (  # noqa: F401 - handed out by __getattr__
        AccessData,
        MessengerChannel,
        MessengerDepartment,
        MessengerFilter,
        MessengerRequest,
        MessengerStructure,
    )
    from ._profile import AgentProfile  # noqa: F401 - handed out by __getattr__
else:
    from ._dataclass import dataclass, field

from . import _native


def expiry(unix_seconds: int) -> Optional[_dt.datetime]:
    """An expiry from the C ABI (Unix seconds, 0 when unknown) as an aware datetime."""
    if unix_seconds == 0:
        return None
    try:
        # The C module whose types datetime hands out (the same objects): datetime
        # itself first runs its pure-Python twin, at 7 times the cost.
        import _datetime as _dt  # type: ignore
    except ImportError:  # an interpreter without it
        import datetime as _dt  # type: ignore[no-redef]

    return _dt.datetime.fromtimestamp(unix_seconds, tz=_dt.timezone.utc)


@dataclass(frozen=True)
class Token:
    """A bearer token and when it expires.

    ``expires_at`` is an aware (UTC) datetime, or ``None`` when the API did not say.
    The token is left out of ``repr()``.
    """

    token: str = field(repr=False)
    expires_at: Optional[_dt.datetime]


@dataclass(frozen=True)
class Response:
    """What a generic ``call`` returned: any HTTP status but 401, and the body.
    The body (which may hold a token) is left out of ``repr()``."""

    status: int
    body: str = field(repr=False)

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body parsed as JSON."""
        import json as _json  # here, not with the package: most callers never need it
        return _json.loads(self.body)


# Made on first use (PEP 562 __getattr__ below): the enums (`import enum` costs
# more than this module) and the answers a cold start seldom needs, in modules of
# their own; each keeps this module as its __module__.
_LAZY = {
    "LoginKind": "_enums",
    "TlsRoots": "_enums",
    "RequestStatus": "_enums",
    "AgentProfile": "_profile",
    "_AGENT_FIELDS": "_profile",
    "_AGENT_PUBLISHED": "_profile",
    "_AGENT_NUMBERS": "_profile",
    "AccessData": "_messenger",
    "MessengerChannel": "_messenger",
    "MessengerDepartment": "_messenger",
    "MessengerStructure": "_messenger",
    "MessengerRequest": "_messenger",
    "MessengerFilter": "_messenger",
    "_STATUS_C": "_messenger",
    "_STATUS_PY": "_messenger",
    "_PENDING_C": "_messenger",
    "_PENDING_PY": "_messenger",
    "_FILTER_KEYS": "_messenger",
    "_datetime": "_messenger",
    "_status_kind": "_messenger",
}


if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all
    from . import _lazy

    __getattr__ = _lazy.getattr_for(__name__, __package__, _LAZY, globals())
