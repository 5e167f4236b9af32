"""The three clients: :class:`UContactClient`, :class:`YativoClient`, :class:`AnnaClient`.

Each owns one native client handle: use it in a ``with`` block, or call
:meth:`close`. A client may be used from several threads at once; ``close()`` waits
for calls in flight, and any call after it raises :class:`ValueError`.

A client may be used in a child forked while other threads of the parent were
inside calls: the library logs in again on its own there, and ``close()`` (``with``)
waits only for the child's own calls.
"""

from __future__ import annotations

import os
# _thread and _weakref, not threading and weakref (which hand out the same locks,
# thread-locals and references): those cost more to import than this package.
from _thread import _local as thread_local, allocate_lock
from _weakref import ref
from ctypes import byref, c_int64, c_uint64, c_void_p

# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as _dt
    from typing import Any, List, Mapping, Optional, Tuple, TypeVar, Union

    from ._messenger import AccessData, MessengerFilter, MessengerRequest, MessengerStructure
    from .generic import HttpResponse, Request
    from ._ucontact import UContactClient  # noqa: F401 - handed out by __getattr__

from . import _native
from .config import Config
from .errors import _INVALID_ARGUMENT, InvalidArgumentError
from .models import Response, Token, expiry


if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all
    from . import _lazy

    # PEP 562: UContactClient on first use; its signature's default,
    # LoginKind.API_USER, needs `import enum`, which costs more than this package.
    __getattr__ = _lazy.getattr_for(
        __name__, __package__, {"UContactClient": "_ucontact"}, globals()
    )


if TYPE_CHECKING:  # aliases for annotations
    _C = TypeVar("_C", bound="_Client")
    FilterLike = Union[MessengerFilter, Mapping[str, Any]]


class _Core:
    """The native handle of a client and its life, shared by the client and its
    views (:meth:`_Client.with_options`).

    ``busy`` counts the calls in flight, which :meth:`close` waits for: the last
    of them releases ``idle``, a lock held while a close waits. After a ``fork()``
    the child has only the thread that forked: the calls of the others (and a
    ``close()`` one of them was in) are not running there, so
    :func:`_after_fork_in_child` gives every live core a fresh lock, no calls in
    flight and no close under way. A call that was in flight ends in the parent
    only; ``generation`` tells its end not to count in the child.
    """

    def __init__(self, owner: str, free: Any) -> None:
        self.owner = owner
        self.free = free
        self.handle: Any = None
        self.lock = allocate_lock()
        self.idle: Any = None  # while close() waits: held, released by the last call
        self.busy = 0
        self.closing = False
        self.generation = 0  # how many forks this core has been through
        key = id(self)  # not reused before the callback has run
        _CORES[key] = ref(self, lambda _: _CORES.pop(key, None))

    def enter(self) -> Tuple[Any, int]:
        """Begins a call: the handle and this process's generation (for :meth:`leave`)."""
        with self.lock:
            if self.handle is None or self.closing:
                raise ValueError("the {} is closed".format(self.owner))
            self.busy += 1
            return self.handle, self.generation

    def leave(self, generation: int) -> None:
        """Ends a call begun by :meth:`enter`."""
        with self.lock:
            if generation == self.generation:  # begun in this process
                self.busy -= 1
                if self.busy == 0 and self.idle is not None:
                    self.idle.release()
                    self.idle = None

    def reset_in_child(self) -> None:
        """In a forked child: forget the calls and the close of the threads that
        did not come along (their lock may have been held by one of them)."""
        self.lock = allocate_lock()
        self.idle = None
        self.busy = 0
        self.closing = False
        self.generation += 1

    def close(self) -> None:
        with self.lock:
            if self.handle is None or self.closing:
                return
            self.closing = True
            idle = None
            if self.busy:
                idle = self.idle = allocate_lock()
                idle.acquire()
        if idle is not None:
            idle.acquire()  # until the last call in flight has left
        with self.lock:
            handle, self.handle = self.handle, None
        self.free(handle)

    def __del__(self) -> None:
        # A fallback only (use `with` or close()): nothing else can hold the client
        # now. Freed first, then the warning, which a filter may turn into an error.
        handle = getattr(self, "handle", None)
        if handle:
            self.handle = None
            try:
                self.free(handle)
            except Exception:  # interpreter shutting down: nothing sensible to do
                return
            import warnings  # here: only a client nobody closed needs it

            warnings.warn(
                "{} was not closed; use `with` or close()".format(self.owner),
                ResourceWarning,
                source=self,
            )


