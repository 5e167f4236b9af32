"""Generic calls as typed data: :class:`Request` (``tb_request_*``) and
:class:`HttpResponse` (``tb_response_*``), sent with ``client.send(request)``."""

from __future__ import annotations

from ctypes import byref, c_size_t, c_void_p

# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union

from . import _native
from .errors import _INVALID_ARGUMENT, InvalidArgumentError

if TYPE_CHECKING:  # aliases for annotations
    Pairs = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

_NO_JSON: Any = _native.NO_JSON


def _pairs(name: str, value: Optional[Pairs]) -> Tuple[Tuple[str, str], ...]:
    if value is None:
        return ()
    import collections.abc as _abc  # here: most requests have no query or headers

    items = value.items() if isinstance(value, _abc.Mapping) else value
    out = []
    for item in items:
        try:
            k, v = item
        except (TypeError, ValueError):
            raise TypeError("{} must be a mapping or (name, value) pairs".format(name)) from None
        out.append((k, v))
    return tuple(out)


class Request:
    """A request for any endpoint of a client's API, sent with ``client.send()``
    (or ``await client.aio.send()``) as often as you like, to any client.

    Args:
        method: GET, HEAD, OPTIONS, POST, PUT, PATCH or DELETE (any case).
        path: relative to the client's base URL, without a query.
        query: query parameters, a mapping or ``(name, value)`` pairs (names may
            repeat), percent-encoded in order.
        headers: extra headers, a mapping or pairs. ``Host``, ``Content-Length``,
            ``Transfer-Encoding``, ``Connection``, ``TE``, ``Upgrade`` are refused,
            and ``Authorization`` unless ``allow_authorization_header=True`` (then it
            replaces the client's token: no login, and a 401 fails at once).
        json: any JSON-serialisable value, sent as ``application/json``.
        form: form fields (mapping or pairs), sent form-encoded in order.
        body: raw bytes, sent with ``content_type``.
        idempotency_key: the ``Idempotency-Key`` of every send and retry (makes a
            POST/PATCH retryable).

    Give at most one of ``json``, ``form`` and ``body``. The library checks
    everything when the request is sent: a refusal is :class:`InvalidArgumentError`
    naming the argument, and nothing is sent.
    """

    __slots__ = (
        "method", "path", "query", "headers", "form", "body", "content_type",
        "idempotency_key", "allow_authorization_header", "_json_text",
    )

    def __init__(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Pairs] = None,
        headers: Optional[Pairs] = None,
        json: Any = _NO_JSON,
        form: Optional[Pairs] = None,
        body: Optional[bytes] = None,
        content_type: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        allow_authorization_header: bool = False,
    ) -> None:
        given = [n for n, v in (("json", json is not _NO_JSON), ("form", form is not None),
                                ("body", body is not None)) if v]
        if len(given) > 1:
            raise InvalidArgumentError(
                "invalid argument `{}`: give one of json=, form= and body=, not {}".format(
                    given[1], " and ".join(n + "=" for n in given)
                ),
                _INVALID_ARGUMENT,
            )
        if body is not None:
            if not isinstance(body, (bytes, bytearray, memoryview)):
                raise TypeError("body must be bytes, not {}".format(type(body).__name__))
            if content_type is None:
                raise InvalidArgumentError(
                    "invalid argument `content_type`: body= needs a content_type=",
                    _INVALID_ARGUMENT,
                )
            body = bytes(body)
        elif content_type is not None:
            raise InvalidArgumentError(
                "invalid argument `content_type`: only with body=", _INVALID_ARGUMENT
            )
        self.method = method
        self.path = path
        self.query = _pairs("query", query)
        self.headers = _pairs("headers", headers)
        self.form = None if form is None else _pairs("form", form)
        self.body = body
        self.content_type = content_type
        self.idempotency_key = idempotency_key
        self.allow_authorization_header = bool(allow_authorization_header)
        self._json_text: Optional[str] = None
        if json is not _NO_JSON:
            import json as _json  # here, not with the package: most callers never need it

            self._json_text = _json.dumps(json, ensure_ascii=False)

    @property
    def json(self) -> Any:
        """The JSON body as given (``None`` when there is none)."""
        import json as _json  # here, not with the package: most callers never need it
        return None if self._json_text is None else _json.loads(self._json_text)

    def __repr__(self) -> str:
        # Names only: header values, query values and bodies may hold secrets.
        parts = ["{!r}, {!r}".format(self.method, self.path)]
        if self.query:
            parts.append("query=[{}]".format(", ".join(repr(k) for k, _ in self.query)))
        if self.headers:
            parts.append("headers=[{}]".format(", ".join(repr(k) for k, _ in self.headers)))
        if self._json_text is not None:
            parts.append("json=<{} chars>".format(len(self._json_text)))
        if self.form is not None:
            parts.append("form=[{}]".format(", ".join(repr(k) for k, _ in self.form)))
        if self.body is not None:
            parts.append("body=<{} bytes>, content_type={!r}".format(len(self.body), self.content_type))
        if self.idempotency_key is not None:
            parts.append("idempotency_key=...")
        return "Request({})".format(", ".join(parts))

    def _native(self) -> Any:
        """A ``tb_request`` holding this request, freed when the ``with`` block it is
        given to ends."""
        lib = _native.lib()
        enc = _native.encode
        call = _native.call
        req = _native.REQUEST_P()
        call(lib.tb_request_new, enc("method", self.method), enc("path", self.path), byref(req))
        try:
            for k, v in self.query:
                call(lib.tb_request_add_query, req, enc("query", k), enc("query", v),
                     names={"name": "query", "value": "query"})
            for k, v in self.headers:
                call(lib.tb_request_add_header, req, enc("headers", k), enc("headers", v),
                     names={"name": "headers", "value": "headers", "header": "headers"})
            if self.form is not None:
                for k, v in self.form:
                    call(lib.tb_request_add_form_field, req, enc("form", k), enc("form", v),
                         names={"name": "form", "value": "form"})
            if self._json_text is not None:
                call(lib.tb_request_set_json, req, enc("json", self._json_text))
            if self.body is not None:
                data = self.body
                call(lib.tb_request_set_body, req, enc("content_type", self.content_type),
                     data, len(data), names={"bytes": "body"})
            if self.idempotency_key is not None:
                call(lib.tb_request_set_idempotency_key, req,
                     enc("idempotency_key", self.idempotency_key))
            if self.allow_authorization_header:
                call(lib.tb_request_allow_authorization_header, req, True)
        except BaseException:
            lib.tb_request_free(req)
            raise
        return _native.owned(req, lib.tb_request_free)


