"""Typed results (dataclasses) built from the library's JSON answers."""

from __future__ import annotations

import datetime as _dt
import enum
import json as _json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Union


def expiry(unix_seconds: int) -> Optional[_dt.datetime]:
    """An expiry from the C ABI (Unix seconds, 0 when unknown) as an aware datetime."""
    if unix_seconds == 0:
        return None
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
        return _json.loads(self.body)


class LoginKind(enum.IntEnum):
    """How a uContact client logs in (``tb_ucontact_login_kind``)."""

    API_USER = 0
    """``getUserToken``: an API user."""
    AGENT = 1
    """``AgentLogin``: an agent, whose profile comes back."""


class TlsRoots(enum.IntEnum):
    """Which certificate authorities are trusted (``tb_tls_roots``)."""

    MOZILLA = 0
    """Mozilla's roots, bundled in the library (the default)."""
    OS = 1
    """The operating system's trust store."""


class RequestStatus(str, enum.Enum):
    """A messenger request's status, for :class:`MessengerFilter`."""

    OPEN = "open"
    CLOSED = "closed"


def _text(m: Mapping[str, Any], key: str) -> Optional[str]:
    v = m.get(key)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (str, int, float)):
        return str(v)
    return None


def _integer(m: Mapping[str, Any], key: str) -> Optional[int]:
    v = m.get(key)
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(v.strip())
        except ValueError:
            return None
    return None


_PROFILE_TEXT_FIELDS = (
    "name", "fullname", "host", "nat", "accountcode", "callgroup", "callerid",
    "canreinvite", "context", "dtmfmode", "insecure", "language", "mailbox",
    "pickupgroup", "qualify", "disallow", "allow", "port", "defaultuser",
    "subscribecontext", "record", "email", "phonetype", "transport", "encryption",
    "did", "outboundproxy",
)
_PROFILE_KNOWN = frozenset(
    _PROFILE_TEXT_FIELDS + ("id", "type", "LogLevel", "limite", "token", "secret", "md5secret")
)


@dataclass(frozen=True)
class AgentProfile:
    """An agent's SIP profile from ``AgentLogin`` (without ``secret``/``md5secret``).

    Published fields are typed (text fields as ``str``, numbers written out);
    ``extra`` holds the fields the vendor does not publish; ``raw`` is the whole
    object as the library returned it. ``token``, ``extra`` and ``raw`` are left out
    of ``repr()``.
    """

    token: str = field(repr=False)
    id: Optional[int] = None
    name: Optional[str] = None
    fullname: Optional[str] = None
    host: Optional[str] = None
    nat: Optional[str] = None
    accountcode: Optional[str] = None
    callgroup: Optional[str] = None
    callerid: Optional[str] = None
    canreinvite: Optional[str] = None
    context: Optional[str] = None
    dtmfmode: Optional[str] = None
    insecure: Optional[str] = None
    language: Optional[str] = None
    mailbox: Optional[str] = None
    pickupgroup: Optional[str] = None
    qualify: Optional[str] = None
    disallow: Optional[str] = None
    allow: Optional[str] = None
    port: Optional[str] = None
    defaultuser: Optional[str] = None
    subscribecontext: Optional[str] = None
    record: Optional[str] = None
    email: Optional[str] = None
    phonetype: Optional[str] = None
    transport: Optional[str] = None
    encryption: Optional[str] = None
    did: Optional[str] = None
    outboundproxy: Optional[str] = None
    kind: Optional[str] = None
    """``type``."""
    log_level: Optional[str] = None
    """``LogLevel``."""
    limite: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, text: str) -> "AgentProfile":
        raw = _json.loads(text)
        if not isinstance(raw, dict):
            raw = {}
        fields: Dict[str, Any] = {k: _text(raw, k) for k in _PROFILE_TEXT_FIELDS}
        return cls(
            token=_text(raw, "token") or "",
            id=_integer(raw, "id"),
            kind=_text(raw, "type"),
            log_level=_text(raw, "LogLevel"),
            limite=_integer(raw, "limite"),
            extra={k: v for k, v in raw.items() if k not in _PROFILE_KNOWN},
            raw=raw,
            **fields,
        )