# Every live core, for _after_fork_in_child.
# (id -> weak reference, removed when the core is collected)
_CORES: "dict[int, ref[_Core]]" = {}


def _after_fork_in_child() -> None:
    # Runs in the child right after os.fork() (and multiprocessing's fork, gunicorn's
    # and celery's prefork workers), with only the forking thread alive. The library
    # itself notices the new process and logs in again on its own.
    for alive in list(_CORES.values()):
        core = alive()
        if core is not None:
            core.reset_in_child()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _CallCancel:
    """The per-call ``tb_cancel_token`` of an asyncio call: cancelled from the event
    loop's thread, freed by the worker thread when the native call is over."""

    def __init__(self, lib: Any) -> None:
        self._lib = lib
        self._lock = allocate_lock()
        self.token = lib.tb_cancel_token_new()
        if not self.token:
            raise MemoryError("tb_cancel_token_new returned NULL")

    def cancel(self) -> None:
        with self._lock:
            if self.token:
                self._lib.tb_cancel_token_cancel(self.token)

    def free(self) -> None:
        with self._lock:
            token, self.token = self.token, None
        if token:
            self._lib.tb_cancel_token_free(token)


# The cancellation token of the asyncio call running on this worker thread, if any.
_local = thread_local()


class _Client:
    """What the three clients share: the handle's life, token control, ``call``,
    ``send``, ``with_options`` and the asyncio face ``aio``."""

    _API = ""  # "ucontact", "yativo" or "anna": picks the tb_<api>_ functions
    _NAMES: Mapping[str, str] = {}  # C parameter names -> this API's Python names

    def __init__(self, new: Any, config: Optional[Config], *args: Any) -> None:
        lib = _native.lib()
        self._lib = lib
        self._deadline_ms = 0  # 0: no deadline (a view from with_options sets one)
        self._view = False
        self._core = _Core(type(self).__name__, getattr(lib, "tb_{}_client_free".format(self._API)))
        out = new.argtypes[-1]._type_()  # a NULL pointer of the handle type
        if config is None:
            _native.call(new, None, *args, byref(out))
        else:
            with config._native() as cfg:
                _native.call(new, cfg, *args, byref(out))
        self._core.handle = out

    # -- life -----------------------------------------------------------------

    def _use(self) -> _Use:
        """The native handle for one call (a ``with`` block): the client's own, or,
        with a deadline or an asyncio call's cancellation token, a
        ``tb_<api>_client_with_options`` handle of it freed after the call."""
        return _Use(self)

    def _call(self, fn: Any, *args: Any) -> None:
        with self._use() as h:
            _native.call(fn, h, *args, names=self._NAMES)

    def close(self) -> None:
        """Frees the native client (once; later calls do nothing). Waits for calls
        running on other threads — in a forked child (a prefork or multiprocessing
        worker) only for the child's own: the parent's other threads, and the calls
        they were in at the fork, do not exist there. A uContact client ends its
        live session first (unless ``Config(end_session_on_close=False)``). On a
        view made by :meth:`with_options` it does nothing: close the client
        itself."""
        if not self._view:
            self._core.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (on the client, for a view)."""
        return self._core.handle is None

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        extra = " timeout={}s".format(self._deadline_ms / 1000) if self._deadline_ms else ""
        return "<{} {}{}>".format(type(self).__name__, "closed" if self.closed else "open", extra)

    def with_options(self: _C, *, timeout: Optional[float] = None) -> _C:
        """A view of this client (same connections, same token) whose calls each
        end within ``timeout`` seconds — a login it needs, retries and backoff
        included — or raise :class:`TransportTimeoutError` (also a built-in
        :class:`TimeoutError`). ``None``: no deadline.

        The view needs no closing and lives as long as the client: closing the
        client closes it; its own ``close()`` does nothing.
        """
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view._view = True
        view._deadline_ms = 0 if timeout is None else _deadline_ms(timeout)
        return view

    @property
    def aio(self) -> "AsyncClient":
        """This client's asyncio face: the same methods as coroutines, e.g.
        ``await client.aio.login()``. See :class:`AsyncClient`."""
        return AsyncClient(self)

    # -- shared operations ------------------------------------------------------

    def _fn(self, name: str) -> Any:
        return getattr(self._lib, "tb_{}_{}".format(self._API, name))

    def _string_op(self, name: str, *args: Any) -> str:
        out = c_void_p()
        self._call(self._fn(name), *args, byref(out))
        return _native.take_out(out)

    def _token_op(self, name: str) -> Token:
        out = c_void_p()
        expires_at = c_int64(0)
        self._call(self._fn(name), byref(out), byref(expires_at))
        return Token(token=_native.take_out(out), expires_at=expiry(expires_at.value))

    def token(self) -> str:
        """A valid token: the cached one, refreshed ahead of expiry, or a new login."""
        return self._string_op("token")

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = _native.NO_JSON,
        form: Optional[Mapping[str, str]] = None,
    ) -> Response:
        """Calls any endpoint of the API with this client's token (refreshed, and
        renewed once after a 401). ``path`` is relative to the base URL.

        Give ``json=`` (any JSON-serialisable value, sent as ``application/json``)
        or ``form=`` (a mapping of strings, sent form-encoded), or neither. Every HTTP
        status but 401 comes back in the :class:`Response`, the body as text.

        The short form of ``send(Request(method, path, json=..., form=...))``: use
        :meth:`send` for a query, headers, a raw body or the response's headers.
        """
        from .generic import Request  # here: most programs never make a generic call

        r = self.send(Request(method, path, json=json, form=form))
        return Response(status=r.status, body=r.text)

    def send(self, request: Request) -> HttpResponse:
        """Sends a :class:`Request` (``tb_request_*`` + ``tb_<api>_send``) with this
        client's token, logins, 401 handling and retries, and returns the
        :class:`HttpResponse`: any HTTP status but a 401 after a new login
        (:class:`UnauthorizedError`). A bad method, path, header or body raises
        :class:`InvalidArgumentError` naming it, and nothing is sent."""
        from .generic import HttpResponse, Request  # here: most programs never make one

        if not isinstance(request, Request):
            raise TypeError("request must be a Request, not {}".format(type(request).__name__))
        lib = self._lib
        with request._native() as req, _native.answer(_native.RESPONSE_P, lib.tb_response_free) as resp:
            with self._use() as h:
                _native.call(self._fn("send"), h, req, byref(resp), names={"header": "headers"})
            return HttpResponse._read(lib, resp)


class _Use:
    """What :meth:`_Client._use` returns (a class rather than a generator: cheaper
    per call, and contextlib costs more to import than this module)."""

    __slots__ = ("client", "generation", "limited")

    def __init__(self, client: _Client) -> None:
        self.client = client
        self.limited: Any = None

    def __enter__(self) -> Any:
        client = self.client
        cancel: Optional[_CallCancel] = getattr(_local, "cancel", None)
        handle, self.generation = client._core.enter()
        if not client._deadline_ms and cancel is None:
            return handle
        try:
            lib = client._lib
            opts = lib.tb_call_options_new()
            if not opts:
                raise MemoryError("tb_call_options_new returned NULL")
            limited = type(handle)()
            try:
                if client._deadline_ms:
                    _native.call(
                        lib.tb_call_options_set_deadline_ms, opts, client._deadline_ms,
                        names={"deadline_ms": "timeout"},
                    )
                if cancel is not None:
                    _native.call(lib.tb_call_options_set_cancel_token, opts, cancel.token)
                _native.call(client._fn("client_with_options"), handle, opts, byref(limited))
            finally:
                lib.tb_call_options_free(opts)
        except BaseException:
            client._core.leave(self.generation)
            raise
        self.limited = limited
        return limited

    def __exit__(self, *exc: Any) -> None:
        core = self.client._core
        try:
            if self.limited is not None:
                core.free(self.limited)
        finally:
            core.leave(self.generation)


class AsyncClient:
    """The asyncio face of a client (``client.aio``): every method of the client
    (``login``, ``token``, ``call``, ``send``, ``messenger_requests``...) as a
    coroutine, e.g. ``await client.aio.login()``.

    Each call runs the blocking native call on the event loop's default executor
    (as :func:`asyncio.to_thread` does) with its own ``tb_cancel_token``. When the
    awaiting task is cancelled (``task.cancel()``, :func:`asyncio.wait_for`,
    ``asyncio.timeout``), the token is cancelled: the native call stops within
    about 100 ms, leaving the client usable, and :class:`asyncio.CancelledError`
    is raised once it has stopped. Failures raise the same exceptions as the
    blocking methods.
    """

    __slots__ = ("_client",)

    def __init__(self, client: _Client) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "<AsyncClient of {!r}>".format(self._client)

    def __dir__(self) -> List[str]:
        return [n for n in dir(type(self._client)) if _async_name(n)]

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name) if _async_name(name) else None
        if not callable(method):
            raise AttributeError("{} has no coroutine {!r}".format(type(self).__name__, name))
        import functools  # here: a blocking caller never needs it

        @functools.wraps(method)
        async def run(*args: Any, **kwargs: Any) -> Any:
            return await _run_cancellable(self._client._lib, method, args, kwargs)

        return run


def _async_name(name: str) -> bool:
    return not name.startswith("_") and name not in ("close", "closed", "aio", "with_options")


async def _run_cancellable(lib: Any, method: Any, args: Any, kwargs: Any) -> Any:
    # Imported here, not with the package: asyncio costs more to import than all of
    # tokenbridge, and a blocking caller never needs it (a coroutine's caller already
    # has it loaded).
    import asyncio
    import contextvars
    import functools

    cancel = _CallCancel(lib)

    def work() -> Any:
        _local.cancel = cancel
        try:
            return method(*args, **kwargs)
        finally:
            _local.cancel = None
            cancel.free()

    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    future = loop.run_in_executor(None, functools.partial(ctx.run, work))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        cancel.cancel()
        # Wait until the native call has stopped (about 100 ms), then report the
        # cancellation; what the call raised (CancelledError) or returned is dropped.
        await asyncio.wait([future])
        if not future.cancelled():
            future.exception()  # retrieved: no "exception was never retrieved"
        raise


def _deadline_ms(timeout: Any) -> int:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError("timeout must be a number of seconds, not {}".format(type(timeout).__name__))
    if not _native.finite(timeout) or timeout <= 0:
        raise InvalidArgumentError(
            "invalid argument `timeout`: {} is not a positive number of seconds".format(timeout),
            _INVALID_ARGUMENT,
        )
    return max(1, int(round(timeout * 1000)))


def _unix(expires_at: Optional[_dt.datetime]) -> int:
    if expires_at is None:
        return 0
    import datetime as _dt  # here: most callers never give a time

    if not isinstance(expires_at, _dt.datetime):
        raise TypeError("expires_at must be a datetime, not {}".format(type(expires_at).__name__))
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise InvalidArgumentError(
            "invalid argument `expires_at`: a naive datetime is ambiguous; "
            "give one with a tzinfo (e.g. datetime.timezone.utc)",
            _INVALID_ARGUMENT,
        )
    return int(expires_at.timestamp())


class YativoClient(_Client):
    """A Yativo client (payments). ``base_url`` is e.g. :attr:`PRODUCTION_URL`.
    Nothing is sent until the first call."""

    _API = "yativo"

    PRODUCTION_URL = "https://api.yativo.com/api/v1"
    SANDBOX_URL = "https://smtp.yativo.com/api/v1"

    def __init__(
        self,
        base_url: str,
        account_id: str,
        app_secret: str,
        *,
        config: Optional[Config] = None,
    ) -> None:
        lib = _native.lib()
        super().__init__(
            lib.tb_yativo_client_new,
            config,
            _native.encode("base_url", base_url),
            _native.encode("account_id", account_id),
            _native.encode("app_secret", app_secret),
        )

    def login(self) -> Token:
        """Logs in with the app secret; returns the new token (also cached)."""
        return self._token_op("login")

    def refresh_token(self) -> Token:
        """Exchanges the current token for a new one (logging in first if needed)."""
        return self._token_op("refresh_token")

    def set_token(self, token: str, expires_at: Optional[_dt.datetime] = None) -> None:
        """Uses a token obtained elsewhere. ``expires_at`` (an aware datetime) or
        ``None``: the JWT's ``exp``, else 10 minutes from now."""
        self._call(self._lib.tb_yativo_set_token, _native.encode("token", token), _unix(expires_at))


