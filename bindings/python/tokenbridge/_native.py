"""ctypes declarations of the tokenbridge C ABI (docs/c-api.md, include/tokenbridge.h).

Everything here is private: the rest of the package goes through :func:`lib`,
:func:`encode`, :func:`take_string`, :func:`lent`, :func:`answer` and :func:`check`.

Memory rules (the header's "Strings"), each in one place here:

* Owned strings (a client call's ``char **out``: tokens, links, messages, and the
  last-error texts) are declared ``c_void_p`` (never ``c_char_p``, which would copy
  the text and lose the pointer, so it could never be freed), copied and released
  with ``tb_string_free`` by :func:`take_string`.
* Lent strings (an answer handle's ``const char **out`` + ``size_t *out_len``) are
  copied with ``ctypes.string_at(ptr, len)`` by :func:`lent` / :func:`lent_text` and
  never freed: they live until the handle's ``*_free``, which :func:`answer` calls
  in ``finally``.
* The only ``c_char_p`` results are the static strings of ``tb_version`` and
  ``tb_status_name``, which must not be freed.
"""

from __future__ import annotations

import ctypes
import os
import sys
from _thread import allocate_lock  # threading.Lock: threading costs more than this module
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int32,
    c_size_t,
    c_int64,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
# typing only for annotations (strings here, never evaluated) and type checkers:
# importing it costs more than this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Type, Union

from .errors import (
    _ABSENT,
    _INVALID_ARGUMENT,
    _PANIC,
    InternalError,
    InvalidArgumentError,
    TokenBridgeError,
    error_class,
)

if TYPE_CHECKING:  # aliases for annotations
    Names = Optional[Mapping[str, str]]

ENV_VAR = "TOKENBRIDGE_LIBRARY"

if sys.platform == "win32":
    LIBRARY_FILE = "tokenbridge.dll"
elif sys.platform == "darwin":
    LIBRARY_FILE = "libtokenbridge.dylib"
else:
    LIBRARY_FILE = "libtokenbridge.so"


class LibraryNotFoundError(OSError):
    """The native tokenbridge library could not be found or loaded."""


# Opaque handle types: distinct so that ctypes refuses a handle of the wrong kind.
class TbConfig(Structure):
    pass


class TbUContactClient(Structure):
    pass


class TbYativoClient(Structure):
    pass


class TbAnnaClient(Structure):
    pass


class TbCallOptions(Structure):
    pass


class TbCancelToken(Structure):
    pass


class TbRequest(Structure):
    pass


class TbResponse(Structure):
    pass


class TbAgentProfile(Structure):
    pass


class TbAccessData(Structure):
    pass


class TbMessengerStructure(Structure):
    pass


class TbMessengerRequests(Structure):
    pass


class TbMessengerFilter(Structure):
    pass


class TbYativoEvent(Structure):
    pass


class TbDatetime(Structure):
    """``tb_datetime``: a date and time as numbers (the server's local time)."""

    _fields_ = [
        ("year", c_int32),
        ("month", c_int32),
        ("day", c_int32),
        ("hour", c_int32),
        ("minute", c_int32),
        ("second", c_int32),
    ]


CONFIG_P = POINTER(TbConfig)
OPTIONS_P = POINTER(TbCallOptions)
CANCEL_P = POINTER(TbCancelToken)
REQUEST_P = POINTER(TbRequest)
RESPONSE_P = POINTER(TbResponse)
UCONTACT_P = POINTER(TbUContactClient)
YATIVO_P = POINTER(TbYativoClient)
ANNA_P = POINTER(TbAnnaClient)
PROFILE_P = POINTER(TbAgentProfile)
ACCESS_P = POINTER(TbAccessData)
STRUCTURE_P = POINTER(TbMessengerStructure)
REQUESTS_P = POINTER(TbMessengerRequests)
FILTER_P = POINTER(TbMessengerFilter)
EVENT_P = POINTER(TbYativoEvent)

