"""Client settings (:class:`Config`, :class:`Retries`)."""

from __future__ import annotations

import os

# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module. They also see the standard dataclass
# decorator (see models.py).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import dataclass
    from typing import Any, Optional, Union

    from ._enums import TlsRoots
else:
    from ._dataclass import dataclass

from . import _native
from .errors import _INVALID_ARGUMENT, InvalidArgumentError


@dataclass(frozen=True)
class Retries:
    """Retries of transient failures (library default: 2 retries, 0.2 s, 5 s).

    Delays are in seconds. ``Retries(0)`` turns retries off.
    """

    max_retries: int = 2
    base_delay: float = 0.2
    max_delay: float = 5.0

    def __post_init__(self) -> None:
        # Said here in seconds, as given (the library would say it in milliseconds).
        b, m = self.base_delay, self.max_delay
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (b, m)) and b > m:
            raise InvalidArgumentError(
                "invalid argument `base_delay`: {} s is more than max_delay ({} s)".format(b, m),
                _INVALID_ARGUMENT,
            )


@dataclass(frozen=True)
class Config:
    """Settings shared by clients; every one left at ``None`` keeps the library's
    default. Durations are in seconds (``float``).

    A client copies its config when created, so one ``Config`` can serve many
    clients. Settings are checked by the library when the ``Config`` is made: a bad
    one raises :class:`InvalidArgumentError` naming it.

    Attributes:
        timeout_connect: to open the connection, TLS included (default 10 s).
        timeout_send: to send the request headers, and again the body (default 30 s).
        timeout_receive: to receive the answer's headers, and again the body (30 s).
        proxy: a proxy URL (default: from ``HTTPS_PROXY`` & co.).
        no_proxy: ``True`` to use no proxy whatever the environment says.
        user_agent: the ``User-Agent`` header (default ``tokenbridge/<version>``).
        allow_http: allow plain ``http://`` URLs (tests and labs only).
        max_response_bytes: the largest body accepted (default 1 MiB).
        tls_roots: :class:`TlsRoots` (default bundled Mozilla roots).
        extra_ca_file: a PEM file of extra CAs (checked when a client is created).
        retries: :class:`Retries`.
        refresh_ahead: how long before expiry a token is refreshed (default 60 s).
        end_session_on_close: uContact: end a live session on close (default on).
        dns_cache_ttl: how long a client keeps the addresses its host name resolved to
            (default 60 s, as libcurl); ``0`` asks DNS before every request. A failed
            connection forgets them at once.
        token_store: share tokens with the other processes (and hosts) using the
            same credentials: ``"file:///var/lib/app/tokens"``, ``"redis://user:pass@host:6379/0"``
            or ``"rediss://..."`` (default: none, each process logs in on its own).
            Its credentials are masked in ``repr``. With a store, closing a uContact
            client leaves the fleet's session open; ``end_session()`` ends it for
            every process and removes it from the store.
    """

    timeout_connect: Optional[float] = None
    timeout_send: Optional[float] = None
    timeout_receive: Optional[float] = None
    proxy: Optional[str] = None
    no_proxy: bool = False
    user_agent: Optional[str] = None
    allow_http: Optional[bool] = None
    max_response_bytes: Optional[int] = None
    tls_roots: Optional[TlsRoots] = None
    extra_ca_file: Optional[Union[str, "os.PathLike[str]"]] = None
    retries: Optional[Retries] = None
    refresh_ahead: Optional[float] = None
    end_session_on_close: Optional[bool] = None
    dns_cache_ttl: Optional[float] = None
    token_store: Optional[str] = None

    def __post_init__(self) -> None:
        if self.proxy is not None and self.no_proxy:
            raise InvalidArgumentError(
                "invalid argument `proxy`: give either proxy or no_proxy, not both",
                _INVALID_ARGUMENT,
            )
        with self._native():  # let the library check every setting now
            pass

    def __repr__(self) -> str:
        # Only the settings given; a proxy's password is masked.
        from dataclasses import fields  # here: only a repr() needs it

        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            if f.name in ("proxy", "token_store") and value is not None:
                value = mask_url(value)
            parts.append("{}={!r}".format(f.name, value))
        return "Config({})".format(", ".join(parts))

    def _native(self) -> Any:
        """A ``tb_config`` holding these settings, freed when the ``with`` block it
        is given to ends."""
        lib = _native.lib()
        cfg = lib.tb_config_new()
        if not cfg:
            raise MemoryError("tb_config_new returned NULL")
        try:
            self._apply(lib, cfg)
        except BaseException:
            lib.tb_config_free(cfg)
            raise
        return _native.owned(cfg, lib.tb_config_free)

    def _apply(self, lib: Any, cfg: Any) -> None:
        call = _native.call
        if self.timeout_connect is not None:
            call(lib.tb_config_set_timeout_connect_ms, cfg, _ms("timeout_connect", self.timeout_connect))
        if self.timeout_send is not None:
            call(lib.tb_config_set_timeout_send_ms, cfg, _ms("timeout_send", self.timeout_send))
        if self.timeout_receive is not None:
            call(lib.tb_config_set_timeout_receive_ms, cfg, _ms("timeout_receive", self.timeout_receive))
        if self.proxy is not None:
            call(lib.tb_config_set_proxy, cfg, _native.encode("proxy", self.proxy))
        if self.no_proxy:
            call(lib.tb_config_set_no_proxy, cfg)
        if self.token_store is not None:
            call(lib.tb_config_set_token_store, cfg, _native.encode("token_store", self.token_store))
        if self.user_agent is not None:
            call(lib.tb_config_set_user_agent, cfg, _native.encode("user_agent", self.user_agent))
        if self.allow_http is not None:
            call(lib.tb_config_set_allow_http, cfg, bool(self.allow_http))
        if self.max_response_bytes is not None:
            n = _native.unsigned("max_response_bytes", self.max_response_bytes, 64)
            call(lib.tb_config_set_max_response_bytes, cfg, n)
        if self.tls_roots is not None:
            from ._enums import TlsRoots

            call(lib.tb_config_set_tls_roots, cfg, int(TlsRoots(self.tls_roots)))
        if self.extra_ca_file is not None:
            path = _native.encode("extra_ca_file", self.extra_ca_file)
            call(lib.tb_config_set_extra_ca_file, cfg, path)
        if self.retries is not None:
            r = self.retries
            call(
                lib.tb_config_set_retries,
                cfg,
                _native.unsigned("max_retries", r.max_retries, 32),
                _ms("base_delay", r.base_delay),
                _ms("max_delay", r.max_delay),
            )
        if self.refresh_ahead is not None:
            call(lib.tb_config_set_refresh_ahead_ms, cfg, _ms("refresh_ahead", self.refresh_ahead))
        if self.end_session_on_close is not None:
            call(lib.tb_config_set_end_session_on_close, cfg, bool(self.end_session_on_close))
        if self.dns_cache_ttl is not None:
            call(lib.tb_config_set_dns_cache_ttl_ms, cfg, _ms("dns_cache_ttl", self.dns_cache_ttl))


def _ms(name: str, seconds: float) -> int:
    """Seconds as whole milliseconds (a positive time never rounds down to 0)."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError("{} must be a number of seconds, not {}".format(name, type(seconds).__name__))
    if not _native.finite(seconds) or seconds < 0:
        raise InvalidArgumentError(
            "invalid argument `{}`: {} is not a non-negative number of seconds".format(name, seconds),
            _INVALID_ARGUMENT,
        )
    ms = int(round(seconds * 1000))
    if ms == 0 and seconds > 0:
        ms = 1
    return _native.unsigned(name, ms, 64)


def mask_url(url: str) -> str:
    """``url`` with the password of its user info replaced by ``***``."""
    import urllib.parse  # here: only a repr() needs it

    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "***"
    if parts.password is None and "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    netloc = "{}:***@{}".format(user, host) if ":" in userinfo else "***@{}".format(host)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