class AnnaClient(_Client):
    """An AnnA Corporate User V3 client (chat / messenger). ``base_url`` is the
    customer's API root. Nothing is sent until the first call.

    Messenger calls take the user either by id (``user_id``) or by document
    (``doc_type`` and ``doc_value``), never both.
    """

    _API = "anna"

    def __init__(
        self,
        base_url: str,
        company_hash: str,
        user: str,
        password: str,
        *,
        config: Optional[Config] = None,
    ) -> None:
        lib = _native.lib()
        super().__init__(
            lib.tb_anna_client_new,
            config,
            _native.encode("base_url", base_url),
            _native.encode("company_hash", company_hash),
            _native.encode("user", user),
            _native.encode("password", password),
        )

    def get_token(self) -> Token:
        """Gets a new token (``GetToken``), also cached."""
        return self._token_op("get_token")

    def set_token(self, token: str, expires_at: Optional[_dt.datetime] = None) -> None:
        """Uses a token obtained elsewhere. ``expires_at`` (an aware datetime) or
        ``None``: the JWT's ``exp``, else unknown (used until a 401)."""
        self._call(self._lib.tb_anna_set_token, _native.encode("token", token), _unix(expires_at))

    def _access_data(self, fn: Any, *args: Any) -> AccessData:
        lib = self._lib
        with _native.answer(_native.ACCESS_P, lib.tb_access_data_free) as out:
            self._call(fn, *args, byref(out))
            from ._messenger import AccessData  # made on first use

            return AccessData._read(lib, out)

    def user_hash(self, user_id: str, start_service: Optional[str] = None) -> AccessData:
        """The user's chat access (``UserHash``); fails for unknown or inactive users."""
        return self._access_data(
            self._lib.tb_anna_user_hash,
            _native.encode("user_id", user_id),
            _native.encode("start_service", start_service),
        )

    def user_hash_forced(
        self, user_id: str, user_name: str, start_service: Optional[str] = None
    ) -> AccessData:
        """The user's chat access, creating or reactivating the user (``UserHashForced``)."""
        return self._access_data(
            self._lib.tb_anna_user_hash_forced,
            _native.encode("user_id", user_id),
            _native.encode("user_name", user_name),
            _native.encode("start_service", start_service),
        )

    def inactivate_user(self, user_id: str) -> str:
        """Inactivates the user (``Inactivate``); returns AnnA's message."""
        out = c_void_p()
        self._call(self._lib.tb_anna_inactivate_user, _native.encode("user_id", user_id), byref(out))
        return _native.take_string(out.value) or ""

    def messenger_structure(self) -> MessengerStructure:
        """The company's departments and channels (``Messenger/Structure``)."""
        lib = self._lib
        with _native.answer(_native.STRUCTURE_P, lib.tb_messenger_structure_free) as out:
            self._call(lib.tb_anna_messenger_structure, byref(out))
            from ._messenger import MessengerStructure  # made on first use

            return MessengerStructure._read(lib, out)

    def messenger_alert_counter(
        self,
        user_id: Optional[str] = None,
        *,
        doc_type: Optional[str] = None,
        doc_value: Optional[str] = None,
        filter: Optional[FilterLike] = None,
    ) -> int:
        """How many of the user's open requests await the user's answer, among
        those the filter lets through (``Messenger/AlertCounter``)."""
        user = _user(user_id, doc_type, doc_value)
        count = c_uint64(0)
        with _filter(filter) as f:
            self._call(self._lib.tb_anna_messenger_alert_counter, *user, f, byref(count))
        return count.value

    def messenger_requests(
        self,
        user_id: Optional[str] = None,
        *,
        doc_type: Optional[str] = None,
        doc_value: Optional[str] = None,
        filter: Optional[FilterLike] = None,
    ) -> List[MessengerRequest]:
        """The user's requests that the filter lets through (``Messenger/Requests``),
        in the server's order."""
        lib = self._lib
        user = _user(user_id, doc_type, doc_value)
        with _filter(filter) as f, _native.answer(_native.REQUESTS_P, lib.tb_messenger_requests_free) as out:
            self._call(lib.tb_anna_messenger_requests, *user, f, byref(out))
            from ._messenger import MessengerRequest  # made on first use

            return MessengerRequest._read_list(lib, out)

    def messenger_link(
        self,
        user_id: Optional[str] = None,
        *,
        doc_type: Optional[str] = None,
        doc_value: Optional[str] = None,
    ) -> str:
        """The link to the user's messenger (``Messenger/Link``)."""
        return self._string_op("messenger_link", *_user(user_id, doc_type, doc_value))


def _user(user_id: Optional[str], doc_type: Optional[str], doc_value: Optional[str]) -> Tuple[Optional[bytes], ...]:
    return (
        _native.encode("user_id", user_id),
        _native.encode("doc_type", doc_type),
        _native.encode("doc_value", doc_value),
    )


def _filter(value: Optional[FilterLike]) -> Any:
    """The ``tb_messenger_filter`` of a call's ``filter=`` (NULL for ``None``),
    freed after the call (a ``with`` block)."""
    if value is None:
        return _native.owned(None, None)
    from ._messenger import MessengerFilter  # made on first use

    f = MessengerFilter._of(value)
    return _native.owned(None, None) if f is None else f._native()