STATUS = c_int32  # tb_status: an int32_t-sized C enum
OUT_STR = POINTER(c_void_p)  # char **: library-allocated, freed by tb_string_free
OUT_I64 = POINTER(c_int64)
OUT_U64 = POINTER(c_uint64)
OUT_U16 = POINTER(c_uint16)
OUT_BORROWED = POINTER(c_void_p)  # const char ** / const uint8_t **: borrowed, never freed
OUT_SIZE = POINTER(c_size_t)
OUT_I32 = POINTER(c_int32)  # tb_messenger_status * / tb_messenger_pending *
# An accessor's lent text: const char **out, size_t *out_len.
LENT = [OUT_BORROWED, OUT_SIZE]

# typedef void (*tb_log_callback)(void *user_data, tb_log_level level, const char *target,
#                                 size_t target_len, const char *message, size_t message_len)
LOG_CALLBACK = CFUNCTYPE(None, c_void_p, c_int32, c_void_p, c_size_t, c_void_p, c_size_t)

# name: (restype, argtypes)
_SIGNATURES = {
    # version, status names, strings, last error
    "tb_version": (c_char_p, []),
    "tb_version_number": (c_uint32, []),
    "tb_status_name": (c_char_p, [STATUS]),
    "tb_string_free": (None, [c_void_p]),
    "tb_last_error_status": (STATUS, []),
    "tb_last_error_message": (c_void_p, []),
    "tb_last_error_http_status": (c_uint16, []),
    "tb_last_error_vendor_message": (c_void_p, []),
    "tb_last_error_parameter": (c_void_p, []),
    "tb_last_error_reason": (c_void_p, []),
    # config
    "tb_config_new": (CONFIG_P, []),
    "tb_config_free": (None, [CONFIG_P]),
    "tb_config_set_timeout_connect_ms": (STATUS, [CONFIG_P, c_uint64]),
    "tb_config_set_timeout_send_ms": (STATUS, [CONFIG_P, c_uint64]),
    "tb_config_set_timeout_receive_ms": (STATUS, [CONFIG_P, c_uint64]),
    "tb_config_set_proxy": (STATUS, [CONFIG_P, c_char_p]),
    "tb_config_set_no_proxy": (STATUS, [CONFIG_P]),
    "tb_config_set_token_store": (STATUS, [CONFIG_P, c_char_p]),
    "tb_config_set_user_agent": (STATUS, [CONFIG_P, c_char_p]),
    "tb_config_set_allow_http": (STATUS, [CONFIG_P, c_bool]),
    "tb_config_set_max_response_bytes": (STATUS, [CONFIG_P, c_uint64]),
    "tb_config_set_tls_roots": (STATUS, [CONFIG_P, c_int32]),
    "tb_config_set_extra_ca_file": (STATUS, [CONFIG_P, c_char_p]),
    "tb_config_set_retries": (STATUS, [CONFIG_P, c_uint32, c_uint64, c_uint64]),
    "tb_config_set_refresh_ahead_ms": (STATUS, [CONFIG_P, c_uint64]),
    "tb_config_set_dns_cache_ttl_ms": (STATUS, [CONFIG_P, c_uint64]),
    "tb_config_set_end_session_on_close": (STATUS, [CONFIG_P, c_bool]),
    # logging
    "tb_set_log_callback": (STATUS, [LOG_CALLBACK, c_int32, c_void_p]),
    # deadlines and cancellation
    "tb_cancel_token_new": (CANCEL_P, []),
    "tb_cancel_token_cancel": (None, [CANCEL_P]),
    "tb_cancel_token_is_cancelled": (c_bool, [CANCEL_P]),
    "tb_cancel_token_free": (None, [CANCEL_P]),
    "tb_call_options_new": (OPTIONS_P, []),
    "tb_call_options_set_deadline_ms": (STATUS, [OPTIONS_P, c_uint64]),
    "tb_call_options_set_cancel_token": (STATUS, [OPTIONS_P, CANCEL_P]),
    "tb_call_options_free": (None, [OPTIONS_P]),
    "tb_ucontact_client_with_options": (STATUS, [UCONTACT_P, OPTIONS_P, POINTER(UCONTACT_P)]),
    "tb_yativo_client_with_options": (STATUS, [YATIVO_P, OPTIONS_P, POINTER(YATIVO_P)]),
    "tb_anna_client_with_options": (STATUS, [ANNA_P, OPTIONS_P, POINTER(ANNA_P)]),
    # requests and responses
    "tb_request_new": (STATUS, [c_char_p, c_char_p, POINTER(REQUEST_P)]),
    "tb_request_add_query": (STATUS, [REQUEST_P, c_char_p, c_char_p]),
    "tb_request_add_header": (STATUS, [REQUEST_P, c_char_p, c_char_p]),
    "tb_request_add_form_field": (STATUS, [REQUEST_P, c_char_p, c_char_p]),
    "tb_request_set_json": (STATUS, [REQUEST_P, c_char_p]),
    "tb_request_set_body": (STATUS, [REQUEST_P, c_char_p, c_char_p, c_size_t]),
    "tb_request_set_idempotency_key": (STATUS, [REQUEST_P, c_char_p]),
    "tb_request_allow_authorization_header": (STATUS, [REQUEST_P, c_bool]),
    "tb_request_free": (None, [REQUEST_P]),
    "tb_ucontact_send": (STATUS, [UCONTACT_P, REQUEST_P, POINTER(RESPONSE_P)]),
    "tb_yativo_send": (STATUS, [YATIVO_P, REQUEST_P, POINTER(RESPONSE_P)]),
    "tb_anna_send": (STATUS, [ANNA_P, REQUEST_P, POINTER(RESPONSE_P)]),
    "tb_response_status": (c_uint16, [RESPONSE_P]),
    "tb_response_body": (STATUS, [RESPONSE_P, OUT_BORROWED, OUT_SIZE]),
    "tb_response_header_count": (c_size_t, [RESPONSE_P]),
    "tb_response_header_at": (
        STATUS,
        [RESPONSE_P, c_size_t, OUT_BORROWED, OUT_SIZE, OUT_BORROWED, OUT_SIZE],
    ),
    "tb_response_header": (STATUS, [RESPONSE_P, c_char_p, OUT_BORROWED, OUT_SIZE]),
    "tb_response_free": (None, [RESPONSE_P]),
    # uContact
    "tb_ucontact_client_new": (
        STATUS,
        [CONFIG_P, c_char_p, c_char_p, c_char_p, c_int32, POINTER(UCONTACT_P)],
    ),
    "tb_ucontact_client_free": (None, [UCONTACT_P]),
    "tb_ucontact_get_user_token": (STATUS, [UCONTACT_P, OUT_STR]),
    "tb_ucontact_agent_login": (STATUS, [UCONTACT_P, POINTER(PROFILE_P)]),
    "tb_ucontact_end_session": (STATUS, [UCONTACT_P]),
    "tb_ucontact_token": (STATUS, [UCONTACT_P, OUT_STR]),
    "tb_ucontact_set_token": (STATUS, [UCONTACT_P, c_char_p]),
    # Yativo
    "tb_yativo_client_new": (
        STATUS,
        [CONFIG_P, c_char_p, c_char_p, c_char_p, POINTER(YATIVO_P)],
    ),
    "tb_yativo_client_free": (None, [YATIVO_P]),
    "tb_yativo_login": (STATUS, [YATIVO_P, OUT_STR, OUT_I64]),
    "tb_yativo_refresh_token": (STATUS, [YATIVO_P, OUT_STR, OUT_I64]),
    "tb_yativo_token": (STATUS, [YATIVO_P, OUT_STR]),
    "tb_yativo_set_token": (STATUS, [YATIVO_P, c_char_p, c_int64]),
    # AnnA
    "tb_anna_client_new": (
        STATUS,
        [CONFIG_P, c_char_p, c_char_p, c_char_p, c_char_p, POINTER(ANNA_P)],
    ),
    "tb_anna_client_free": (None, [ANNA_P]),
    "tb_anna_get_token": (STATUS, [ANNA_P, OUT_STR, OUT_I64]),
    "tb_anna_user_hash": (STATUS, [ANNA_P, c_char_p, c_char_p, POINTER(ACCESS_P)]),
    "tb_anna_user_hash_forced": (
        STATUS,
        [ANNA_P, c_char_p, c_char_p, c_char_p, POINTER(ACCESS_P)],
    ),
    "tb_anna_inactivate_user": (STATUS, [ANNA_P, c_char_p, OUT_STR]),
    "tb_anna_messenger_structure": (STATUS, [ANNA_P, POINTER(STRUCTURE_P)]),
    "tb_anna_messenger_alert_counter": (
        STATUS,
        [ANNA_P, c_char_p, c_char_p, c_char_p, FILTER_P, OUT_U64],
    ),
    "tb_anna_messenger_requests": (
        STATUS,
        [ANNA_P, c_char_p, c_char_p, c_char_p, FILTER_P, POINTER(REQUESTS_P)],
    ),
    "tb_anna_messenger_link": (
        STATUS,
        [ANNA_P, c_char_p, c_char_p, c_char_p, OUT_STR],
    ),
    "tb_anna_token": (STATUS, [ANNA_P, OUT_STR]),
    "tb_anna_set_token": (STATUS, [ANNA_P, c_char_p, c_int64]),
    # Yativo webhooks
    "tb_yativo_webhook_verify": (
        STATUS,
        [c_char_p, c_size_t, c_char_p, c_char_p, POINTER(c_char_p), c_size_t, POINTER(EVENT_P)],
    ),
    "tb_yativo_event_type": (STATUS, [EVENT_P] + LENT),
    "tb_yativo_event_id": (STATUS, [EVENT_P] + LENT),
    "tb_yativo_event_data_json": (STATUS, [EVENT_P] + LENT),
    "tb_yativo_event_created_at": (STATUS, [EVENT_P, OUT_I64]),
    "tb_yativo_event_secret_index": (STATUS, [EVENT_P, OUT_SIZE]),
    "tb_yativo_event_free": (None, [EVENT_P]),
    # the agent profile (U2)
    "tb_agent_profile_name": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_host": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_nat": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_type": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_accountcode": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_callgroup": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_callerid": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_canreinvite": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_context": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_dtmfmode": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_insecure": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_language": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_mailbox": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_pickupgroup": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_qualify": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_disallow": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_allow": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_port": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_defaultuser": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_subscribecontext": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_record": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_email": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_phonetype": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_transport": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_encryption": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_did": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_outboundproxy": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_fullname": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_loglevel": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_token": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_get": (STATUS, [PROFILE_P, c_char_p] + LENT),
    "tb_agent_profile_field_count": (c_size_t, [PROFILE_P]),
    "tb_agent_profile_field_at": (STATUS, [PROFILE_P, c_size_t] + LENT + LENT),
    "tb_agent_profile_id": (STATUS, [PROFILE_P, OUT_I64]),
    "tb_agent_profile_limite": (STATUS, [PROFILE_P, OUT_I64]),
    "tb_agent_profile_raw_json": (STATUS, [PROFILE_P] + LENT),
    "tb_agent_profile_free": (None, [PROFILE_P]),
    # access data (A2, A3)
    "tb_access_data_hash": (STATUS, [ACCESS_P] + LENT),
    "tb_access_data_chat_url": (STATUS, [ACCESS_P] + LENT),
    "tb_access_data_embedded_url": (STATUS, [ACCESS_P] + LENT),
    "tb_access_data_expires": (STATUS, [ACCESS_P, POINTER(TbDatetime)]),
    "tb_access_data_expires_raw": (STATUS, [ACCESS_P] + LENT),
    "tb_access_data_raw_json": (STATUS, [ACCESS_P] + LENT),
    "tb_access_data_free": (None, [ACCESS_P]),
    # the messenger structure (A5)
    "tb_messenger_structure_companies_hash": (STATUS, [STRUCTURE_P] + LENT),
    "tb_messenger_structure_companies_name": (STATUS, [STRUCTURE_P] + LENT),
    "tb_messenger_structure_department_count": (c_size_t, [STRUCTURE_P]),
    "tb_messenger_structure_department": (STATUS, [STRUCTURE_P, c_size_t] + LENT + LENT),
    "tb_messenger_structure_channel_count": (c_size_t, [STRUCTURE_P, c_size_t]),
    "tb_messenger_structure_channel": (
        STATUS,
        [STRUCTURE_P, c_size_t, c_size_t] + LENT + LENT,
    ),
    "tb_messenger_structure_raw_json": (STATUS, [STRUCTURE_P] + LENT),
    "tb_messenger_structure_free": (None, [STRUCTURE_P]),
    # messenger requests (A7)
    "tb_messenger_requests_count": (c_size_t, [REQUESTS_P]),
    "tb_messenger_requests_department": (STATUS, [REQUESTS_P, c_size_t] + LENT),
    "tb_messenger_requests_channel": (STATUS, [REQUESTS_P, c_size_t] + LENT),
    "tb_messenger_requests_description": (STATUS, [REQUESTS_P, c_size_t] + LENT),
    "tb_messenger_requests_opened_at": (STATUS, [REQUESTS_P, c_size_t] + LENT),
    "tb_messenger_requests_protocol": (STATUS, [REQUESTS_P, c_size_t] + LENT),
    "tb_messenger_requests_status_raw": (STATUS, [REQUESTS_P, c_size_t] + LENT),
    "tb_messenger_requests_link": (STATUS, [REQUESTS_P, c_size_t] + LENT),
    "tb_messenger_requests_status": (STATUS, [REQUESTS_P, c_size_t, OUT_I32]),
    "tb_messenger_requests_pending": (STATUS, [REQUESTS_P, c_size_t, OUT_I32]),
    "tb_messenger_requests_get": (STATUS, [REQUESTS_P, c_size_t, c_char_p] + LENT),
    "tb_messenger_requests_field_count": (c_size_t, [REQUESTS_P, c_size_t]),
    "tb_messenger_requests_field_at": (
        STATUS,
        [REQUESTS_P, c_size_t, c_size_t] + LENT + LENT,
    ),
    "tb_messenger_requests_raw_json": (STATUS, [REQUESTS_P] + LENT),
    "tb_messenger_requests_free": (None, [REQUESTS_P]),
    # the messenger filter (A6, A7)
    "tb_messenger_filter_new": (FILTER_P, []),
    "tb_messenger_filter_set_department_alias": (STATUS, [FILTER_P, c_char_p]),
    "tb_messenger_filter_set_channel_alias": (STATUS, [FILTER_P, c_char_p]),
    "tb_messenger_filter_set_date_from": (STATUS, [FILTER_P, c_int32, c_int32, c_int32]),
    "tb_messenger_filter_set_date_to": (STATUS, [FILTER_P, c_int32, c_int32, c_int32]),
    "tb_messenger_filter_set_status": (STATUS, [FILTER_P, c_int32]),
    "tb_messenger_filter_set_pending": (STATUS, [FILTER_P, c_int32]),
    "tb_messenger_filter_free": (None, [FILTER_P]),
}

