"""The AnnA answers of ``tokenbridge.models`` (:class:`AccessData`, the messenger's
structure, requests and filter), in a module of their own so that they are made on
first use (models.py's ``__getattr__``): a cold start that only counts alerts does
not pay for them. Each keeps ``tokenbridge.models`` as its ``__module__``."""

from __future__ import annotations

from ctypes import byref, c_int32

# typing only for annotations (strings here, never evaluated) and type checkers,
# which also see the standard dataclass decorator (see models.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt
    from dataclasses import dataclass, field
    from typing import Any, Dict, List, Optional

    from ._enums import RequestStatus
else:
    from ._dataclass import dataclass, field

from . import _native
from .errors import _INVALID_ARGUMENT, InvalidArgumentError

# tb_messenger_status numbers (0, TB_MESSENGER_STATUS_NONE, is None here).
# Keyed by RequestStatus's values, which its members equal.
_STATUS_C = {"open": 1, "closed": 2}
_STATUS_PY = {v: k for k, v in _STATUS_C.items()}
# tb_messenger_pending numbers (0, TB_MESSENGER_PENDING_NONE, is None here).
_PENDING_C = {True: 1, False: 2}
_PENDING_PY = {v: k for k, v in _PENDING_C.items()}


def _datetime(d: "_native.TbDatetime") -> Optional[_dt.datetime]:
    """A ``tb_datetime`` as a naive datetime (a leap second is the next second)."""
    import datetime as _dt  # here: most of the package never needs it

    try:
        if d.second == 60:
            return _dt.datetime(d.year, d.month, d.day, d.hour, d.minute, 59) + _dt.timedelta(seconds=1)
        return _dt.datetime(d.year, d.month, d.day, d.hour, d.minute, d.second)
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class AccessData:
    """A user's chat access, from ``UserHash`` / ``UserHashForced``.

    ``expires`` is a naive datetime in the server's local time (AnnA gives no zone),
    or ``None`` when the server wrote something else; ``expires_raw`` is what the
    server wrote (normally ``YYYYMMDDhhmmss``). ``hash`` (a credential) is left out
    of ``repr()``; so are the URLs, which carry it.
    """

    __module__ = "tokenbridge.models"  # where it is published (made here on first use)

    hash: str = field(repr=False)
    chat_url: str = field(repr=False)
    embedded_url: str = field(repr=False)
    expires: Optional[_dt.datetime]
    expires_raw: str

    @classmethod
    def _read(cls, lib: Any, d: Any) -> "AccessData":
        """Copies a live ``tb_access_data`` (the caller frees it)."""
        when = _native.TbDatetime()
        return cls(
            hash=_native.lent(lib.tb_access_data_hash, d) or "",
            chat_url=_native.lent(lib.tb_access_data_chat_url, d) or "",
            embedded_url=_native.lent(lib.tb_access_data_embedded_url, d) or "",
            expires=_datetime(when) if _native.present(lib.tb_access_data_expires(d, byref(when))) else None,
            expires_raw=_native.lent(lib.tb_access_data_expires_raw, d) or "",
        )


@dataclass(frozen=True)
class MessengerChannel:
    """A channel of a department; ``alias`` is what a :class:`MessengerFilter` takes."""

    __module__ = "tokenbridge.models"  # where it is published (made here on first use)

    alias: str
    name: str


@dataclass(frozen=True)
class MessengerDepartment:
    """A department and its channels; ``alias`` is what a :class:`MessengerFilter` takes."""

    __module__ = "tokenbridge.models"  # where it is published (made here on first use)

    alias: str
    name: str
    channels: List[MessengerChannel]