@dataclass(frozen=True)
class AccessData:
    """A user's chat access, from ``UserHash`` / ``UserHashForced``.

    ``expires`` is a naive datetime in the server's local time (AnnA gives no zone),
    or ``None`` when it could not be read; ``expires_raw`` is what the server wrote.
    ``hash`` (a credential) is left out of ``repr()``; so are the URLs, which may
    carry it.
    """

    hash: str = field(repr=False)
    chat_url: str = field(repr=False)
    embedded_url: str = field(repr=False)
    expires: Optional[_dt.datetime]
    expires_raw: str

    @classmethod
    def from_json(cls, text: str) -> "AccessData":
        d = _json.loads(text)
        expires = d.get("expires")
        return cls(
            hash=d.get("hash") or "",
            chat_url=d.get("chat_url") or "",
            embedded_url=d.get("embedded_url") or "",
            expires=_dt.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%S") if expires else None,
            expires_raw=d.get("expires_raw") or "",
        )


@dataclass(frozen=True)
class MessengerChannel:
    """A channel of a department."""

    alias: str
    name: str


@dataclass(frozen=True)
class MessengerDepartment:
    """A department and its channels."""

    alias: str
    name: str
    channels: List[MessengerChannel]


@dataclass(frozen=True)
class MessengerStructure:
    """The messenger's structure: the company and its departments. ``raw`` is the
    ``structure`` object as AnnA sent it."""

    companies_hash: str
    companies_name: str
    departments: List[MessengerDepartment]
    raw: Any = field(repr=False)

    @classmethod
    def from_json(cls, text: str) -> "MessengerStructure":
        d = _json.loads(text)
        return cls(
            companies_hash=d.get("companies_hash") or "",
            companies_name=d.get("companies_name") or "",
            departments=[
                MessengerDepartment(
                    alias=dep.get("alias") or "",
                    name=dep.get("name") or "",
                    channels=[
                        MessengerChannel(alias=ch.get("alias") or "", name=ch.get("name") or "")
                        for ch in dep.get("channels") or []
                    ],
                )
                for dep in d.get("departments") or []
            ],
            raw=d.get("raw"),
        )


@dataclass(frozen=True)
class MessengerRequest:
    """One of a user's messenger requests. The vendor does not publish the field
    names; the library finds the known ones and ``raw`` keeps the item as sent.
    ``link`` (which may carry an access hash) and ``raw`` are left out of ``repr()``."""

    department: Optional[str]
    channel: Optional[str]
    description: Optional[str]
    opened_at: Optional[str]
    protocol: Optional[str]
    status: Optional[str]
    pending: Optional[bool]
    link: Optional[str] = field(repr=False)
    raw: Any = field(repr=False)

    @classmethod
    def list_from_json(cls, text: str) -> List["MessengerRequest"]:
        d = _json.loads(text)
        return [
            cls(
                department=item.get("department"),
                channel=item.get("channel"),
                description=item.get("description"),
                opened_at=item.get("opened_at"),
                protocol=item.get("protocol"),
                status=item.get("status"),
                pending=item.get("pending"),
                link=item.get("link"),
                raw=item.get("raw"),
            )
            for item in d.get("items") or []
        ]


DateLike = Union[_dt.date, str]


@dataclass(frozen=True)
class MessengerFilter:
    """Filters for the messenger counter and requests; ``None`` means no filter.

    Dates are :class:`datetime.date` (or text the library accepts: ``yyyy-MM-dd``
    or ``dd/MM/yyyy``); ``status`` is :class:`RequestStatus` or ``"open"``/``"closed"``.
    """

    department_alias: Optional[str] = None
    channel_alias: Optional[str] = None
    date_from: Optional[DateLike] = None
    date_to: Optional[DateLike] = None
    status: Optional[Union[RequestStatus, str]] = None
    pending: Optional[bool] = None

    def to_json(self) -> str:
        """The ``filter_json`` the C ABI takes (only the keys that are set)."""
        out: Dict[str, Any] = {}
        if self.department_alias is not None:
            out["department_alias"] = self.department_alias
        if self.channel_alias is not None:
            out["channel_alias"] = self.channel_alias
        if self.date_from is not None:
            out["date_from"] = _date_text(self.date_from)
        if self.date_to is not None:
            out["date_to"] = _date_text(self.date_to)
        if self.status is not None:
            s = self.status
            out["status"] = s.value if isinstance(s, RequestStatus) else s
        if self.pending is not None:
            out["pending"] = self.pending
        return _json.dumps(out, ensure_ascii=False)


def _date_text(d: DateLike) -> Any:
    if isinstance(d, _dt.datetime):
        return d.date().isoformat()
    if isinstance(d, _dt.date):
        return d.isoformat()
    return d