_lib: Optional[ctypes.CDLL] = None
_lock = allocate_lock()


def _after_fork_in_child() -> None:
    # A thread of the parent may have been loading the library at the fork: its
    # lock would stay held in the child, where that thread does not exist.
    global _lock
    _lock = allocate_lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _package_dir() -> str:
    # os.path rather than pathlib: pathlib alone costs more to import than this module.
    return os.path.dirname(os.path.realpath(__file__))


def _candidates() -> List[str]:
    """Where the library may be, in the order tried (see :func:`lib`)."""
    package_dir = _package_dir()
    found: List[str] = [
        os.path.join(package_dir, LIBRARY_FILE),  # shipped inside the package
        os.path.join(os.path.dirname(package_dir), LIBRARY_FILE),  # beside the package folder
    ]
    return [p for p in found if os.path.isfile(p)]


def _load() -> ctypes.CDLL:
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        try:
            return _Library(explicit)
        except OSError as e:
            raise LibraryNotFoundError(
                "cannot load the tokenbridge library from {}={!r}: {}".format(
                    ENV_VAR, explicit, e
                )
            ) from e
    tried: List[str] = []
    for path in _candidates():
        try:
            return _Library(path)
        except OSError as e:
            tried.append("{} ({})".format(path, e))
    # Only here: ctypes.util imports subprocess, shutil and tempfile. (Bound under its
    # own name: `import ctypes.util` would make `ctypes` local to this function.)
    import ctypes.util as ctypes_util

    name = ctypes_util.find_library("tokenbridge")
    if name:
        try:
            return _Library(name)
        except OSError as e:
            tried.append("{} ({})".format(name, e))
    package_dir = _package_dir()
    raise LibraryNotFoundError(
        "the tokenbridge native library ({}) was not found: set {} to its full path, "
        "or put it in {} or {}, or install it where the system linker looks{}".format(
            LIBRARY_FILE,
            ENV_VAR,
            package_dir,
            os.path.dirname(package_dir),
            "; tried: " + "; ".join(tried) if tried else "",
        )
    )