@dataclass(frozen=True)
class MessengerStructure:
    """The messenger's structure: the company and its departments. ``raw`` is the
    ``structure`` object as AnnA sent it. ``companies_hash`` (a credential) and
    ``raw`` (which holds it) are left out of ``repr()``."""

    __module__ = "tokenbridge.models"  # where it is published (made here on first use)

    companies_hash: str = field(repr=False)
    companies_name: str
    departments: List[MessengerDepartment]
    _raw_json: str = field(default="", repr=False, compare=False)

    @property
    def raw(self) -> Any:
        """The ``structure`` object as AnnA sent it, parsed from the library's raw
        JSON (an escape hatch)."""
        return _native.json_text(self._raw_json)

    @classmethod
    def _read(cls, lib: Any, s: Any) -> "MessengerStructure":
        """Copies a live ``tb_messenger_structure`` (the caller frees it)."""
        departments = []
        for d in range(int(lib.tb_messenger_structure_department_count(s))):
            alias, name = _native.lent_pair(lib.tb_messenger_structure_department, s, d)
            channels = []
            for k in range(int(lib.tb_messenger_structure_channel_count(s, d))):
                ch_alias, ch_name = _native.lent_pair(lib.tb_messenger_structure_channel, s, d, k)
                channels.append(MessengerChannel(alias=ch_alias or "", name=ch_name or ""))
            departments.append(MessengerDepartment(alias=alias or "", name=name or "", channels=channels))
        return cls(
            companies_hash=_native.lent(lib.tb_messenger_structure_companies_hash, s) or "",
            companies_name=_native.lent(lib.tb_messenger_structure_companies_name, s) or "",
            departments=departments,
            _raw_json=_native.lent(lib.tb_messenger_structure_raw_json, s) or "",
        )


@dataclass(frozen=True)
class MessengerRequest:
    """One of a user's messenger requests. AnnA does not publish the field names:
    the library finds the known ones under their likely spellings; :attr:`fields`
    and :meth:`get` reach every field as sent.

    ``status`` is the text the server wrote (e.g. ``"A"``), ``status_kind`` the
    same as a :class:`RequestStatus` (``None`` when not sent or another word);
    ``pending`` whether it awaits the user's answer (``None``: the server did not
    say). ``link`` (which may carry an access hash), ``fields`` and ``raw`` are left
    out of ``repr()``.
    """

    __module__ = "tokenbridge.models"  # where it is published (made here on first use)

    department: Optional[str]
    channel: Optional[str]
    description: Optional[str]
    opened_at: Optional[str]
    protocol: Optional[str]
    status: Optional[str]
    pending: Optional[bool]
    link: Optional[str] = field(repr=False)
    status_kind: Optional[RequestStatus] = None
    fields: Dict[str, str] = field(default_factory=dict, repr=False)
    """Every field of the item by wire name, in the order
    ``tb_messenger_requests_field_at`` gives them; values as text (numbers,
    booleans, objects and arrays as their JSON text)."""
    _raw_json: str = field(default="", repr=False, compare=False)
    _index: int = field(default=0, repr=False, compare=False)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """Any field by its wire name (exact case, e.g. ``"DepartmentAlias"``)."""
        return self.fields.get(name, default)

    @property
    def raw(self) -> Any:
        """The item as AnnA sent it, parsed from the library's raw JSON (an escape
        hatch)."""
        items = _native.json_text(self._raw_json)
        return items[self._index] if isinstance(items, list) and self._index < len(items) else None

    @classmethod
    def _read_list(cls, lib: Any, list_: Any) -> List["MessengerRequest"]:
        """Copies every item of a live ``tb_messenger_requests`` (the caller frees it)."""
        raw_json = _native.lent(lib.tb_messenger_requests_raw_json, list_) or ""
        out = []
        for i in range(int(lib.tb_messenger_requests_count(list_))):
            def text(name: str) -> Optional[str]:
                return _native.lent(getattr(lib, "tb_messenger_requests_" + name), list_, i)

            kind = _status_kind(_native.value(lib.tb_messenger_requests_status, list_, i, out=c_int32(0)))
            pending = _native.value(lib.tb_messenger_requests_pending, list_, i, out=c_int32(0))
            out.append(cls(
                department=text("department"),
                channel=text("channel"),
                description=text("description"),
                opened_at=text("opened_at"),
                protocol=text("protocol"),
                status=text("status_raw"),
                pending=_PENDING_PY.get(pending),
                link=text("link"),
                status_kind=kind,
                fields=_native.lent_fields(
                    int(lib.tb_messenger_requests_field_count(list_, i)),
                    lib.tb_messenger_requests_field_at, list_, i,
                ),
                _raw_json=raw_json,
                _index=i,
            ))
        return out


def _status_kind(number: Optional[int]) -> Optional[RequestStatus]:
    """A ``tb_messenger_status`` as a RequestStatus (``None`` for none)."""
    value = _STATUS_PY.get(number)  # type: ignore[arg-type]
    if value is None:
        return None
    from ._enums import RequestStatus

    return RequestStatus(value)


