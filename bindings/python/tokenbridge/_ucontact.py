"""The uContact client (``tokenbridge.clients.UContactClient``), in a module of its own
so that it is made on first use (PEP 562 ``__getattr__`` in clients.py and the
package): its signature's default, ``LoginKind.API_USER``, needs :mod:`enum`, which
costs more to import than the rest of the package."""

from __future__ import annotations

from ctypes import byref

# typing only for annotations (strings here, never evaluated) and type checkers.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

    from .config import Config

from . import _native
from ._enums import LoginKind
from .clients import _Client
from ._profile import AgentProfile


class UContactClient(_Client):
    """A uContact client (contact center).

    ``server`` is the cloud domain (``"mycompany"``) or a full URL. ``kind`` picks
    the login: :attr:`LoginKind.API_USER` (``getUserToken``) or
    :attr:`LoginKind.AGENT` (``AgentLogin``). Nothing is sent until the first call.
    """

    __module__ = "tokenbridge.clients"
    _API = "ucontact"

    def __init__(
        self,
        server: str,
        user: str,
        password: str,
        *,
        kind: LoginKind = LoginKind.API_USER,
        config: Optional[Config] = None,
    ) -> None:
        lib = _native.lib()
        super().__init__(
            lib.tb_ucontact_client_new,
            config,
            _native.encode("server", server),
            _native.encode("user", user),
            _native.encode("password", password),
            int(LoginKind(kind)),
        )

    def get_user_token(self) -> str:
        """Gets a new client token for the API user (``getUserToken``), also cached."""
        return self._string_op("get_user_token")

    def agent_login(self) -> AgentProfile:
        """Logs the agent in (``AgentLogin``) and returns its profile."""
        lib = self._lib
        with _native.answer(_native.PROFILE_P, lib.tb_agent_profile_free) as out:
            self._call(lib.tb_ucontact_agent_login, byref(out))
            return AgentProfile._read(lib, out)

    def end_session(self) -> None:
        """Ends the live session (``EndSession``); does nothing without one."""
        self._call(self._lib.tb_ucontact_end_session)

    def set_token(self, token: str) -> None:
        """Uses a session token obtained elsewhere."""
        self._call(self._lib.tb_ucontact_set_token, _native.encode("token", token))