class _Library(ctypes.CDLL):
    """The loaded library. Each function gets its ``restype`` and ``argtypes``
    (from :data:`_SIGNATURES`) when first used rather than all of them at load,
    which took a millisecond, most of a cold start's native part."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        fn = self[name]
        signature = _SIGNATURES.get(name)
        if signature is not None:
            fn.restype, fn.argtypes = signature  # type: ignore[misc,assignment]
        # Published once declared: another thread never sees it half done (two
        # threads may each declare one; either is kept).
        setattr(self, name, fn)
        return fn


def _check(cdll: ctypes.CDLL) -> None:
    """Refuses a library lacking a function of :data:`_SIGNATURES` (an older or
    different build), at load rather than at the first call that needs it."""
    import _ctypes

    dlsym = getattr(_ctypes, "dlsym", None)  # POSIX; elsewhere, ctypes's own lookup
    missing = []
    for name in _SIGNATURES:
        try:
            if dlsym is not None:
                dlsym(cdll._handle, name)
            else:
                cdll[name]
        except (AttributeError, OSError):
            missing.append(name)
    if missing:
        raise LibraryNotFoundError(
            "the tokenbridge library at {} lacks {} (an older or different build?)".format(
                getattr(cdll, "_name", "?"), ", ".join(missing)
            )
        )


def lib() -> ctypes.CDLL:
    """The loaded, declared library (loaded on first use).

    Lookup: the environment variable ``TOKENBRIDGE_LIBRARY`` (a full path), else the
    library file inside or beside this package, else
    ``ctypes.util.find_library("tokenbridge")``.
    """
    global _lib
    if _lib is None:
        with _lock:
            if _lib is None:
                cdll = _load()
                _check(cdll)
                _lib = cdll
    return _lib


def encode(name: str, value: Optional[Union[str, "os.PathLike[str]"]]) -> Optional[bytes]:
    """A string argument as NUL-terminated UTF-8 (``None`` stays NULL).

    A lone surrogate is passed on as the (invalid) UTF-8 it would be, so that the
    library refuses it with ``TB_INVALID_ARGUMENT`` naming the parameter, like any
    other invalid UTF-8. A NUL character cannot cross a C string: refused here.
    """
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
        if isinstance(value, bytes):
            data = value
        else:
            data = value.encode("utf-8", "surrogatepass")
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
    else:
        raise TypeError(
            "{} must be a str, not {}".format(name, type(value).__name__)
        )
    if b"\0" in data:
        raise InvalidArgumentError(
            "invalid argument `{}`: contains a NUL character".format(name),
            _INVALID_ARGUMENT,
        )
    return data


def finite(number: float) -> bool:
    """``math.isfinite`` of an int or float (math is an extension module: a file
    to load), with its ``OverflowError`` for an int too large for a float."""
    f = float(number)
    return f - f == 0.0


def unsigned(name: str, value: Any, bits: int) -> int:
    """An integer argument checked to fit an unsigned C type (ctypes would wrap it)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("{} must be an int, not {}".format(name, type(value).__name__))
    if not 0 <= value < (1 << bits):
        raise InvalidArgumentError(
            "invalid argument `{}`: {} is out of range (0 to 2^{}-1)".format(
                name, value, bits
            ),
            _INVALID_ARGUMENT,
        )
    return value