class HttpResponse:
    """What ``client.send()`` returned: any HTTP status (but a 401 after a new
    login), the headers and the body as bytes.

    Attributes:
        status: the HTTP status.
        headers: ``(name, value)`` pairs in the order they came, names lower-cased.
        body: the body's bytes.

    ``repr()`` shows the status and sizes only: bodies and headers may hold tokens.
    """

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: List[Tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON (Python's :mod:`json`)."""
        import json as _json  # here, not with the package: most callers never need it
        return _json.loads(self.body)

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The first header of that name (any case), else ``default``."""
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return default

    def header_values(self, name: str) -> List[str]:
        """Every value of that header (any case), in order."""
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    def __repr__(self) -> str:
        return "<HttpResponse status={} headers={} body=<{} bytes>>".format(
            self.status, len(self.headers), len(self.body)
        )

    @classmethod
    def _read(cls, lib: Any, resp: Any) -> "HttpResponse":
        """Copies everything out of a live ``tb_response`` (the caller frees it)."""
        status = int(lib.tb_response_status(resp))
        ptr, size = c_void_p(), c_size_t(0)
        _native.check(lib.tb_response_body(resp, byref(ptr), byref(size)))
        body = _native.lent_bytes(ptr, size) or b""
        headers = []
        for i in range(int(lib.tb_response_header_count(resp))):
            name, value = _native.lent_pair(lib.tb_response_header_at, resp, i)
            headers.append((name or "", value or ""))
        return cls(status, headers, body)
