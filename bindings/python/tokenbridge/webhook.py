"""Yativo webhooks: check a request's signature before trusting its body, then read
the event (``tb_yativo_webhook_verify``).

Yativo signs the **raw request body** with HMAC-SHA256 and the webhook's secret, in
hex, under ``X-Yativo-Signature``, ``X-Webhook-Signature`` or ``Signature`` (the
value bare or as ``sha256=<hex>``). :func:`verify_webhook` finds the header, checks
the signature in constant time against each secret (two during a rotation) and
returns the :class:`YativoEvent`; a request that fails raises
:class:`WebhookVerificationError` (answer it with 401).

Give the body exactly as it came (``self.rfile.read(length)``): parsed and dumped
again it no longer matches. The signature does not cover the ``Timestamp`` header:
remember the event ids you processed and skip redeliveries (delivery is at least
once).

>>> from tokenbridge import verify_webhook
>>> event = verify_webhook(body, self.headers, ["whsec_current", "whsec_old"])  # doctest: +SKIP
>>> event.type, event.id, event.data["amount"]  # doctest: +SKIP
"""

from __future__ import annotations

from ctypes import byref, c_char_p, c_int64, c_size_t

# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module. They also see the standard dataclass
# decorator (see models.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt
    from dataclasses import dataclass, field
    from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union
else:
    from ._dataclass import dataclass, field

from . import _native
from .errors import _INVALID_ARGUMENT, _OK, InvalidArgumentError

if TYPE_CHECKING:  # aliases for annotations
    Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

SIGNATURE_HEADERS: Tuple[str, ...] = ("X-Yativo-Signature", "X-Webhook-Signature", "Signature")
"""The signature headers, in the order they are looked for (names without case)."""

# The C parameters a refusal names, as this API names them.
_NAMES = {
    "header_name": "headers",
    "header_value": "headers",
    "secret_count": "secrets",
}


class WebhookVerificationError(InvalidArgumentError):
    """A webhook request that failed the check (answer it with 401). :attr:`part`
    says what was wrong: ``"headers"`` (no signature header, one given twice, or a
    signature that is empty, not hex, or matches no secret: the body was changed or
    signed with another secret), ``"body"`` (signed, but not a Yativo event) or
    ``"secrets"``. The message never holds a secret."""

    def __init__(self, message: str, part: str) -> None:
        super().__init__(message, _INVALID_ARGUMENT, None, None)
        self.part = part


@dataclass(frozen=True)
class YativoEvent:
    """A verified Yativo event. ``data_json`` is ``data`` as the JSON text it came
    as (:attr:`data` parses it); ``created_at`` is ``None`` when the body has no
    time; ``secret_index`` says which secret signed it (0 = the first given)."""

    type: str
    id: str
    created_at: Optional[_dt.datetime]
    data_json: str = field(repr=False)
    secret_index: int = 0

    @property
    def data(self) -> Any:
        """``data``, parsed (:mod:`json`)."""
        import json as _json  # here, not with the package: most callers never need it
        return _json.loads(self.data_json)


def _signature(headers: Headers) -> Tuple[str, str]:
    """The first signature header present (name as given, value), refusing a
    missing or repeated one."""
    pairs: List[Tuple[str, str]]
    if hasattr(headers, "items"):
        pairs = [(str(k), str(v)) for k, v in headers.items()]  # type: ignore[union-attr]
    else:
        pairs = [(str(k), str(v)) for k, v in headers]  # type: ignore[misc]
    for wanted in SIGNATURE_HEADERS:
        found = [(k, v) for k, v in pairs if k.strip().lower() == wanted.lower()]
        if len(found) > 1:
            raise WebhookVerificationError(
                "invalid argument `headers`: the `{}` header appears {} times; a signed "
                "request has one".format(wanted, len(found)), "headers")
        if found:
            return found[0]
    raise WebhookVerificationError(
        "invalid argument `headers`: the request has no signature header (looked for {})".format(
            ", ".join(SIGNATURE_HEADERS)), "headers")


def verify_webhook(body: bytes, headers: Headers, secrets: Union[str, Sequence[str]]) -> YativoEvent:
    """Checks a Yativo webhook request — its raw ``body`` and its ``headers`` (a
    mapping such as ``http.server``'s ``self.headers``, a WSGI/Django/Flask headers
    object, or ``(name, value)`` pairs) — against ``secrets`` (one, or a list during
    a rotation) and returns the event; raises :class:`WebhookVerificationError`."""
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError("body must be the raw bytes of the request, not {}".format(type(body).__name__))
    name, value = _signature(headers)
    secret_list = [secrets] if isinstance(secrets, str) else list(secrets)
    encoded = [_native.encode("secrets", s) for s in secret_list]
    lib = _native.lib()
    raw = bytes(body)
    array = (c_char_p * max(len(encoded), 1))(*encoded)
    out = _native.EVENT_P()
    status = lib.tb_yativo_webhook_verify(
        raw, len(raw), _native.encode("headers", name), _native.encode("headers", value),
        array, len(encoded), byref(out))
    if status != _OK:
        part = _native.take_string(lib.tb_last_error_parameter())
        error = _native.last_error(status, _NAMES)
        if part is None:
            raise error
        raise WebhookVerificationError(str(error), _native.python_name(part, _NAMES)) from None
    import datetime as _dt  # here: most of the package never needs it

    try:
        seconds = _native.value(lib.tb_yativo_event_created_at, out, out=c_int64(0))
        return YativoEvent(
            type=_native.lent(lib.tb_yativo_event_type, out) or "",
            id=_native.lent(lib.tb_yativo_event_id, out) or "",
            created_at=None if seconds is None else _dt.datetime.fromtimestamp(seconds, tz=_dt.timezone.utc),
            data_json=_native.lent(lib.tb_yativo_event_data_json, out) or "null",
            secret_index=int(_native.value(lib.tb_yativo_event_secret_index, out, out=c_size_t(0)) or 0),
        )
    finally:
        lib.tb_yativo_event_free(out)


__all__ = ["SIGNATURE_HEADERS", "WebhookVerificationError", "YativoEvent", "verify_webhook"]