def take_string(ptr: Optional[int]) -> Optional[str]:
    """Copies a library-allocated string and frees it (``None`` for NULL)."""
    if not ptr:
        return None
    try:
        return ctypes.string_at(ptr).decode("utf-8")
    finally:
        lib().tb_string_free(ptr)


def take_out(out: c_void_p) -> str:
    """Copies and frees a string written to a ``char **`` out-parameter on success."""
    text = take_string(out.value)
    if text is None:  # the contract writes a string on success; be explicit if not
        raise InternalError("the library returned TB_OK without a string", _PANIC)
    return text


def lent_bytes(ptr: c_void_p, size: c_size_t) -> Optional[bytes]:
    """A copy of lent bytes (``None`` for NULL). Never freed: the handle owns them."""
    if not ptr.value:
        return None
    return ctypes.string_at(ptr.value, size.value)


def lent_text(ptr: c_void_p, size: c_size_t) -> Optional[str]:
    """A copy of a lent string, by its length (it may hold a NUL), decoded as
    UTF-8 (``None`` for NULL: a field the answer lacks). Never freed."""
    data = lent_bytes(ptr, size)
    return None if data is None else data.decode("utf-8", "replace")


def present(status: int) -> bool:
    """A getter's status: ``True`` for TB_OK, ``False`` for TB_ABSENT (the answer
    does not have the field: not a failure); raises for anything else."""
    if status == _ABSENT:
        return False
    check(status)
    return True