_FILTER_KEYS = ("department_alias", "channel_alias", "date_from", "date_to", "status", "pending")


@dataclass(frozen=True)
class MessengerFilter:
    """Which requests the messenger counter and requests take; every field left at
    ``None`` lets everything through.

    Args:
        department_alias, channel_alias: a department's / channel's ``alias`` (see
            :meth:`AnnaClient.messenger_structure`).
        date_from, date_to: :class:`datetime.date` bounds, both included (a
            :class:`datetime.datetime` counts by its date).
        status: :class:`RequestStatus` (or ``"open"`` / ``"closed"``).
        pending: ``True``: only requests awaiting the user's answer; ``False``:
            only those that do not.

    Checked when made (the library's rules, e.g. ``date_from`` not after
    ``date_to``): a wrong type is a :class:`TypeError`, a wrong value an
    :class:`InvalidArgumentError`, each naming the argument. A client's messenger
    calls also take the same keywords as a ``dict``.
    """

    __module__ = "tokenbridge.models"  # where it is published (made here on first use)

    department_alias: Optional[str] = None
    channel_alias: Optional[str] = None
    date_from: Optional[_dt.date] = None
    date_to: Optional[_dt.date] = None
    status: Optional[RequestStatus] = None
    pending: Optional[bool] = None

    def __post_init__(self) -> None:
        import datetime as _dt  # here: most of the package never needs it

        from ._enums import RequestStatus

        status = self.status
        if status is not None and not isinstance(status, RequestStatus):
            if not isinstance(status, str):
                raise TypeError(
                    "status must be a RequestStatus, not {}".format(type(status).__name__)
                )
            try:
                status = RequestStatus(status.strip().lower())
            except ValueError:
                raise InvalidArgumentError(
                    "invalid argument `status`: {!r} is neither RequestStatus.OPEN ('open') "
                    "nor RequestStatus.CLOSED ('closed')".format(self.status),
                    _INVALID_ARGUMENT,
                ) from None
            object.__setattr__(self, "status", status)
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, _dt.date):
                raise TypeError(
                    "{} must be a datetime.date, not {}".format(name, type(value).__name__)
                )
        if self.pending is not None and not isinstance(self.pending, bool):
            raise TypeError("pending must be a bool, not {}".format(type(self.pending).__name__))
        with self._native():  # the library's own checks, in this class's terms
            pass

    @classmethod
    def _of(cls, value: Any) -> Optional["MessengerFilter"]:
        """A client call's ``filter=``: a MessengerFilter, a dict of its keywords,
        or ``None``."""
        if value is None or isinstance(value, MessengerFilter):
            return value
        import collections.abc as _abc  # here: most callers give no filter

        if not isinstance(value, _abc.Mapping):
            raise TypeError(
                "filter must be a MessengerFilter or a dict, not {}".format(type(value).__name__)
            )
        unknown = [k for k in value if k not in _FILTER_KEYS]
        if unknown:
            raise InvalidArgumentError(
                "invalid argument `filter`: unknown key {!r} (known: {})".format(
                    unknown[0], ", ".join(_FILTER_KEYS)
                ),
                _INVALID_ARGUMENT,
            )
        return cls(**value)

    def _native(self) -> Any:
        """A ``tb_messenger_filter`` holding this filter, freed when the ``with``
        block it is given to ends."""
        lib = _native.lib()
        f = lib.tb_messenger_filter_new()
        if not f:
            raise MemoryError("tb_messenger_filter_new returned NULL")
        try:
            call = _native.call
            for name in ("department_alias", "channel_alias"):
                value = getattr(self, name)
                if value is not None:
                    call(getattr(lib, "tb_messenger_filter_set_" + name), f,
                         _native.encode(name, value), names={"alias": name})
            for name in ("date_from", "date_to"):
                d = getattr(self, name)
                if d is not None:
                    call(getattr(lib, "tb_messenger_filter_set_" + name), f, d.year, d.month, d.day,
                         names={"year": name, "month": name, "day": name})
            if self.status is not None:
                call(lib.tb_messenger_filter_set_status, f, _STATUS_C[self.status])
            if self.pending is not None:
                call(lib.tb_messenger_filter_set_pending, f, _PENDING_C[self.pending])
        except BaseException:
            lib.tb_messenger_filter_free(f)
            raise
        return _native.owned(f, lib.tb_messenger_filter_free)
