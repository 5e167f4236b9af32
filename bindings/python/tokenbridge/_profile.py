"""``tokenbridge.models.AgentProfile``, in a module of its own so that it is made on
first use (models.py's ``__getattr__``): a cold start that never logs an agent in
does not pay for it. It keeps ``tokenbridge.models`` as its ``__module__``."""

from __future__ import annotations

from ctypes import c_int64

# typing only for annotations (strings here, never evaluated) and type checkers,
# which also see the standard dataclass decorator (see models.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import dataclass, field
    from typing import Any, Dict, Optional, Tuple
else:
    from ._dataclass import dataclass, field

from . import _native


# The published fields: the wire name, and the attribute of AgentProfile that holds
# it. Each text field has its getter tb_agent_profile_<wire name in lower case>;
# `id` and `limite` have typed ones.
_AGENT_FIELDS: Tuple[Tuple[str, str], ...] = (
    ("id", "id"), ("name", "name"), ("host", "host"), ("nat", "nat"), ("type", "kind"),
    ("accountcode", "accountcode"), ("callgroup", "callgroup"), ("callerid", "callerid"),
    ("canreinvite", "canreinvite"), ("context", "context"), ("dtmfmode", "dtmfmode"),
    ("insecure", "insecure"), ("language", "language"), ("mailbox", "mailbox"),
    ("pickupgroup", "pickupgroup"), ("qualify", "qualify"), ("disallow", "disallow"),
    ("allow", "allow"), ("port", "port"), ("defaultuser", "defaultuser"),
    ("subscribecontext", "subscribecontext"), ("record", "record"), ("email", "email"),
    ("phonetype", "phonetype"), ("transport", "transport"), ("encryption", "encryption"),
    ("did", "did"), ("outboundproxy", "outboundproxy"), ("fullname", "fullname"),
    ("LogLevel", "log_level"), ("limite", "limite"), ("token", "token"),
)
_AGENT_PUBLISHED = frozenset(wire for wire, _ in _AGENT_FIELDS)
_AGENT_NUMBERS = frozenset(("id", "limite"))


@dataclass(frozen=True)
class AgentProfile:
    """An agent's SIP profile from ``AgentLogin`` (never ``secret``/``md5secret``:
    the library keeps them out of reach).

    The published fields are attributes (text as ``str``, ``id`` and ``limite`` as
    ``int``; ``None`` when the server did not send one); :attr:`fields` holds every
    field as sent, values as text (numbers and booleans as their JSON text), and
    :meth:`get` reads one by its wire name; :attr:`extra` holds the ones the vendor
    does not publish; :attr:`raw` is the profile as the server sent it. ``token``,
    ``fields``, ``extra`` and ``raw`` are left out of ``repr()``.
    """

    __module__ = "tokenbridge.models"  # where it is published (made here on first use)

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
    fields: Dict[str, str] = field(default_factory=dict, repr=False)
    """Every field the server sent (but ``secret``/``md5secret``), by wire name, in
    the order ``tb_agent_profile_field_at`` gives them; values as text."""
    extra: Dict[str, str] = field(default_factory=dict, repr=False)
    """The fields the vendor does not publish, as in :attr:`fields`."""
    _raw_json: str = field(default="", repr=False, compare=False)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """Any field by its wire name (exact case, e.g. ``"LogLevel"``), as text."""
        return self.fields.get(name, default)

    @property
    def raw(self) -> Dict[str, Any]:
        """The profile as the server sent it (without ``secret``/``md5secret``),
        parsed from the library's raw JSON (an escape hatch; it holds the token)."""
        value = _native.json_text(self._raw_json)
        return value if isinstance(value, dict) else {}

    @classmethod
    def _read(cls, lib: Any, p: Any) -> "AgentProfile":
        """Copies a live ``tb_agent_profile`` (the caller frees it)."""
        values: Dict[str, Any] = {}
        for wire, attr in _AGENT_FIELDS:
            getter = getattr(lib, "tb_agent_profile_" + wire.lower())
            if wire in _AGENT_NUMBERS:
                values[attr] = _native.value(getter, p, out=c_int64(0))
            else:
                values[attr] = _native.lent(getter, p)
        fields = _native.lent_fields(int(lib.tb_agent_profile_field_count(p)), lib.tb_agent_profile_field_at, p)
        values["token"] = values["token"] or ""
        return cls(
            fields=fields,
            extra={k: v for k, v in fields.items() if k not in _AGENT_PUBLISHED},
            _raw_json=_native.lent(lib.tb_agent_profile_raw_json, p) or "",
            **values,
        )