def lent(fn: Callable[..., int], *args: Any) -> Optional[str]:
    """Runs a text getter ``fn(*args, const char **out, size_t *out_len)`` and
    copies the string it lent (``None`` for TB_ABSENT: the answer lacks it)."""
    ptr, size = c_void_p(), c_size_t(0)
    if not present(fn(*args, ctypes.byref(ptr), ctypes.byref(size))):
        return None
    return lent_text(ptr, size)


def value(fn: Callable[..., int], *args: Any, out: Any) -> Any:
    """Runs a typed getter ``fn(*args, T *out)`` into the ctypes object ``out``:
    its value, or ``None`` for TB_ABSENT."""
    if not present(fn(*args, ctypes.byref(out))):
        return None
    return out.value if hasattr(out, "value") else out


def lent_pair(fn: Callable[..., int], *args: Any) -> Tuple[Optional[str], Optional[str]]:
    """Runs an accessor that lends two strings (name and value, alias and name)."""
    a, a_len, b, b_len = c_void_p(), c_size_t(0), c_void_p(), c_size_t(0)
    check(fn(*args, ctypes.byref(a), ctypes.byref(a_len), ctypes.byref(b), ctypes.byref(b_len)))
    return lent_text(a, a_len), lent_text(b, b_len)



def lent_fields(count: int, at: Callable[..., int], *args: Any) -> Dict[str, str]:
    """Every ``(name, value)`` of an answer by iteration (``at(*args, k, ...)`` for ``k``
    below ``count``), values as text."""
    out: Dict[str, str] = {}
    for k in range(count):
        name, value = lent_pair(at, *args, k)
        if name is not None:
            out[name] = value if value is not None else ""
    return out


def json_text(text: str) -> Any:
    """An escape hatch's JSON text, parsed (:mod:`json`), or ``None`` without one."""
    import json  # here, not with the package: most callers never need it

    return json.loads(text) if text else None


# The default of json= (Request, client.call): no JSON body, not even null.
NO_JSON: Any = object()


class owned:
    """A context manager giving ``handle`` to its ``with`` block and calling
    ``free(handle)`` when the block ends, whatever happens (``free=None``: nothing to
    free). A class rather than ``contextlib.contextmanager``: contextlib costs more
    to import than this module, and a generator more per call."""

    __slots__ = ("handle", "free")

    def __init__(self, handle: Any, free: Optional[Callable[[Any], None]]) -> None:
        self.handle = handle
        self.free = free

    def __enter__(self) -> Any:
        return self.handle

    def __exit__(self, *exc: Any) -> None:
        if self.free is not None:
            self.free(self.handle)


def answer(pointer_type: Type[Any], free: Callable[[Any], None]) -> owned:
    """A NULL handle of ``pointer_type`` for a call's ``**out``, freed with ``free``
    on the way out whatever happens (``*_free(NULL)`` does nothing). Everything
    read from it must be copied inside the block: its lent strings die with it."""
    return owned(pointer_type(), free)


# How Python spells a C parameter the library names (tb_last_error_parameter()):
# durations are seconds, not milliseconds, so `timeout_connect_ms` is
# `timeout_connect`; a call's own map (``names``) comes first. The reason is the
# library's (tb_last_error_reason()), with NULL said the Python way.
_NULL_REASON = "is NULL"


def python_name(c_name: str, names: Names = None) -> str:
    """The Python name of the C parameter ``c_name``."""
    if names and c_name in names:
        return names[c_name]
    if c_name.endswith("_ms"):
        return c_name[:-3]
    return c_name


def invalid_argument_message(c_name: str, reason: str, names: Names = None) -> str:
    """The message of an :class:`InvalidArgumentError`, in the Python user's terms."""
    if reason.startswith(_NULL_REASON):
        reason = "is None" + reason[len(_NULL_REASON):]
    return "invalid argument `{}`: {}".format(python_name(c_name, names), reason)


def check(status: int, names: Names = None) -> None:
    """Raises the exception for a failed call, from the thread's last error.

    Must run right after the failing call, on the same thread (the last error is
    thread-local, and the next fallible call clears it).
    """
    if status == 0:
        return
    raise last_error(status, names)


def last_error(status: int, names: Names = None) -> TokenBridgeError:
    """The exception for ``status``, with the thread's last error message, HTTP
    status and vendor message."""
    cdll = lib()
    message = take_string(cdll.tb_last_error_message())
    http_status = int(cdll.tb_last_error_http_status())
    vendor_message = take_string(cdll.tb_last_error_vendor_message())
    parameter = take_string(cdll.tb_last_error_parameter())
    reason = take_string(cdll.tb_last_error_reason())
    if parameter is not None and reason is not None:
        message = invalid_argument_message(parameter, reason, names)
    elif not message:
        message = status_name(status)
    return error_class(status)(message, status, http_status or None, vendor_message)


def status_name(status: int) -> str:
    """``tb_status_name``: e.g. ``"TB_REJECTED"`` (a static string, not freed)."""
    name = lib().tb_status_name(status)
    return name.decode("utf-8") if name else "TB_STATUS_{}".format(status)


def call(fn: Callable[..., int], *args: Any, names: Names = None) -> None:
    """Runs a fallible ``tb_`` function and raises on failure; ``names`` maps the C
    parameter names in its message to the Python ones."""
    check(fn(*args), names)
