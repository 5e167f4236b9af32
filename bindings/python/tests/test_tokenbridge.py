"""Tests of the Python binding against the sandbox (docs/sandbox-contract.md).

Run by bindings/python/run-tests.sh, which builds the wheel, installs it in a fresh
virtualenv, starts the sandbox and runs this file with that virtualenv's python,
TOKENBRIDGE_SANDBOX_URL and TOKENBRIDGE_TEST_INSTALLED=1 (test the installed package,
which loads the library inside it), without TOKENBRIDGE_LIBRARY. Without
TOKENBRIDGE_TEST_INSTALLED, the package of this source tree is tested (set
TOKENBRIDGE_LIBRARY then). Standard library only.
"""

import ast
from re import findall as re_findall
import asyncio
import contextlib
import datetime as dt
import logging
import gc
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
import warnings
from pathlib import Path
from typing import Callable, Dict, Iterator, List, cast

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
INSTALLED = os.environ.get("TOKENBRIDGE_TEST_INSTALLED") == "1"
if not INSTALLED:
    sys.path.insert(0, str(PACKAGE_ROOT))

import tokenbridge  # noqa: E402
from tokenbridge import (  # noqa: E402
    AccessData,
    AgentProfile,
    AnnaClient,
    Config,
    InvalidArgumentError,
    LoginKind,
    MessengerFilter,
    MessengerRequest,
    MessengerStructure,
    RejectedError,
    RequestStatus,
    Retries,
    Status,
    Token,
    TokenBridgeError,
    TransportConnectionError,
    TransportError,
    TransportTimeoutError,
    UContactClient,
    WebhookVerificationError,
    YativoClient,
    verify_webhook,
)
from tokenbridge.generic import Request  # noqa: E402

URL = os.environ.get("TOKENBRIDGE_SANDBOX_URL", "")
UCONTACT_USER, UCONTACT_PASSWORD = "apiuser", "s3cret&=+ é"
AGENT, AGENT_PASSWORD = "agent1", "agent-pass"
YATIVO_ACCOUNT, YATIVO_SECRET = "acct-sandbox", "yativo-secret"
ANNA_HASH, ANNA_USER, ANNA_PASS = "COMPANYHASH", "annauser", "anna-pass"

CONFIG: Config = cast(Config, None)  # set in setUpModule (a Config needs the library)

# Objects that were garbage-collected while still open, and other errors raised in
# __del__: the suite fails if there are any (every test closes what it opens).
UNRAISABLE: List[str] = []


def setUpModule() -> None:
    global CONFIG
    if not URL:
        raise RuntimeError(
            "TOKENBRIDGE_SANDBOX_URL is not set: run bindings/python/run-tests.sh"
        )
    # Plain http to the sandbox, no proxy from the environment, no retries (each test
    # sees every answer as it came).
    CONFIG = Config(allow_http=True, no_proxy=True, retries=Retries(0))

    def hook(u: "sys.UnraisableHookArgs") -> None:  # type: ignore[name-defined]
        UNRAISABLE.append("{}: {}".format(u.exc_type.__name__, u.exc_value))

    sys.unraisablehook = hook
    # A client left for the garbage collector becomes an error recorded above.
    warnings.simplefilter("error", ResourceWarning)


def ucontact_url() -> str:
    return URL + "/ucontact"


def yativo_url() -> str:
    return URL + "/yativo/api/v1"


def anna_url() -> str:
    return URL + "/anna/"


def ucontact(user: str = UCONTACT_USER, password: str = UCONTACT_PASSWORD, **kw) -> UContactClient:
    return UContactClient(ucontact_url(), user, password, config=kw.pop("config", CONFIG), **kw)


def agent(**kw) -> UContactClient:
    return ucontact(AGENT, AGENT_PASSWORD, kind=LoginKind.AGENT, **kw)


def yativo(secret: str = YATIVO_SECRET, **kw) -> YativoClient:
    return YativoClient(yativo_url(), YATIVO_ACCOUNT, secret, config=kw.pop("config", CONFIG), **kw)


def anna(password: str = ANNA_PASS, **kw) -> AnnaClient:
    return AnnaClient(anna_url(), ANNA_HASH, ANNA_USER, password, config=kw.pop("config", CONFIG), **kw)


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def stats() -> Dict[str, int]:
    """The sandbox's request counts per operation."""
    with _NO_PROXY.open(URL + "/__sandbox/stats", timeout=10) as r:
        return json.load(r)


class Counter:
    """Counts the requests the sandbox received between two points."""

    def __init__(self) -> None:
        self.before = stats()

    def __getitem__(self, key: str) -> int:
        return stats().get(key, 0) - self.before.get(key, 0)

    def total(self) -> int:
        now = stats()
        return sum(now.values()) - sum(self.before.values())


def fault(**spec: object) -> None:
    """Adds a sandbox fault (docs/sandbox-contract.md)."""
    req = urllib.request.Request(
        URL + "/__sandbox/faults",
        data=json.dumps(spec).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with _NO_PROXY.open(req, timeout=10) as r:
        r.read()


def control(method: str, path: str, body: object = None) -> None:
    """A sandbox control request (docs/sandbox-contract.md), checked for 200."""
    req = urllib.request.Request(
        URL + path,
        data=None if body is None else json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method=method,
    )
    with _NO_PROXY.open(req, timeout=10) as r:
        assert r.status == 200, (method, path, r.status)
        r.read()


def clear_faults() -> None:
    req = urllib.request.Request(URL + "/__sandbox/faults", method="DELETE")
    with _NO_PROXY.open(req, timeout=10) as r:
        r.read()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@contextlib.contextmanager
def captured_logs(level: int = tokenbridge.TRACE) -> Iterator[List[logging.LogRecord]]:
    """The records the library sends to the ``tokenbridge`` logger meanwhile."""
    records: List[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("tokenbridge")
    handler = Keep(level=1)
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(level)
    try:
        tokenbridge.enable_logging(level)
        yield records
    finally:
        tokenbridge.disable_logging()
        logger.removeHandler(handler)
        logger.setLevel(old_level)


class Base(unittest.TestCase):
    def assertAware(self, when: "dt.datetime | None") -> None:
        self.assertIsInstance(when, dt.datetime)
        assert when is not None
        self.assertIsNotNone(when.tzinfo)
        self.assertEqual(when.utcoffset(), dt.timedelta(0))

    def assertSecretFree(self, e: BaseException, *secrets: str) -> None:
        for text in (str(e), repr(e), str(getattr(e, "vendor_message", ""))):
            for s in secrets:
                self.assertNotIn(s, text)


# ---------------------------------------------------------------------------------
class T01Library(Base):
    def test_version(self) -> None:
        v = tokenbridge.library_version()
        parts = [int(p) for p in v.split(".")]
        self.assertEqual(len(parts), 3, v)
        self.assertEqual(
            tokenbridge.library_version_number(), parts[0] * 10000 + parts[1] * 100 + parts[2]
        )

    def test_status_names_match_the_library(self) -> None:
        # Every status this binding knows has the same number in the library.
        for s in Status:
            self.assertEqual(tokenbridge.status_name(s), "TB_" + s.name)

    def test_missing_library_is_a_clear_error(self) -> None:
        env = dict(os.environ, TOKENBRIDGE_LIBRARY="/nonexistent/libtokenbridge.so")
        code = (
            "import tokenbridge\n"
            "try:\n"
            "    tokenbridge.library_version()\n"
            "except tokenbridge.LibraryNotFoundError as e:\n"
            "    print('LNF', e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=str(PACKAGE_ROOT),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=60,
        )
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("LNF", out.stdout)
        self.assertIn("TOKENBRIDGE_LIBRARY", out.stdout)
        self.assertIn("/nonexistent/libtokenbridge.so", out.stdout)

    def test_installed_wheel_loads_its_own_library(self) -> None:
        if not INSTALLED:
            self.skipTest("TOKENBRIDGE_TEST_INSTALLED is not set: testing the source tree")
        package_dir = Path(tokenbridge.__file__).resolve().parent
        self.assertNotEqual(package_dir, (PACKAGE_ROOT / "tokenbridge").resolve())
        bundled = package_dir / tokenbridge._native.LIBRARY_FILE
        self.assertTrue(bundled.is_file(), str(bundled))
        self.assertNotIn("TOKENBRIDGE_LIBRARY", os.environ)
        self.assertEqual(Path(tokenbridge._native.lib()._name).resolve(), bundled.resolve())
        # TOKENBRIDGE_LIBRARY still overrides the library inside the package.
        code = "import tokenbridge; tokenbridge.library_version(); print(tokenbridge._native.lib()._name)"
        with tempfile.TemporaryDirectory() as tmp:
            other = Path(tmp) / "other" / tokenbridge._native.LIBRARY_FILE
            other.parent.mkdir()
            shutil.copyfile(str(bundled), str(other))
            for value, want in ((str(other), str(other)), ("/nonexistent/lib.so", None)):
                out = subprocess.run(
                    [sys.executable, "-c", code],
                    cwd=tmp,
                    env=dict(os.environ, TOKENBRIDGE_LIBRARY=value),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    universal_newlines=True,
                    timeout=60,
                )
                if want is None:
                    self.assertNotEqual(out.returncode, 0)
                    self.assertIn("LibraryNotFoundError", out.stderr)
                    self.assertIn(value, out.stderr)
                else:
                    self.assertEqual(out.returncode, 0, out.stderr)
                    self.assertEqual(out.stdout.strip(), want)

    def test_library_found_inside_or_beside_the_package(self) -> None:
        lib = os.environ.get("TOKENBRIDGE_LIBRARY")
        if not lib and INSTALLED:  # the library of the installed wheel
            lib = str(Path(tokenbridge.__file__).resolve().parent / tokenbridge._native.LIBRARY_FILE)
        if not lib:
            self.skipTest("TOKENBRIDGE_LIBRARY is not set")
        env = {k: v for k, v in os.environ.items() if k != "TOKENBRIDGE_LIBRARY"}
        code = "import tokenbridge; print(tokenbridge.library_version())"
        name = tokenbridge._native.LIBRARY_FILE
        for where in ("inside", "beside"):
            with tempfile.TemporaryDirectory() as tmp:
                package = Path(tmp) / "tokenbridge"
                shutil.copytree(str(PACKAGE_ROOT / "tokenbridge"), str(package))
                target = package / name if where == "inside" else Path(tmp) / name
                os.symlink(lib, str(target))
                out = subprocess.run(
                    [sys.executable, "-c", code],
                    cwd=tmp,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    universal_newlines=True,
                    timeout=60,
                )
                self.assertEqual(out.returncode, 0, where + ": " + out.stderr)
                self.assertEqual(out.stdout.strip(), tokenbridge.library_version(), where)

    def test_sources_parse_as_python_3_8(self) -> None:
        for path in sorted((PACKAGE_ROOT / "tokenbridge").glob("*.py")) + [
            PACKAGE_ROOT / "example.py",
            Path(__file__),
        ]:
            ast.parse(path.read_text(encoding="utf-8"), str(path), feature_version=(3, 8))

    def test_readme_example_is_example_py(self) -> None:
        readme = (PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
        example = (PACKAGE_ROOT / "example.py").read_text(encoding="utf-8")
        self.assertIn("```python\n" + example + "```", readme)

    def test_agent_fields_and_enums_match_the_header(self) -> None:
        # AgentProfile reads each published field with its own getter: its table
        # must name exactly the header's tb_agent_profile_<field> getters, and the
        # status/pending numbers follow their enums.
        import re

        header = (PACKAGE_ROOT.parent.parent / "include" / "tokenbridge.h").read_text(encoding="utf-8")

        def enum(name: str) -> List[str]:
            m = re.search(r"enum " + name + r"\b[^{]*\{(.*?)\};", header, re.S)
            assert m, name
            body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
            return [e.split("=")[0].strip() for e in body.split(",") if e.strip()]

        getters = set(re.findall(r"\btb_agent_profile_([a-z]+)\(const tb_agent_profile \*profile,\s*"
                                 r"(?:const char \*\*out|int64_t \*out)", header))
        self.assertEqual(len(getters), 32)
        self.assertEqual(getters, {wire.lower() for wire, _ in tokenbridge.models._AGENT_FIELDS})
        self.assertEqual(enum("tb_messenger_status"), [
            "TB_MESSENGER_STATUS_NONE", "TB_MESSENGER_STATUS_OPEN", "TB_MESSENGER_STATUS_CLOSED"])
        self.assertIn("TB_MESSENGER_STATUS_OPEN = 1", header)
        self.assertIn("TB_MESSENGER_STATUS_CLOSED = 2", header)
        self.assertIn("TB_MESSENGER_PENDING_YES = 1", header)
        self.assertIn("TB_MESSENGER_PENDING_NO = 2", header)
        self.assertEqual(tokenbridge.models._STATUS_C, {RequestStatus.OPEN: 1, RequestStatus.CLOSED: 2})
        self.assertEqual(tokenbridge.models._PENDING_C, {True: 1, False: 2})

    def test_every_declared_function_is_in_the_header(self) -> None:
        import re

        header = (PACKAGE_ROOT.parent.parent / "include" / "tokenbridge.h").read_text(encoding="utf-8")
        for name in tokenbridge._native._SIGNATURES:
            self.assertTrue(re.search(r"[ *]" + name + r"\(", header), name)
        for gone in ("tb_ucontact_call", "tb_yativo_call", "tb_anna_call", "filter_json"):
            self.assertNotIn(gone, tokenbridge._native._SIGNATURES)

    def test_models_read_answers_through_accessors_not_json(self) -> None:
        # Issue 15: no model code reads dictionaries parsed from the C layer. The only
        # json.loads are the raw escape hatch (_native.json_text) and Response.json
        # (the body of a generic call, which stays text); the answers' modules and
        # clients.py have none.
        def loads_in(path: Path) -> List[str]:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            where = []
            for fn in ast.walk(tree):
                if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for node in ast.walk(fn):
                        if isinstance(node, ast.Attribute) and node.attr in ("loads", "load"):
                            where.append(fn.name)
            return where

        package = PACKAGE_ROOT / "tokenbridge"
        self.assertEqual(loads_in(package / "models.py"), ["json"])
        self.assertEqual(loads_in(package / "_native.py"), ["json_text"])
        for answers in ("_messenger.py", "_profile.py"):
            self.assertEqual(loads_in(package / answers), [], answers)
        self.assertEqual(loads_in(package / "clients.py"), [])
        self.assertNotIn("import json", (package / "clients.py").read_text(encoding="utf-8"))

    def test_yativo_url_constants_match_the_header(self) -> None:
        header = PACKAGE_ROOT.parent.parent / "include" / "tokenbridge.h"
        text = header.read_text(encoding="utf-8")
        self.assertIn('"{}"'.format(YativoClient.PRODUCTION_URL), text)
        self.assertIn('"{}"'.format(YativoClient.SANDBOX_URL), text)


# ---------------------------------------------------------------------------------
class T02UContact(Base):
    def test_get_user_token_caches_and_call_uses_it(self) -> None:
        n = Counter()
        with ucontact() as c:
            token = c.get_user_token()  # operation 1
            self.assertTrue(token)
            self.assertEqual(c.token(), token)  # cached: no second login
            r = c.call("POST", "Integra/resources/Dialers/DialerTask", form={"campaign": "Sales"})
            self.assertEqual(r.status, 200, r.body)
            self.assertTrue(r.ok)
            self.assertIsInstance(r.json(), (dict, list))
            self.assertEqual(n["ucontact.getUserToken"], 1)
            self.assertEqual(n["ucontact.call"], 1)
        # close() ended the live session (end_session_on_close is on by default)
        self.assertEqual(n["ucontact.EndSession"], 1)

    def test_agent_login_returns_the_profile_and_end_session_ends_it(self) -> None:
        n = Counter()
        with agent() as c:
            profile = c.agent_login()  # operation 2
            self.assertIsInstance(profile, AgentProfile)
            self.assertTrue(profile.token)
            self.assertEqual(c.token(), profile.token)
            # The sandbox's agent (src/sandbox/ucontact.rs), read through the accessors.
            self.assertEqual(profile.id, 1001)
            self.assertEqual(profile.limite, 2)
            self.assertEqual(profile.name, AGENT)
            self.assertEqual(profile.fullname, "Agent One")
            self.assertEqual(profile.callerid, '"Agent One" <1001>')
            self.assertEqual(profile.kind, "friend")
            self.assertEqual(profile.log_level, "info")
            self.assertEqual(profile.allow, "ulaw;alaw;opus")
            self.assertEqual(profile.email, AGENT + "@sandbox.invalid")
            self.assertEqual(profile.did, "+59820001001")
            self.assertEqual(profile.outboundproxy, "")  # sent empty: "", not None
            # Every field by name, numbers as their JSON text; never the SIP secrets.
            self.assertEqual(profile.get("LogLevel"), "info")
            self.assertEqual(profile.get("limite"), "2")
            self.assertEqual(profile.get("id"), "1001")
            self.assertEqual(profile.get("token"), profile.token)
            self.assertIsNone(profile.get("secret"))
            self.assertIsNone(profile.get("md5secret"))
            self.assertEqual(profile.get("no-such-field", "-"), "-")
            self.assertEqual(profile.extra, {})  # the sandbox sends published fields only
            self.assertEqual(len(profile.fields), 32)
            # Each published attribute is the field the server sent (raw: the escape hatch).
            raw = profile.raw
            self.assertNotIn("secret", raw)
            self.assertNotIn("md5secret", raw)
            self.assertEqual(raw.get("token"), profile.token)
            self.assertEqual(set(raw), set(profile.fields))
            for wire, attr in tokenbridge.models._AGENT_FIELDS:
                value = raw[wire]
                self.assertEqual(getattr(profile, attr), value if attr in ("id", "limite") else str(value), wire)
                self.assertEqual(profile.fields[wire], str(value), wire)
            for secret in (profile.token, "sip-agent1-secret"):
                self.assertNotIn(secret, repr(profile))
            c.end_session()  # operation 3
            self.assertEqual(n["ucontact.EndSession"], 1)
            c.end_session()  # no session any more: nothing is sent
            self.assertEqual(n["ucontact.EndSession"], 1)
        self.assertEqual(n["ucontact.AgentLogin"], 1)
        self.assertEqual(n["ucontact.EndSession"], 1)

    def test_wrong_password_is_rejected_with_the_vendor_message(self) -> None:
        with ucontact(password="wrong password") as c:
            with self.assertRaises(RejectedError) as cm:
                c.get_user_token()
        e = cm.exception
        self.assertIsInstance(e, TokenBridgeError)
        self.assertEqual(e.status, Status.REJECTED)
        self.assertTrue(e.vendor_message, repr(e))
        assert e.vendor_message is not None
        self.assertIn(e.vendor_message, str(e))
        self.assertIsNotNone(e.http_status)
        self.assertSecretFree(e, "wrong password")

    def test_set_token_refused_by_the_server_logs_in_again(self) -> None:
        n = Counter()
        with ucontact() as c:
            c.set_token("not-a-session")
            self.assertEqual(c.token(), "not-a-session")
            r = c.call("POST", "/Integra/resources/Dialers/DialerTask", form={})
            self.assertEqual(r.status, 200, r.body)
            self.assertNotEqual(c.token(), "not-a-session")
        self.assertEqual(n["ucontact.getUserToken"], 1)  # one login, after the 401

    def test_no_session_ended_when_turned_off(self) -> None:
        n = Counter()
        cfg = Config(allow_http=True, no_proxy=True, retries=Retries(0), end_session_on_close=False)
        with ucontact(config=cfg) as c:
            c.get_user_token()
        self.assertEqual(n["ucontact.EndSession"], 0)


# ---------------------------------------------------------------------------------
class T03Yativo(Base):
    def test_login_refresh_and_call(self) -> None:
        n = Counter()
        with yativo() as y:
            t = y.login()  # operation 4
            self.assertIsInstance(t, Token)
            self.assertTrue(t.token)
            self.assertAware(t.expires_at)
            assert t.expires_at is not None
            self.assertGreater(t.expires_at, utcnow())
            self.assertNotIn(t.token, repr(t))
            self.assertEqual(y.token(), t.token)

            r = y.refresh_token()  # operation 5
            self.assertNotEqual(r.token, t.token)
            self.assertAware(r.expires_at)
            self.assertEqual(y.token(), r.token)

            resp = y.call("GET", "wallet/balance")
            self.assertEqual(resp.status, 200, resp.body)
            self.assertIsInstance(resp.json(), dict)
        self.assertEqual(n["yativo.login"], 1)
        self.assertEqual(n["yativo.refresh"], 1)
        self.assertEqual(n["yativo.call"], 1)

    def test_token_close_to_expiry_is_refreshed(self) -> None:
        with yativo() as y:
            first = y.login()
            # A token that lives 2-3 s (whole seconds cross the C ABI) is due for a
            # refresh at half its life, while still valid: refresh-token, no login.
            y.set_token(first.token, utcnow() + dt.timedelta(seconds=3))
            self.assertEqual(y.token(), first.token)  # not due yet
            time.sleep(1.6)
            n = Counter()
            fresh = y.token()
            self.assertNotEqual(fresh, first.token)
            self.assertEqual((n["yativo.refresh"], n["yativo.login"]), (1, 0))
            self.assertEqual(y.token(), fresh)  # and now it is cached
            self.assertEqual((n["yativo.refresh"], n["yativo.login"]), (1, 0))

    def test_expired_token_means_a_new_login(self) -> None:
        with yativo() as y:
            y.set_token("expired", utcnow() - dt.timedelta(seconds=10))
            n = Counter()
            fresh = y.token()
            self.assertNotEqual(fresh, "expired")
            self.assertEqual((n["yativo.refresh"], n["yativo.login"]), (0, 1))

    def test_refused_token_is_replaced_once(self) -> None:
        with yativo() as y:
            y.set_token("forged", utcnow() + dt.timedelta(hours=1))
            n = Counter()
            resp = y.call("GET", "/wallet/balance")
            self.assertEqual(resp.status, 200, resp.body)
            self.assertEqual(n["yativo.call"], 2)  # 401, then the retry with a new token
            self.assertNotEqual(y.token(), "forged")

    def test_wrong_secret_is_rejected(self) -> None:
        with yativo("not-the-secret") as y:
            with self.assertRaises(RejectedError) as cm:
                y.login()
        self.assertTrue(cm.exception.vendor_message)
        self.assertSecretFree(cm.exception, "not-the-secret")

    def test_set_token_needs_an_aware_datetime(self) -> None:
        with yativo() as y:
            with self.assertRaises(InvalidArgumentError) as cm:
                y.set_token("t", dt.datetime(2030, 1, 1))
            self.assertIn("expires_at", str(cm.exception))
            with self.assertRaises(TypeError):
                y.set_token("t", 1700000000)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------
class T04Anna(Base):
    def test_get_token(self) -> None:
        n = Counter()
        with anna() as a:
            t = a.get_token()  # operation 6
            self.assertTrue(t.token)
            self.assertAware(t.expires_at)
            assert t.expires_at is not None
            self.assertGreater(t.expires_at, utcnow())
            self.assertEqual(a.token(), t.token)
        self.assertEqual(n["anna.GetToken"], 1)

    def test_user_hash(self) -> None:
        with anna() as a:
            access = a.user_hash("42")  # operation 7
            self.assertIsInstance(access, AccessData)
            self.assertRegex(access.hash, "^[0-9a-f]{20,}$")
            self.assertEqual(access.chat_url, URL + "/anna/chat/42?hash=" + access.hash)
            self.assertEqual(access.embedded_url, URL + "/anna/embedded/42?hash=" + access.hash)
            # Expires: YYYYMMDDhhmmss (the sandbox writes UTC, a day ahead) as a naive
            # datetime built from tb_access_data_expires's numbers.
            self.assertRegex(access.expires_raw, "^[0-9]{14}$")
            assert access.expires is not None
            self.assertIsInstance(access.expires, dt.datetime)
            self.assertIsNone(access.expires.tzinfo)
            self.assertEqual(access.expires, dt.datetime.strptime(access.expires_raw, "%Y%m%d%H%M%S"))
            ahead = access.expires - utcnow().replace(tzinfo=None)
            self.assertLess(abs(ahead - dt.timedelta(days=1)), dt.timedelta(minutes=5))
            for secret in (access.hash, access.chat_url, access.embedded_url):
                self.assertNotIn(secret, repr(access))
            again = a.user_hash("42", start_service="support")
            self.assertRegex(again.hash, "^[0-9a-f]{20,}$")
            self.assertIn("/anna/chat/42?hash=" + again.hash, again.chat_url)

    def test_user_hash_forced_and_inactivate(self) -> None:
        with anna() as a:
            created = a.user_hash_forced("py-user-1", "Zoë Python")  # operation 8
            self.assertRegex(created.hash, "^[0-9a-f]{20,}$")
            self.assertEqual(created.chat_url, URL + "/anna/chat/py-user-1?hash=" + created.hash)
            self.assertIsNotNone(created.expires)
            message = a.inactivate_user("py-user-1")  # operation 9
            self.assertEqual(message, "User py-user-1 inactivated.")
            with self.assertRaises(RejectedError):
                a.user_hash("py-user-1")  # inactive now
            again = a.user_hash_forced("py-user-1", "Zoë Python", "support")
            self.assertTrue(again.hash)

    def test_unknown_user_is_rejected(self) -> None:
        with anna() as a:
            with self.assertRaises(RejectedError) as cm:
                a.user_hash("999")
        self.assertEqual(cm.exception.status, Status.REJECTED)
        self.assertTrue(cm.exception.vendor_message)

    def test_wrong_password_is_rejected(self) -> None:
        with anna("wrong-pass") as a:
            with self.assertRaises(RejectedError) as cm:
                a.get_token()
        self.assertTrue(cm.exception.vendor_message)
        self.assertSecretFree(cm.exception, "wrong-pass")

    def test_messenger_structure(self) -> None:
        with anna() as a:
            s = a.messenger_structure()  # operation 10
        self.assertIsInstance(s, MessengerStructure)
        self.assertEqual(s.companies_name, "Sandbox Company")
        self.assertEqual(s.companies_hash, ANNA_HASH)
        self.assertNotIn(ANNA_HASH, repr(s))  # a credential
        got = [(d.alias, d.name, [(c.alias, c.name) for c in d.channels]) for d in s.departments]
        self.assertEqual(got, [
            ("financeiro", "Financeiro", [("whatsapp", "WhatsApp"), ("email", "E-mail")]),
            ("suporte", "Suporte", [("chat", "Chat")]),
        ])
        # The escape hatch: the structure object as AnnA sent it.
        self.assertEqual(s.raw["CompaniesName"], "Sandbox Company")
        self.assertEqual([d["Alias"] for d in s.raw["Departments"]], ["financeiro", "suporte"])

    def test_messenger_counter_requests_and_link(self) -> None:
        with anna() as a:
            # User 42 has three requests (src/sandbox/anna.rs): 2024000101 open and
            # pending, 2024000102 open, 2023000087 closed. The counter counts the open
            # ones that await the user's answer.
            total = a.messenger_alert_counter("42")  # operation 11
            self.assertEqual(total, 1)
            by_doc = a.messenger_alert_counter(doc_type="CPF", doc_value="12345678900")
            self.assertEqual(by_doc, 1)

            requests = a.messenger_requests("42")  # operation 12
            self.assertTrue(all(isinstance(r, MessengerRequest) for r in requests))
            self.assertEqual([r.protocol for r in requests], ["2024000101", "2024000102", "2023000087"])
            first, second, third = requests
            self.assertEqual(first.department, "Financeiro")
            self.assertEqual(first.channel, "WhatsApp")
            self.assertEqual(first.description, "Segunda via de boleto")
            self.assertEqual(first.opened_at, "15/03/2024 09:30:00")
            self.assertEqual(first.status, "A")
            self.assertIs(first.status_kind, RequestStatus.OPEN)
            self.assertIs(first.pending, True)
            self.assertEqual(first.link, URL + "/anna/messenger/42/2024000101")
            self.assertNotIn(first.link, repr(first))
            self.assertEqual((second.department, second.channel, second.description),
                             ("Suporte", "Chat", "Troca de senha"))
            self.assertIs(second.status_kind, RequestStatus.OPEN)
            self.assertIs(second.pending, False)
            self.assertEqual(third.status, "E")
            self.assertIs(third.status_kind, RequestStatus.CLOSED)
            self.assertIs(third.pending, False)
            # Any field by its wire name, and the item as sent (the escape hatch).
            self.assertEqual(first.get("DepartmentAlias"), "financeiro")
            self.assertEqual(third.get("ChannelAlias"), "email")
            self.assertEqual(first.get("Pending"), "S")
            self.assertIsNone(first.get("departmentalias"))  # exact case
            self.assertEqual(set(first.fields), {
                "Protocol", "Department", "DepartmentAlias", "Channel", "ChannelAlias",
                "Description", "OpeningDate", "Status", "Pending", "Link",
            })
            for r in requests:
                self.assertIsInstance(r.raw, dict)
                self.assertEqual(r.raw, r.fields)  # every value is text here
            self.assertEqual(
                [r.protocol for r in a.messenger_requests(doc_type="CPF", doc_value="12345678900")],
                [r.protocol for r in requests],
            )

            link = a.messenger_link("42")  # operation 13
            self.assertRegex(link, "^" + URL + "/anna/messenger/42[?]token=[0-9a-f]+$")
            self.assertRegex(
                a.messenger_link(doc_type="CPF", doc_value="12345678900"),
                "^" + URL + "/anna/messenger/42[?]token=",
            )

    def test_messenger_filters(self) -> None:
        # Each filter field goes to the sandbox, which applies it: the answers prove it.
        cases = [
            (MessengerFilter(status=RequestStatus.OPEN), ["2024000101", "2024000102"], 1),
            (MessengerFilter(status="closed"), ["2023000087"], 0),
            (MessengerFilter(pending=True), ["2024000101"], 1),
            (MessengerFilter(pending=False), ["2024000102", "2023000087"], 0),
            (MessengerFilter(department_alias="financeiro"), ["2024000101", "2023000087"], 1),
            (MessengerFilter(channel_alias="chat"), ["2024000102"], 0),
            (MessengerFilter(date_from=dt.date(2024, 1, 1)), ["2024000101", "2024000102"], 1),
            (MessengerFilter(date_to=dt.date(2024, 4, 30)), ["2024000101", "2023000087"], 1),
            # Both bounds are included; a datetime counts by its date.
            (MessengerFilter(date_from=dt.date(2024, 3, 15), date_to=dt.date(2024, 3, 15)), ["2024000101"], 1),
            (MessengerFilter(date_from=dt.datetime(2024, 5, 2, 23, 59)), ["2024000102"], 0),
            (MessengerFilter(department_alias="suporte", status=RequestStatus.CLOSED), [], 0),
            ({"status": "closed", "pending": False}, ["2023000087"], 0),
            ({}, ["2024000101", "2024000102", "2023000087"], 1),
        ]
        n = Counter()
        with anna() as a:
            for f, protocols, count in cases:
                with self.subTest(filter=f):
                    self.assertEqual([r.protocol for r in a.messenger_requests("42", filter=f)], protocols)
                    self.assertEqual(a.messenger_alert_counter("42", filter=f), count)
        self.assertEqual(n["anna.Requests"], len(cases))
        self.assertEqual(n["anna.AlertCounter"], len(cases))

    def test_messenger_filter_errors_name_the_python_argument(self) -> None:
        n = Counter()
        # The library's own check (tb_messenger_filter_set_date_to), in Python's names.
        with self.assertRaises(InvalidArgumentError) as cm:
            MessengerFilter(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 1, 1))
        self.assertEqual(
            str(cm.exception),
            "invalid argument `date_to`: 2024-01-01 is before the filter's date_from 2024-05-01",
        )
        with self.assertRaises(InvalidArgumentError) as cm:
            MessengerFilter(status="pending")
        self.assertIn("`status`", str(cm.exception))
        self.assertIn("'pending'", str(cm.exception))
        # Invalid UTF-8 is refused by the library as `alias`: said as the Python name.
        with self.assertRaises(InvalidArgumentError) as cm:
            MessengerFilter(channel_alias="\udc80")
        self.assertIn("`channel_alias`", str(cm.exception))
        self.assertNotIn("`alias`", str(cm.exception))
        with self.assertRaises(InvalidArgumentError) as cm:
            MessengerFilter(department_alias="a\x00b")
        self.assertIn("`department_alias`", str(cm.exception))
        for kwargs, name in (
            ({"date_from": "2024-01-01"}, "date_from"),
            ({"date_to": 20240101}, "date_to"),
            ({"pending": "yes"}, "pending"),
            ({"status": 1}, "status"),
            ({"department_alias": 5}, "department_alias"),
        ):
            with self.subTest(**kwargs):
                with self.assertRaises(TypeError) as cm2:
                    MessengerFilter(**kwargs)  # type: ignore[arg-type]
                self.assertTrue(str(cm2.exception).startswith(name + " must be"), str(cm2.exception))
        with anna() as a:
            with self.assertRaises(InvalidArgumentError) as cm:
                a.messenger_alert_counter("42", filter={"date_from": dt.date(2024, 5, 1),
                                                        "date_to": dt.date(2024, 1, 1)})
            self.assertIn("`date_to`", str(cm.exception))
            with self.assertRaises(TypeError) as cm2:
                a.messenger_requests("42", filter="status=open")  # type: ignore[arg-type]
            self.assertIn("filter", str(cm2.exception))
        self.assertEqual(n.total(), 0)  # nothing was sent

    def test_call_and_token_control(self) -> None:
        with anna() as a:
            r = a.call("POST", "REST/AnnACorporate/Ping", json={"ping": "é"})
            self.assertEqual(r.status, 200, r.body)
            self.assertIsInstance(r.json(), dict)
            token = a.token()
            a.set_token("forged")  # unknown expiry: used until the server says 401
            self.assertEqual(a.token(), "forged")
            n = Counter()
            r = a.call("POST", "REST/AnnACorporate/Ping", json={})
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(n["anna.GetToken"], 1)
            self.assertNotIn(a.token(), ("forged", ""))
            a.set_token(token, utcnow() + dt.timedelta(hours=1))
            self.assertEqual(a.token(), token)

    def test_by_name_getters_agree_with_the_models(self) -> None:
        # The C by-name getters (declared in _native, not needed by the models, which
        # copy every field by iteration) give what the models hold.
        from ctypes import byref

        native = tokenbridge._native
        lib = native.lib()
        with agent() as c:
            profile = c.agent_login()
            with native.answer(native.PROFILE_P, lib.tb_agent_profile_free) as p, c._use() as h:
                native.check(lib.tb_ucontact_agent_login(h, byref(p)))
                for name, value in profile.fields.items():
                    got = native.lent(lib.tb_agent_profile_get, p, name.encode())
                    if name == "token":  # a new login: a new session token
                        self.assertTrue(got)
                    else:
                        self.assertEqual(got, value, name)
                for hidden in (b"secret", b"md5secret", b"no-such-field"):
                    self.assertIsNone(native.lent(lib.tb_agent_profile_get, p, hidden))
        with anna() as a:
            items = a.messenger_requests("42")
            with native.answer(native.REQUESTS_P, lib.tb_messenger_requests_free) as r, a._use() as h:
                native.check(lib.tb_anna_messenger_requests(h, b"42", None, None, None, byref(r)))
                self.assertEqual(int(lib.tb_messenger_requests_count(r)), len(items))
                for i, item in enumerate(items):
                    for name, value in item.fields.items():
                        self.assertEqual(native.lent(lib.tb_messenger_requests_get, r, i, name.encode()), value)
                # An index past the last: TB_INVALID_ARGUMENT naming `index`.
                with self.assertRaises(InvalidArgumentError) as cm:
                    native.lent(lib.tb_messenger_requests_protocol, r, len(items))
                self.assertIn("`index`", str(cm.exception))

    def test_user_selection_is_checked(self) -> None:
        with anna() as a:
            n = Counter()
            with self.assertRaises(InvalidArgumentError) as cm:
                a.messenger_link("42", doc_type="CPF", doc_value="12345678900")
            self.assertEqual(cm.exception.status, Status.INVALID_ARGUMENT)
            with self.assertRaises(InvalidArgumentError) as cm:
                a.messenger_alert_counter(doc_type="CPF")
            self.assertIn("doc_value", str(cm.exception))
            with self.assertRaises(InvalidArgumentError):
                a.messenger_requests()
            with self.assertRaises(InvalidArgumentError) as cm:
                a.messenger_requests("42", filter={"colour": "blue"})
            self.assertIn("colour", str(cm.exception))
            self.assertEqual(n.total(), 0)  # nothing was sent


# ---------------------------------------------------------------------------------
class T05Arguments(Base):
    def test_none_is_refused_with_the_parameter_name(self) -> None:
        n = Counter()
        with self.assertRaises(InvalidArgumentError) as cm:
            UContactClient(ucontact_url(), UCONTACT_USER, None, config=CONFIG)  # type: ignore[arg-type]
        e = cm.exception
        self.assertEqual(e.status, Status.INVALID_ARGUMENT)
        self.assertIn("password", str(e))
        self.assertIsNone(e.http_status)
        self.assertIsNone(e.vendor_message)
        self.assertIsInstance(e, ValueError)
        with anna() as a:
            with self.assertRaises(InvalidArgumentError) as cm:
                a.user_hash(None)  # type: ignore[arg-type]
            self.assertIn("user_id", str(cm.exception))
        self.assertEqual(n.total(), 0)

    def test_lone_surrogate_is_refused_with_the_parameter_name(self) -> None:
        n = Counter()
        with anna() as a:
            with self.assertRaises(InvalidArgumentError) as cm:
                a.user_hash("4\ud8002")
            self.assertIn("user_id", str(cm.exception))
            with self.assertRaises(InvalidArgumentError) as cm:
                a.call("POST", "REST/AnnACorporate/Ping", json={"x": "\udfff"})
            self.assertIn("`json`", str(cm.exception))  # the argument the user wrote
        with self.assertRaises(InvalidArgumentError) as cm:
            yativo("\udc80secret")
        self.assertIn("app_secret", str(cm.exception))
        self.assertEqual(n.total(), 0)

    def test_nul_and_wrong_types_are_refused_before_the_call(self) -> None:
        with anna() as a:
            with self.assertRaises(InvalidArgumentError) as cm:
                a.user_hash("42\x00")
            self.assertIn("user_id", str(cm.exception))
            with self.assertRaises(TypeError):
                a.user_hash(42)  # type: ignore[arg-type]
            with self.assertRaises(InvalidArgumentError):
                a.call("POST", "x", json={}, form={})

    def test_bad_settings(self) -> None:
        with self.assertRaises(InvalidArgumentError) as cm:
            Config(timeout_connect=0)
        self.assertIn("timeout", str(cm.exception))
        with self.assertRaises(InvalidArgumentError):
            Config(max_response_bytes=-1)
        with self.assertRaises(InvalidArgumentError):
            Config(proxy="http://proxy:3128", no_proxy=True)
        with self.assertRaises(InvalidArgumentError):
            Config(timeout_receive=float("nan"))
        with self.assertRaises(InvalidArgumentError) as cm:
            Config(dns_cache_ttl=-1)
        self.assertIn("dns_cache_ttl", str(cm.exception))
        cfg = Config(
            timeout_connect=2.5,
            timeout_send=10,
            timeout_receive=10,
            user_agent="tokenbridge-python-tests",
            max_response_bytes=64 * 1024,
            tls_roots=tokenbridge.TlsRoots.MOZILLA,
            retries=Retries(1, 0.05, 0.2),
            refresh_ahead=30,
            dns_cache_ttl=30,
            allow_http=True,
            no_proxy=True,
        )
        with yativo(config=cfg) as y:
            self.assertTrue(y.login().token)

    def test_dns_cache_ttl(self) -> None:
        # The sandbox by host name, so that the client resolves it. None: the default
        # (60 s); 0 asks DNS before every request; 0.001: the kept answer expires
        # between calls.
        url = anna_url().replace("://127.0.0.1:", "://localhost:")
        for ttl in (0, None, 0.001, 60):
            with self.subTest(dns_cache_ttl=ttl):
                cfg = Config(allow_http=True, no_proxy=True, retries=Retries(0), dns_cache_ttl=ttl)
                self.assertEqual(cfg.dns_cache_ttl, ttl)
                count = Counter()
                with AnnaClient(url, ANNA_HASH, ANNA_USER, ANNA_PASS, config=cfg) as a:
                    for _ in range(3):
                        self.assertGreater(len(a.get_token().token), 20)
                        if ttl == 0.001:
                            time.sleep(0.005)
                self.assertEqual(count["anna.GetToken"], 3)

    def test_http_refused_by_default(self) -> None:
        with self.assertRaises(InvalidArgumentError):
            YativoClient(yativo_url(), YATIVO_ACCOUNT, YATIVO_SECRET)

    def test_missing_ca_file_is_reported(self) -> None:
        cfg = Config(extra_ca_file=Path("/nonexistent/ca.pem"))
        with self.assertRaises(TokenBridgeError) as cm:
            YativoClient(YativoClient.PRODUCTION_URL, "a", "b", config=cfg)
        self.assertIn("ca.pem", str(cm.exception))


# ---------------------------------------------------------------------------------
class T06Failures(Base):
    def test_connection_refused_is_a_transport_error(self) -> None:
        import socket

        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with YativoClient("http://127.0.0.1:{}/api/v1".format(port), "a", "b", config=CONFIG) as y:
            with self.assertRaises(TransportError) as cm:
                y.login()
        self.assertEqual(cm.exception.status, Status.CONNECT)
        self.assertIsNone(cm.exception.http_status)

    def test_unknown_path_returns_its_status(self) -> None:
        with yativo() as y:
            r = y.call("GET", "no/such/thing")
            self.assertEqual(r.status, 404)
            self.assertFalse(r.ok)

    def test_last_error_is_per_thread(self) -> None:
        errors: Dict[int, BaseException] = {}
        tokens: Dict[int, str] = {}
        start = threading.Barrier(8)

        def work(i: int) -> None:
            try:
                start.wait()
                with yativo(YATIVO_SECRET if i % 2 else "wrong-{}".format(i)) as y:
                    tokens[i] = y.login().token
            except BaseException as e:  # noqa: B902 - recorded and checked below
                errors[i] = e

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(sorted(tokens), [1, 3, 5, 7])
        self.assertEqual(sorted(errors), [0, 2, 4, 6])
        for e in errors.values():
            self.assertIsInstance(e, RejectedError)
            assert isinstance(e, RejectedError)
            self.assertTrue(e.vendor_message)

    def test_one_client_shared_by_threads(self) -> None:
        results: List[int] = []
        with anna() as a:

            def work() -> None:
                for _ in range(5):
                    results.append(a.messenger_alert_counter("42"))

            threads = [threading.Thread(target=work) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        self.assertEqual(len(results), 20)
        self.assertEqual(len(set(results)), 1)


# ---------------------------------------------------------------------------------
class T07Lifecycle(Base):
    def test_close_twice_and_use_after_close(self) -> None:
        y = yativo()
        self.assertFalse(y.closed)
        y.close()
        y.close()
        self.assertTrue(y.closed)
        with self.assertRaises(ValueError):
            y.login()
        self.assertIn("closed", repr(y))

    def test_context_manager_closes_on_error(self) -> None:
        with self.assertRaises(RejectedError):
            with anna() as a:
                a.user_hash("999")
        self.assertTrue(a.closed)

    def test_garbage_collected_client_is_freed_with_a_warning(self) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c = anna()
            del c
            gc.collect()
        self.assertTrue(
            any(issubclass(w.category, ResourceWarning) for w in caught),
            [str(w.message) for w in caught],
        )


# ---------------------------------------------------------------------------------
class T08Async(Base):
    def tearDown(self) -> None:
        clear_faults()

    def test_async_calls(self) -> None:
        async def main() -> None:
            with yativo() as y:
                t = await y.aio.login()
                self.assertIsInstance(t, Token)
                self.assertEqual(await y.aio.token(), t.token)
                r = await y.aio.call("GET", "wallet/balance")
                self.assertEqual(r.status, 200)
                with self.assertRaises(RejectedError):
                    with yativo("wrong") as bad:
                        await bad.aio.login()
                with self.assertRaises(AttributeError):
                    y.aio.close  # noqa: B018 - not a coroutine

        asyncio.run(main())

    def test_cancelled_async_call_stops_the_native_call(self) -> None:
        async def main() -> None:
            with yativo() as y:
                y.login()
                fault(path="/yativo/api/v1/wallet/balance", delay_ms=3000, times=1)
                task = asyncio.ensure_future(y.aio.call("GET", "wallet/balance"))
                await asyncio.sleep(0.3)
                self.assertFalse(task.done())
                cancelled_at = time.monotonic()
                task.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await task
                elapsed = time.monotonic() - cancelled_at
                self.assertLess(elapsed, 0.2)
                # The native call has stopped: the client is free and works at once.
                n = Counter()
                started = time.monotonic()
                r = await y.aio.call("GET", "wallet/balance")
                self.assertEqual(r.status, 200)
                self.assertLess(time.monotonic() - started, 1.0)
                self.assertEqual(n["yativo.call"], 1)
                self.assertEqual(y.call("GET", "wallet/balance").status, 200)

        asyncio.run(main())

    def test_cancel_stops_the_native_retries(self) -> None:
        # The sandbox answers 503 until told otherwise and the client retries every
        # 0.2 s: a native call that went on after the cancel would keep reaching the
        # sandbox. Its statistics show that nothing more arrives.
        cfg = Config(allow_http=True, no_proxy=True, retries=Retries(50, 0.2, 0.2))

        async def main() -> None:
            with yativo(config=cfg) as y:
                y.login()
                n = Counter()
                fault(path="/yativo/api/v1/wallet/balance", status=503, times=0)
                task = asyncio.ensure_future(y.aio.call("GET", "wallet/balance"))
                await asyncio.sleep(0.7)
                self.assertFalse(task.done())
                tried = n["yativo.call"]
                self.assertGreaterEqual(tried, 2)  # retrying while we waited
                cancelled_at = time.monotonic()
                task.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await task
                self.assertLess(time.monotonic() - cancelled_at, 0.2)
                stopped = n["yativo.call"]
                self.assertLessEqual(stopped, tried + 1)  # at most the attempt under way
                await asyncio.sleep(1.0)  # five more retries, were it still running
                self.assertEqual(n["yativo.call"], stopped)
                clear_faults()
                self.assertEqual((await y.aio.call("GET", "wallet/balance")).status, 200)
                self.assertEqual(n["yativo.call"], stopped + 1)

        asyncio.run(main())

    def test_wait_for_cancels_the_native_call(self) -> None:
        async def main() -> None:
            with yativo() as y:
                y.login()
                fault(path="/yativo/api/v1/wallet/balance", delay_ms=3000, times=1)
                started = time.monotonic()
                with self.assertRaises(asyncio.TimeoutError):
                    await asyncio.wait_for(y.aio.call("GET", "wallet/balance"), 0.3)
                self.assertLess(time.monotonic() - started, 0.5)
                self.assertEqual((await y.aio.call("GET", "wallet/balance")).status, 200)

        asyncio.run(main())

    def test_blocking_timeout(self) -> None:
        with yativo() as y:
            y.login()
            limited = y.with_options(timeout=0.3)
            self.assertIn("timeout=0.3s", repr(limited))
            fault(path="/yativo/api/v1/wallet/balance", delay_ms=2000, times=1)
            started = time.monotonic()
            with self.assertRaises(TimeoutError) as cm:
                limited.call("GET", "wallet/balance")
            self.assertLess(time.monotonic() - started, 1.0)
            self.assertIsInstance(cm.exception, TransportTimeoutError)
            self.assertIsInstance(cm.exception, TransportError)
            self.assertEqual(cm.exception.status, Status.TIMEOUT)
            self.assertEqual(limited.call("GET", "wallet/balance").status, 200)
            limited.close()  # a view: the client stays open
            self.assertFalse(y.closed)
            with self.assertRaises(InvalidArgumentError) as cm2:
                y.with_options(timeout=0)
            self.assertIn("timeout", str(cm2.exception))
            with self.assertRaises(InvalidArgumentError) as cm2:
                y.with_options(timeout=31 * 86400).token()
            self.assertIn("`timeout`", str(cm2.exception))
        self.assertTrue(limited.closed)
        with self.assertRaises(ValueError):
            limited.token()


# ---------------------------------------------------------------------------------
class T09Logging(Base):
    def test_records_reach_logging_without_secrets(self) -> None:
        records: List[logging.LogRecord] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        logger = logging.getLogger("tokenbridge")
        handler = Keep(level=1)
        logger.addHandler(handler)
        old_level = logger.level
        logger.setLevel(tokenbridge.TRACE)
        try:
            tokenbridge.enable_logging()
            tokens = []
            with yativo() as y:
                tokens.append(y.login().token)
                tokens.append(y.refresh_token().token)
                y.call("GET", "wallet/balance")
            with ucontact() as c:
                tokens.append(c.get_user_token())
            with agent() as c:
                profile = c.agent_login()
                tokens.append(profile.token)
            with anna() as a:
                tokens.append(a.get_token().token)
                access = a.user_hash("42")
                forced = a.user_hash_forced("py-log-user", "Log User")
                structure = a.messenger_structure()
                link = a.messenger_link("42")
        finally:
            tokenbridge.disable_logging()
            logger.removeHandler(handler)
            logger.setLevel(old_level)
        self.assertTrue(records)
        names = {r.name for r in records}
        self.assertIn("tokenbridge", names)
        self.assertIn("tokenbridge.http", names)
        self.assertTrue(all(n == "tokenbridge" or n.startswith("tokenbridge.") for n in names), names)
        levels = {r.levelno for r in records}
        self.assertIn(logging.INFO, levels)
        self.assertIn(logging.DEBUG, levels)
        self.assertEqual(structure.companies_hash, ANNA_HASH)
        secrets = [
            YATIVO_SECRET, UCONTACT_PASSWORD, AGENT_PASSWORD, ANNA_PASS, ANNA_HASH,
            access.hash, forced.hash, link.split("token=")[1], "sip-agent1-secret",
        ] + tokens
        for r in records:
            text = r.getMessage()
            for secret in secrets:
                self.assertNotIn(secret, text, r.name)
        # Off again: nothing more arrives.
        count = len(records)
        with yativo() as y:
            y.login()
        self.assertEqual(len(records), count)

    def test_level_follows_the_logger(self) -> None:
        records: List[logging.LogRecord] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        logger = logging.getLogger("tokenbridge")
        handler = Keep()
        logger.addHandler(handler)
        old_level = logger.level
        logger.setLevel(logging.INFO)
        try:
            tokenbridge.enable_logging()
            with yativo() as y:
                y.login()
        finally:
            tokenbridge.disable_logging()
            logger.removeHandler(handler)
            logger.setLevel(old_level)
        self.assertTrue(records)
        self.assertTrue(all(r.levelno >= logging.INFO for r in records))


# ---------------------------------------------------------------------------------
class T10PythonTerms(Base):
    def test_errors_name_the_python_parameter(self) -> None:
        with self.assertRaises(InvalidArgumentError) as cm:
            Config(timeout_connect=0)
        self.assertIn("`timeout_connect`", str(cm.exception))
        self.assertNotIn("_ms", str(cm.exception))
        with self.assertRaises(InvalidArgumentError) as cm:
            Retries(1, 5, 1)
        self.assertIn("`base_delay`", str(cm.exception))
        with self.assertRaises(InvalidArgumentError) as cm:
            AnnaClient(anna_url(), ANNA_HASH, ANNA_USER, None, config=CONFIG)  # type: ignore[arg-type]
        self.assertEqual(str(cm.exception), "invalid argument `password`: is None")
        with anna() as a:
            with self.assertRaises(InvalidArgumentError) as cm:
                a.messenger_requests("42", filter={"colour": "blue"})
            self.assertIn("`filter`", str(cm.exception))
            self.assertNotIn("filter_json", str(cm.exception))
            with self.assertRaises(InvalidArgumentError) as cm:
                a.messenger_alert_counter(doc_type="CPF")
            self.assertNotIn("NULL", str(cm.exception))

    def test_invalid_arguments_come_as_data_from_the_c_abi(self) -> None:
        # The binding builds its message from tb_last_error_parameter() and
        # tb_last_error_reason(), never by rewriting the C message: the reason is
        # the library's, word for word, and the name is the Python one.
        from tokenbridge import _native

        lib = _native.lib()
        cfg = lib.tb_config_new()
        try:
            self.assertEqual(lib.tb_config_set_timeout_connect_ms(cfg, 0), Status.INVALID_ARGUMENT)
            c_name = _native.take_string(lib.tb_last_error_parameter())
            c_reason = _native.take_string(lib.tb_last_error_reason())
        finally:
            lib.tb_config_free(cfg)
        self.assertEqual(c_name, "timeout_connect_ms")
        with self.assertRaises(InvalidArgumentError) as cm:
            Config(timeout_connect=0)
        self.assertEqual(str(cm.exception), "invalid argument `timeout_connect`: " + c_reason)

    def test_every_renamed_parameter_is_a_c_parameter(self) -> None:
        # Each C name a call maps to a Python name (``names={...}``, ``_NAMES``) must
        # be a parameter in the header: a renamed C parameter fails here, not in a
        # user's error message.
        header = Path(__file__).resolve().parents[3] / "include" / "tokenbridge.h"
        if not header.exists():
            self.fail("{} is missing: run the tests from the repository".format(header))
        text = header.read_text(encoding="utf-8")
        # The parameters, and the names the docs say an error names ("naming `x`").
        declared = set(re_findall(r"naming `([a-z_]+)`", text))
        for params in re_findall(r"\btb_[a-z0-9_]+\(([^;{)]*)\)", text):
            for param in params.split(","):
                words = re_findall(r"[A-Za-z_][A-Za-z0-9_]*", param)
                if words:
                    declared.add(words[-1])
        package = Path(tokenbridge.__file__).resolve().parent
        renamed: Dict[str, str] = {}
        for source in sorted(package.glob("*.py")):
            tree = ast.parse(source.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                value = None
                if isinstance(node, ast.keyword) and node.arg == "names":
                    value = node.value
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "_NAMES" for t in node.targets
                ):
                    value = node.value
                if isinstance(value, ast.Dict):
                    for key in value.keys:
                        if isinstance(key, ast.Constant) and isinstance(key.value, str):
                            renamed[key.value] = source.name
        self.assertGreater(len(renamed), 5, "the maps were not found")
        self.assertGreater(len(declared), 50, "the header's parameters were not found")
        missing = {k: v for k, v in renamed.items() if k not in declared}
        self.assertEqual(missing, {}, "C parameter names no C function has")

    def test_leap_second_is_the_next_second_as_in_the_c_abi(self) -> None:
        from tokenbridge import _native
        from tokenbridge.models import _datetime

        when = _native.TbDatetime(2024, 12, 31, 23, 59, 60)
        self.assertEqual(_datetime(when), dt.datetime(2025, 1, 1, 0, 0, 0))
        self.assertEqual(_datetime(_native.TbDatetime(2024, 2, 29, 1, 2, 3)), dt.datetime(2024, 2, 29, 1, 2, 3))

    def test_absent_fields_are_none_and_present_ones_text(self) -> None:
        # A server that leaves fields out (as fake_server.c does for the C tests):
        # the C getters say TB_ABSENT, and Python says None, never an error.
        import http.server

        answers = {
            "/GetToken": {"success": True, "message": "ok",
                          "data": {"Token": "fake.token.value", "ExpiresIn": "3600"}},
            "/User/UserHash": {"success": True, "message": "ok", "accessData": {
                "Hash": "h4sh-value", "ChatURL": "https://chat.example/c", "Expires": "31/12/2024 23:59"}},
            "/Messenger/Requests": {"success": True, "message": "ok", "userRequests": [
                {"Protocolo": "P-1", "Situacao": "encerrado", "Pendente": False},
                {"Status": "X", "Numero": 7}]},
        }

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                self.do_GET()

            def do_GET(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                body = next((json.dumps(v) for k, v in answers.items() if k in self.path), None)
                data = (body or "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = "http://127.0.0.1:{}/anna/".format(server.server_address[1])
            with AnnaClient(url, "h", "u", "p", config=Config(allow_http=True)) as a:
                access = a.user_hash("42")
                self.assertIsNone(access.expires, "not YYYYMMDDhhmmss: TB_ABSENT")
                self.assertEqual(access.expires_raw, "31/12/2024 23:59")
                self.assertEqual(access.embedded_url, "", "always present in the model: empty")
                first, second = a.messenger_requests("42")
                self.assertEqual((first.protocol, first.status, first.pending), ("P-1", "encerrado", False))
                self.assertEqual(first.status_kind, RequestStatus.CLOSED)
                self.assertEqual((second.protocol, second.description, second.link), (None, None, None))
                self.assertEqual(second.status, "X")
                self.assertIsNone(second.status_kind, "sent, but neither open nor closed")
                self.assertIsNone(second.pending, "not sent: TB_ABSENT")
                self.assertEqual(second.fields["Numero"], "7")
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)

    def test_timeout_and_connection_errors_are_the_builtin_ones(self) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with YativoClient("http://127.0.0.1:{}/api/v1".format(port), "a", "b", config=CONFIG) as y:
            with self.assertRaises(ConnectionError) as cm:
                y.login()
        self.assertIsInstance(cm.exception, TransportConnectionError)
        self.assertIsInstance(cm.exception, TransportError)
        self.assertIsInstance(cm.exception, TokenBridgeError)
        self.assertNotIsInstance(cm.exception, TimeoutError)
        cfg = Config(allow_http=True, no_proxy=True, retries=Retries(0), timeout_receive=0.2)
        with yativo(config=cfg) as y:
            y.login()
            fault(path="/yativo/api/v1/wallet/balance", delay_ms=1000, times=1)
            with self.assertRaises(TimeoutError) as cm2:
                y.call("GET", "wallet/balance")
            self.assertIsInstance(cm2.exception, TransportTimeoutError)
            self.assertNotIsInstance(cm2.exception, ConnectionError)
            self.assertIn("timed out", str(cm2.exception))

    def test_no_secret_in_any_repr(self) -> None:
        cfg = Config(proxy="http://bob:hunter2@proxy.example:3128", timeout_connect=2)
        self.assertNotIn("hunter2", repr(cfg))
        self.assertIn("bob:***@proxy.example:3128", repr(cfg))
        self.assertNotIn("hunter2", str(cfg))
        cfg = Config(proxy="http://t0ken@proxy.example:3128")
        self.assertNotIn("t0ken", repr(cfg))
        with yativo() as y:
            t = y.login()
            r = y.call("GET", "wallet/balance")
            self.assertNotIn(t.token, repr(t))
            for obj in (r, y, y.aio, y.with_options(timeout=5)):
                self.assertNotIn(t.token, repr(obj))
            req = tokenbridge.Request(
                "GET", "wallet/balance", headers={"Authorization": "Bearer " + t.token},
                query={"secret": "q-s3cret"}, allow_authorization_header=True,
            )
            self.assertNotIn(t.token, repr(req))
            self.assertNotIn("q-s3cret", repr(req))
            resp = y.send(req)
            self.assertNotIn(t.token, repr(resp))
        with anna() as a:
            access = a.user_hash("42")
            for item in a.messenger_requests("42"):
                if item.link:
                    self.assertNotIn(item.link, repr(item))
            self.assertNotIn(access.hash, repr(access))


# ---------------------------------------------------------------------------------
class T11Request(Base):
    def test_send_with_a_header_and_a_query(self) -> None:
        n = Counter()
        with yativo() as y:
            y.login()
            req = tokenbridge.Request(
                "GET", "wallet/balance",
                query=[("currency", "USD"), ("note", "a b&c")],
                headers={"X-Request-Id": "py-1"},
            )
            with captured_logs() as records:
                r = y.send(req)
            self.assertIsInstance(r, tokenbridge.HttpResponse)
            self.assertEqual(r.status, 200, r.text)
            self.assertTrue(r.ok)
            self.assertIsInstance(r.body, bytes)
            # The sandbox's wallet/balance answered: the query went as a query, not
            # into the path (which would be a 404).
            data = r.json()["data"]
            self.assertEqual(data["account_id"], YATIVO_ACCOUNT)
            self.assertEqual([b["currency"] for b in data["balances"]], ["USD", "EUR"])
            self.assertEqual(r.json(), json.loads(r.text))
            # What the sandbox received: the query decoded in order, our header, and
            # never the Authorization header (the sandbox does not echo credentials).
            echo = data["echo"]
            self.assertEqual(echo["method"], "GET")
            self.assertEqual(echo["query"], [["currency", "USD"], ["note", "a b&c"]])
            self.assertIn(["x-request-id", "py-1"], echo["headers"])
            self.assertNotIn("authorization", [h[0] for h in echo["headers"]])
            # At TRACE the library's records of the call came, the HTTP library's
            # head of the request with its headers left out, and never its TRACE
            # wire dump (every byte, secrets included).
            self.assertTrue(any(r.name == "tokenbridge.http"
                                and "GET wallet/balance -> 200" in r.getMessage()
                                for r in records), [r.getMessage() for r in records])
            self.assertTrue(any(r.name.startswith("tokenbridge.ureq") and "HEADERS ARE REDACTED" in r.getMessage()
                                for r in records))
            self.assertEqual([r.getMessage() for r in records
                              if r.name.startswith("tokenbridge.ureq") and r.levelno == tokenbridge.TRACE], [])
            self.assertIn("application/json", r.header("Content-Type") or "")
            self.assertEqual(r.header("no-such-header"), None)
            self.assertTrue(all(k == k.lower() for k, _ in r.headers))
            self.assertEqual(y.send(req).status, 200)  # sent again
        self.assertEqual(n["yativo.call"], 2)

    def test_a_header_the_sandbox_acts_on(self) -> None:
        # Idempotency-Key given as a plain header: the sandbox keeps the first answer
        # under it and replays it, so it saw the header.
        n = Counter()
        with yativo() as y:
            body = {"amount": "2.50", "currency": "EUR"}
            key = "py-header-{}".format(time.time())
            req = tokenbridge.Request("POST", "payouts", json=body, headers=[("Idempotency-Key", key)])
            first = y.send(req)
            self.assertEqual(first.status, 201, first.text)
            self.assertIsNone(first.header("Idempotent-Replayed"))
            again = y.send(req)
            self.assertEqual(again.status, 201, again.text)
            self.assertEqual(again.header("idempotent-replayed"), "true")
            self.assertEqual(again.json()["data"]["id"], first.json()["data"]["id"])
            self.assertEqual(first.json()["data"]["amount"], "2.50")
            # Another key is another payout.
            other = y.send(tokenbridge.Request(
                "POST", "payouts", json=body, headers={"idempotency-key": key + "-2"}))
            self.assertEqual(other.status, 201, other.text)
            self.assertIsNone(other.header("Idempotent-Replayed"))
            self.assertNotEqual(other.json()["data"]["id"], first.json()["data"]["id"])
        self.assertEqual(n["yativo.payout"], 3)
        self.assertEqual(n["yativo.payouts_executed"], 2)

    def test_json_body_idempotency_key_and_async_send(self) -> None:
        with yativo() as y:
            req = tokenbridge.Request(
                "POST", "payouts", json={"amount": "10.00", "currency": "USD"},
                idempotency_key="py-order-{}".format(time.time()),
            )
            first = y.send(req)
            self.assertEqual(first.status, 201, first.text)
            again = asyncio.run(y.aio.send(req))
            self.assertEqual(again.status, 201)
            self.assertEqual(again.header("Idempotent-Replayed"), "true")
            self.assertEqual(again.json()["data"]["id"], first.json()["data"]["id"])

    def test_form_and_raw_bodies(self) -> None:
        with ucontact() as c:
            r = c.send(tokenbridge.Request(
                "POST", "Integra/resources/Dialers/DialerTask", form={"campaign": "Sales"}
            ))
            self.assertEqual(r.status, 200, r.text)
        with anna() as a:
            r = a.send(tokenbridge.Request(
                "POST", "REST/AnnACorporate/Ping", body=b'{"ping": 1}', content_type="application/json"
            ))
            self.assertEqual(r.status, 200, r.text)

    def test_bad_requests_name_the_argument(self) -> None:
        n = Counter()
        with yativo() as y:
            with self.assertRaises(InvalidArgumentError) as cm:
                y.send(tokenbridge.Request("GET", "wallet/balance", headers={"Host": "evil"}))
            self.assertIn("`headers`", str(cm.exception))
            with self.assertRaises(InvalidArgumentError) as cm:
                y.send(tokenbridge.Request("GET", "wallet/balance?x=1"))
            self.assertIn("`path`", str(cm.exception))
            with self.assertRaises(InvalidArgumentError) as cm:
                y.send(tokenbridge.Request("POST", "payouts", idempotency_key=" "))
            self.assertIn("`idempotency_key`", str(cm.exception))
            with self.assertRaises(InvalidArgumentError):
                tokenbridge.Request("POST", "payouts", json={}, form={})
            with self.assertRaises(InvalidArgumentError) as cm:
                y.send(tokenbridge.Request("POST", "x", body=b"", content_type="a\nb"))
            self.assertIn("`content_type`", str(cm.exception))
        self.assertEqual(n.total(), 0)


# ---------------------------------------------------------------------------------
class T12Edges(Base):
    """Answers the sandbox never gives, from a small local server: fields the vendor
    does not publish, a NUL inside a string, Expires that is not a date or is a leap
    second."""

    def serve(self, answers: List[bytes]) -> str:
        import http.server

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = answers.pop(0) if answers else b'{"success": false, "message": "no more"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(10)

        self.addCleanup(stop)
        return "http://127.0.0.1:{}".format(server.server_address[1])

    def test_profile_with_unpublished_fields_and_a_nul(self) -> None:
        url = self.serve([json.dumps({
            "zeta": "z", "id": "77", "name": "a\u0000b", "secret": "sip-pw", "md5secret": "d1g",
            "token": "tok-9", "obj": {"b": [1, 2]}, "flag": True, "limite": None,
        }).encode()])
        cfg = Config(allow_http=True, no_proxy=True, retries=Retries(0), end_session_on_close=False)
        with UContactClient(url, "agent", "pw", kind=LoginKind.AGENT, config=cfg) as c:
            p = c.agent_login()
        self.assertEqual(p.name, "a\x00b")  # read by length, not up to the NUL
        self.assertEqual(p.id, 77)  # a number written as text
        self.assertIsNone(p.limite)  # null: not a number
        self.assertEqual(p.token, "tok-9")
        self.assertIsNone(p.host)  # not sent
        self.assertEqual(p.extra, {"zeta": "z", "obj": '{"b":[1,2]}', "flag": "true"})
        self.assertEqual(p.get("flag"), "true")
        for hidden in ("secret", "md5secret"):
            self.assertIsNone(p.get(hidden))
            self.assertNotIn(hidden, p.raw)
        self.assertNotIn("sip-pw", repr(p))

    def test_expires_that_is_not_a_plain_date(self) -> None:
        def access(expires: str) -> bytes:
            return json.dumps({"success": True, "message": "ok", "accessData": {
                "Hash": "h-1", "ChatURL": "http://chat/1", "EmbeddedURL": "http://emb/1",
                "Expires": expires}}).encode()

        token = json.dumps({"success": True, "message": "ok",
                            "data": {"Token": "t-1", "ExpiresIn": "3600"}}).encode()
        url = self.serve([token, access("20241231235960"), access("soon"), access("20240230120000")])
        with AnnaClient(url + "/", "CH", "u", "p", config=CONFIG) as a:
            leap = a.user_hash("1")
            self.assertEqual(leap.expires, dt.datetime(2025, 1, 1, 0, 0, 0))  # 23:59:60 + 0
            self.assertEqual(leap.expires_raw, "20241231235960")
            self.assertEqual((leap.hash, leap.chat_url, leap.embedded_url),
                             ("h-1", "http://chat/1", "http://emb/1"))
            for raw in ("soon", "20240230120000"):
                d = a.user_hash("1")
                self.assertIsNone(d.expires, raw)
                self.assertEqual(d.expires_raw, raw)


# ---------------------------------------------------------------------------------
@unittest.skipUnless(hasattr(os, "fork"), "needs os.fork")
class T13Fork(Base):
    """A worker forked (gunicorn, celery prefork, multiprocessing) while other threads
    of the parent were inside calls: in the child those threads do not exist, so
    ``close()`` and ``with`` must not wait for them (issue 20)."""

    CHILD_LIMIT = 30.0  # seconds the parent waits for the child before killing it

    def tearDown(self) -> None:
        clear_faults()

    def run_child(self, child: "Callable[[], Dict[str, object]]") -> Dict[str, object]:
        """Forks; the child runs ``child`` and sends back what it returns (or the
        error) through a pipe, then leaves with os._exit. The parent waits at most
        CHILD_LIMIT seconds, and kills the child if it has not finished by then."""
        import select
        import signal
        import traceback

        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns about fork() in a process with threads: that is
            # the point of the test.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: never returns into unittest
            code = 1
            try:
                try:
                    report: Dict[str, object] = {"ok": child()}
                    code = 0
                except BaseException:  # noqa: B902 - everything goes to the parent
                    report = {"error": traceback.format_exc()}
                os.write(write_end, json.dumps(report).encode("utf-8"))
            finally:
                os._exit(code)
        os.close(write_end)
        deadline = time.monotonic() + self.CHILD_LIMIT
        data = b""
        status = None
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([read_end], [], [], 0.1)
                if ready:
                    chunk = os.read(read_end, 65536)
                    data += chunk
                    if not chunk:  # the child closed its end: it is leaving
                        break
            while status is None and time.monotonic() < deadline:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
                else:
                    time.sleep(0.05)
        finally:
            os.close(read_end)
            if status is None:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        if status is None:
            self.fail("the forked child hung for {} s (killed): {!r}".format(self.CHILD_LIMIT, data[:2000]))
        report = json.loads(data.decode("utf-8")) if data else {}
        if "error" in report:
            self.fail("in the forked child:\n" + str(report["error"]))
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, report)
        return cast(Dict[str, object], report["ok"])

    def test_close_and_with_in_a_child_forked_during_other_threads_calls(self) -> None:
        from tokenbridge import _logging

        first, second = yativo(), yativo()
        first.login()
        second.login()
        # Both parent calls get their answer 3 s late, the child's calls none of it.
        fault(path="/yativo/api/v1/wallet/balance", delay_ms=3000, times=2)
        n = Counter()
        answers: List[int] = []

        def slow(client: YativoClient) -> None:
            answers.append(client.call("GET", "wallet/balance").status)

        threads = [threading.Thread(target=slow, args=(c,)) for c in (first, second)]
        for t in threads:
            t.start()
        # Another thread of the parent holds the locks of a client and of the
        # logging setup at the moment of the fork (as one inside close() or
        # enable_logging() would).
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with first._core.lock, _logging._lock:
                held.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        try:
            deadline = time.monotonic() + 10
            while n["yativo.call"] < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(n["yativo.call"], 2, "both slow calls reached the sandbox")
            holder.start()
            self.assertTrue(held.wait(10))
            self.assertEqual(first._core.busy + second._core.busy, 2)

            def child() -> Dict[str, object]:
                out: Dict[str, object] = {}
                started = time.monotonic()
                first.close()  # its call and its lock are the parent's
                out["close_s"] = time.monotonic() - started
                out["closed"] = first.closed
                # A `with` block over the other inherited client: its call in the
                # parent does not hold it up; in the child it works (a login of
                # its own, the library's side of fork).
                started = time.monotonic()
                with second as s:
                    out["inherited_call"] = s.call("GET", "wallet/balance").status
                out["with_s"] = time.monotonic() - started
                out["second_closed"] = second.closed
                # The child's own new clients: login and a call, blocking and asyncio.
                with yativo() as mine:
                    out["login"] = bool(mine.login().token)
                    out["call"] = mine.call("GET", "wallet/balance").status

                    async def aio() -> int:
                        return (await mine.aio.call("GET", "wallet/balance")).status

                    out["aio_call"] = asyncio.run(aio())
                # Logging can be turned on and off (its lock was held at the fork).
                started = time.monotonic()
                tokenbridge.enable_logging(logging.WARNING)
                tokenbridge.disable_logging()
                out["logging_s"] = time.monotonic() - started
                return out

            forked_at = time.monotonic()
            result = self.run_child(child)
            child_s = time.monotonic() - forked_at
        finally:
            release.set()
            if holder.is_alive():
                holder.join(10)
            for t in threads:
                t.join(15)
        self.assertLess(cast(float, result["close_s"]), 1.0, result)
        self.assertTrue(result["closed"], result)
        self.assertLess(cast(float, result["with_s"]), 1.0, result)
        self.assertEqual(result["inherited_call"], 200, result)
        self.assertTrue(result["second_closed"], result)
        self.assertEqual((result["login"], result["call"], result["aio_call"]), (True, 200, 200), result)
        self.assertLess(cast(float, result["logging_s"]), 1.0, result)
        # The child did not wait for the parent's 3 s answers.
        self.assertLess(child_s, 2.5, result)
        # The parent's calls finished on their own, and its clients still work.
        self.assertEqual(answers, [200, 200])
        for c in (first, second):
            self.assertFalse(c.closed)
            self.assertEqual(c.call("GET", "wallet/balance").status, 200)
            started = time.monotonic()
            c.close()
            self.assertLess(time.monotonic() - started, 1.0)


# ---------------------------------------------------------------------------------
class T14TokenStore(Base):
    """Config(token_store=...): OS processes with the same credentials and store share
    one login (file:// and redis://), and a uContact session belongs to the fleet."""

    # A child process: MODE STORE SANDBOX_URL. Writes the SHA-256 of the token it used
    # (never the token), so that the parent sees whether processes shared one.
    WORKER = (
        "import hashlib, sys\n"
        "from tokenbridge import Config, Retries, UContactClient, YativoClient\n"
        "mode, store, url = sys.argv[1:4]\n"
        "cfg = Config(allow_http=True, no_proxy=True, retries=Retries(0), token_store=store)\n"
        "if mode == 'yativo':\n"
        "    with YativoClient(url + '/yativo/api/v1', %r, %r, config=cfg) as y:\n"
        "        assert y.call('GET', 'wallet/balance').status == 200\n"
        "        token = y.token()\n"
        "else:\n"
        "    with UContactClient(url + '/ucontact', %r, %r, config=cfg) as u:\n"
        "        if mode == 'ucontact-end':\n"
        "            token = u.token()\n"
        "            u.end_session()\n"
        "        else:\n"
        "            assert u.call('POST', 'Integra/resources/Dialers/DialerTask').status == 200\n"
        "            token = u.token()\n"
        "    # closed: with a store, this never ends the fleet's session\n"
        "print('TOKEN', hashlib.sha256(token.encode()).hexdigest())\n"
    ) % (YATIVO_ACCOUNT, YATIVO_SECRET, UCONTACT_USER, UCONTACT_PASSWORD)

    def start(self, mode: str, store: str) -> "subprocess.Popen[bytes]":
        # The child imports the package this test imported: the installed one (run
        # outside the source tree, whose directory `-c` would put first), or this
        # source tree's.
        env = dict(os.environ)
        if not INSTALLED:
            env["PYTHONPATH"] = str(PACKAGE_ROOT)
        return subprocess.Popen(
            [sys.executable, "-c", self.WORKER, mode, store, URL],
            env=env, cwd=tempfile.gettempdir(), stdout=subprocess.PIPE,
        )

    def finish(self, p: "subprocess.Popen[bytes]") -> str:
        """Waits (60 s at most) for a child of start(): the hash of its token."""
        try:
            out, _ = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise
        self.assertEqual(p.returncode, 0, out)
        m = re.search(rb"^TOKEN ([0-9a-f]{64})$", out, re.M)
        self.assertIsNotNone(m, out)
        return m.group(1).decode()  # type: ignore[union-attr]

    def two_processes_one_login(self, store: str) -> None:
        before = stats().get("yativo.login", 0)
        a, b = self.start("yativo", store), self.start("yativo", store)
        ta, tb = self.finish(a), self.finish(b)
        self.assertEqual(stats().get("yativo.login", 0) - before, 1, "one login for both")
        self.assertEqual(ta, tb, "both processes used the same token")

    def test_two_processes_share_one_login(self) -> None:
        store = tempfile.mkdtemp(prefix="tb-py-store-")
        try:
            self.two_processes_one_login("file://" + store)
            for name in os.listdir(store):
                with open(os.path.join(store, name), "rb") as f:
                    data = f.read()
                for secret in (YATIVO_ACCOUNT, YATIVO_SECRET, "eyJ"):
                    self.assertNotIn(secret.encode(), data + name.encode())
        finally:
            shutil.rmtree(store, ignore_errors=True)

    def test_two_processes_share_one_login_through_redis(self) -> None:
        redis = os.environ.get("TB_REDIS_URL", "")
        self.assertTrue(redis.startswith("redis://"), "TB_REDIS_URL is set (run-tests.sh starts scripts/redislab.sh)")
        self.two_processes_one_login(redis)
        # The store's password is a secret: not in the config's repr.
        password = os.environ["TB_REDIS_PASSWORD"]
        self.assertNotIn(password, repr(Config(token_store=redis)))

    def test_a_closed_process_leaves_the_ucontact_session_end_session_ends_it(self) -> None:
        store = tempfile.mkdtemp(prefix="tb-py-sessions-")
        url = "file://" + store
        try:
            logins = stats().get("ucontact.getUserToken", 0)
            ends = stats().get("ucontact.EndSession", 0)
            # Process A uses the session and closes its client.
            ta = self.finish(self.start("ucontact", url))
            self.assertEqual(stats().get("ucontact.getUserToken", 0) - logins, 1, "process A logged in")
            self.assertEqual(stats().get("ucontact.EndSession", 0), ends, "closing in A ended no session")
            cfg = Config(allow_http=True, no_proxy=True, retries=Retries(0), token_store=url)
            # This process (B) goes on with it.
            with UContactClient(ucontact_url(), UCONTACT_USER, UCONTACT_PASSWORD, config=cfg) as b:
                self.assertEqual(b.call("POST", "Integra/resources/Dialers/DialerTask").status, 200)
                self.assertEqual(hashlib.sha256(b.token().encode()).hexdigest(), ta, "B works on A's session")
                self.assertEqual(stats().get("ucontact.getUserToken", 0) - logins, 1, "B did not log in")
                # Process C ends it for everyone.
                self.assertEqual(self.finish(self.start("ucontact-end", url)), ta)
                self.assertEqual(stats().get("ucontact.EndSession", 0) - ends, 1, "one EndSession, from C")
                # The ended token is refused (401): B logs in again, once, and goes on.
                self.assertEqual(b.call("POST", "Integra/resources/Dialers/DialerTask").status, 200)
                self.assertEqual(stats().get("ucontact.getUserToken", 0) - logins, 2, "B logged in again")
                self.assertNotEqual(hashlib.sha256(b.token().encode()).hexdigest(), ta)
            self.assertEqual(stats().get("ucontact.EndSession", 0) - ends, 1, "closing B ended no session")
        finally:
            shutil.rmtree(store, ignore_errors=True)

    def test_a_bad_store_url_is_refused_by_name_and_credentials_are_masked(self) -> None:
        with self.assertRaises(InvalidArgumentError) as e:
            Config(token_store="ftp://u:hunter2@host/x")
        self.assertIn("url", str(e.exception))
        self.assertSecretFree(e.exception, "hunter2")
        self.assertIn("file:///var/tmp/x", repr(Config(token_store="file:///var/tmp/x")))


class T99Coverage(Base):
    """Runs last: every operation reached the sandbox, and everything was closed."""

    def test_all_13_operations_reached_the_sandbox(self) -> None:
        s = stats()
        for key in (
            "ucontact.getUserToken",
            "ucontact.AgentLogin",
            "ucontact.EndSession",
            "yativo.login",
            "yativo.refresh",
            "anna.GetToken",
            "anna.UserHash",
            "anna.UserHashForced",
            "anna.Inactivate",
            "anna.Structure",
            "anna.AlertCounter",
            "anna.Requests",
            "anna.Link",
            "ucontact.call",
            "yativo.call",
            "anna.call",
        ):
            self.assertGreater(s.get(key, 0), 0, key)

    def test_nothing_was_left_open(self) -> None:
        gc.collect()
        self.assertEqual(UNRAISABLE, [])


class T16ColdStart(Base):
    """The package makes its dataclasses itself (tokenbridge/_dataclass.py) and its
    enums on first use, so that importing it and making a client stay cheap: the
    classes must still be what dataclasses.dataclass(frozen=True) makes."""

    DATACLASSES = (
        "AccessData", "AgentProfile", "Config", "MessengerChannel", "MessengerDepartment",
        "MessengerFilter", "MessengerRequest", "MessengerStructure", "Response", "Retries",
        "Token", "YativoEvent",
    )

    def test_every_result_class_is_what_the_standard_dataclass_makes(self) -> None:
        import copy
        import dataclasses
        import inspect
        import pickle

        from tokenbridge import _dataclass

        for name in self.DATACLASSES:
            with self.subTest(name):
                cls = getattr(tokenbridge, name)
                twin = _dataclass._twin(cls)  # dataclasses.dataclass(frozen=True), same body
                self.assertTrue(dataclasses.is_dataclass(cls))
                shape = [(f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.compare, f.hash)
                         for f in dataclasses.fields(cls)]
                self.assertEqual(shape, [(f.name, f.type, f.default, f.default_factory, f.init, f.repr,
                                          f.compare, f.hash) for f in dataclasses.fields(twin)])
                self.assertEqual(repr(cls.__dataclass_params__), repr(twin.__dataclass_params__))
                self.assertEqual(str(inspect.signature(cls)), str(inspect.signature(twin)))
                self.assertEqual(cls.__init__.__annotations__, twin.__init__.__annotations__)
                self.assertEqual(getattr(cls, "__match_args__", None), getattr(twin, "__match_args__", None))
                for attr in ("__eq__", "__hash__", "__setattr__", "__delattr__", "__replace__"):
                    self.assertEqual(hasattr(cls, attr), hasattr(twin, attr), attr)
                # The same instance both ways: required fields get their names as
                # values, the others their defaults.
                required = {f.name: "v-" + f.name for f in dataclasses.fields(twin)
                            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
                ours, theirs, again = cls(**required), twin(**required), cls(**required)
                if "__repr__" not in cls.__dict__ or cls.__dict__["__repr__"].__module__ == _dataclass.__name__:
                    self.assertEqual(repr(ours), repr(theirs))
                self.assertEqual(ours, again)
                self.assertNotEqual(ours, theirs)  # another class
                self.assertEqual(dataclasses.asdict(ours), dataclasses.asdict(theirs))
                self.assertEqual(dataclasses.astuple(ours), dataclasses.astuple(theirs))
                try:
                    expected_hash = hash(theirs)
                except TypeError:
                    self.assertRaises(TypeError, hash, ours)  # a dict field, as there
                else:
                    self.assertEqual(hash(ours), expected_hash)
                first = dataclasses.fields(cls)[0].name
                with self.assertRaises(dataclasses.FrozenInstanceError):
                    setattr(ours, first, "changed")
                with self.assertRaises(dataclasses.FrozenInstanceError):
                    delattr(ours, first)
                if required:
                    changed = dataclasses.replace(ours, **{next(iter(required)): "other"})
                    self.assertIs(type(changed), cls)
                    self.assertNotEqual(changed, ours)
                self.assertEqual(pickle.loads(pickle.dumps(ours)), ours)
                self.assertEqual(copy.deepcopy(ours), ours)

    def test_a_cold_start_imports_none_of_the_heavy_modules(self) -> None:
        # What benches/python/cold.py does before its first call, in a new
        # interpreter: none of these may be imported (each costs more than the
        # package) unless the interpreter's start-up already had; dataclasses works
        # on the classes afterwards.
        code = (
            "import sys\n"
            "before = set(sys.modules)\n"
            "from tokenbridge import AnnaClient, Config, Token\n"
            "with AnnaClient('http://127.0.0.1:9/anna/', 'h', 'u', 'p',\n"
            "                config=Config(no_proxy=True, allow_http=True)) as c:\n"
            "    Token(token='t', expires_at=None)\n"
            "heavy = ('dataclasses', 'inspect', 'enum', 'threading', 'contextlib', 'datetime',\n"
            "         'typing', 'functools', 'collections', 'weakref', 'asyncio', 'json', 'logging')\n"
            "print(sorted(m for m in heavy if m in sys.modules and m not in before))\n"
            "import dataclasses\n"
            "print([f.name for f in dataclasses.fields(Token)])\n"
        )
        env = dict(os.environ)
        if not INSTALLED:
            env["PYTHONPATH"] = str(PACKAGE_ROOT)
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, "-c", code], cwd=tmp, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.splitlines(), ["[]", "['token', 'expires_at']"])

    def test_names_made_on_first_use_are_the_same_everywhere(self) -> None:
        import pickle

        from tokenbridge import errors, models

        self.assertIs(tokenbridge.Status, errors.Status)
        for name in ("LoginKind", "TlsRoots", "RequestStatus"):
            self.assertIs(getattr(tokenbridge, name), getattr(models, name))
            self.assertEqual(getattr(models, name).__module__, "tokenbridge.models")
        self.assertEqual(Status.__module__, "tokenbridge.errors")
        self.assertIs(tokenbridge.UContactClient, tokenbridge.clients.UContactClient)
        self.assertEqual(UContactClient.__module__, "tokenbridge.clients")
        self.assertIs(pickle.loads(pickle.dumps(LoginKind.AGENT)), LoginKind.AGENT)
        self.assertIs(pickle.loads(pickle.dumps(Status.ABSENT)), Status.ABSENT)
        self.assertTrue(set(tokenbridge.__all__) <= set(dir(tokenbridge)))
        for name in tokenbridge.__all__:
            self.assertIsNotNone(getattr(tokenbridge, name), name)
        with self.assertRaises(AttributeError):
            tokenbridge.NoSuchName  # noqa: B018
        # The numbers the package passes before Status is made.
        for name in ("OK", "INVALID_ARGUMENT", "ABSENT", "PANIC"):
            self.assertEqual(getattr(errors, "_" + name), Status[name])
        self.assertEqual(models._STATUS_C, {RequestStatus.OPEN: 1, RequestStatus.CLOSED: 2})


def load_tests(loader: unittest.TestLoader, tests: unittest.TestSuite, pattern: object) -> unittest.TestSuite:
    # Classes in name order (T99 last).
    suite = unittest.TestSuite()
    module = sys.modules[__name__]
    for name in sorted(n for n in dir(module) if n.startswith("T") and n[1:3].isdigit()):
        suite.addTests(loader.loadTestsFromTestCase(getattr(module, name)))
    return suite


def main() -> int:
    suite = load_tests(unittest.defaultTestLoader, unittest.TestSuite(), None)
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    result = unittest.TextTestRunner(verbosity=verbosity).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print("{} passed, {} failed{}".format(passed, failed, ", {} skipped".format(skipped) if skipped else ""))
    return 0 if result.wasSuccessful() and failed == 0 else 1



# ---------------------------------------------------------------------------------
class T15Webhooks(Base):
    """The sandbox POSTs signed payout events to a receiver here (http.server, as a
    user's would be); verify_webhook checks them as tb_yativo_webhook_verify does."""

    def setUp(self) -> None:
        import http.server

        self.received: List[tuple] = []
        received = self.received

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((self.headers, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def tearDown(self) -> None:
        control("DELETE", "/__sandbox/webhooks")
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def deliver(self, header: str, prefix: bool = False, tamper: str = "none") -> tuple:
        control("DELETE", "/__sandbox/webhooks")
        control("POST", "/__sandbox/webhooks", {
            "url": "http://127.0.0.1:{}/hook".format(self.server.server_address[1]),
            "secret": "whsec_py_current", "header": header, "prefix": prefix,
            "tamper": tamper, "times": 1, "timeout_ms": 5000})
        before = len(self.received)
        with yativo() as y:
            answer = y.send(Request("POST", "payouts", json={"amount": "12.34", "currency": "USD"}))
            self.assertEqual(answer.status, 201)
        deadline = time.monotonic() + 10
        while len(self.received) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(self.received), before + 1, "the webhook came")
        return self.received[-1]

    def test_each_header_form_verifies_with_either_secret(self) -> None:
        for header, prefix in [("X-Yativo-Signature", False), ("X-Webhook-Signature", True),
                               ("Signature", False), ("Signature", True)]:
            with self.subTest(header=header, prefix=prefix):
                headers, body = self.deliver(header, prefix)
                self.assertEqual(headers[header].startswith("sha256="), prefix)
                event = verify_webhook(body, headers, ["whsec_py_old", "whsec_py_current"])
                self.assertEqual(event.type, "payout.created")
                self.assertRegex(event.id, r"^evt_[0-9a-f]{32}$")
                self.assertEqual(event.secret_index, 1, "the second secret signed it")
                self.assertEqual(event.data["amount"], "12.34")
                self.assertIn(event.data_json.encode(), body, "data is the body's own text")
                self.assertIsNotNone(event.created_at)
                self.assertLess(abs((utcnow() - event.created_at).total_seconds()), 60)
                self.assertNotIn("whsec", repr(event))
                # One secret, the current one, as pairs instead of a mapping.
                again = verify_webhook(body, list(headers.items()), "whsec_py_current")
                self.assertEqual((again.id, again.secret_index), (event.id, 0))

    def test_tampered_webhooks_are_refused(self) -> None:
        for tamper, header, reason in [
            ("body", "X-Yativo-Signature", "matches none of the 2 webhook secret(s)"),
            ("wrong_secret", "Signature", "matches none of the 2 webhook secret(s)"),
            ("truncated", "X-Webhook-Signature", "is not a hex HMAC-SHA256"),
            ("non_hex", "X-Yativo-Signature", "is not a hex HMAC-SHA256"),
            ("empty", "Signature", "is not a hex HMAC-SHA256"),
        ]:
            with self.subTest(tamper=tamper):
                headers, body = self.deliver(header, tamper=tamper)
                with self.assertRaises(WebhookVerificationError) as cm:
                    verify_webhook(body, headers, ["whsec_py_old", "whsec_py_current"])
                self.assertEqual(cm.exception.part, "headers")
                self.assertIn(reason, str(cm.exception))
                self.assertTrue(str(cm.exception).startswith("invalid argument `headers`: "))
                self.assertNotIn("whsec", str(cm.exception))
                self.assertIsInstance(cm.exception, InvalidArgumentError)

    def test_a_changed_byte_and_bad_input_are_named(self) -> None:
        headers, body = self.deliver("X-Yativo-Signature")
        changed = bytearray(body)
        changed[len(changed) // 2] ^= 0x01
        with self.assertRaises(WebhookVerificationError) as cm:
            verify_webhook(bytes(changed), headers, "whsec_py_current")
        self.assertIn("matches none of the 1 webhook secret(s)", str(cm.exception))
        with self.assertRaises(WebhookVerificationError) as cm:
            verify_webhook(body, {"Content-Type": "application/json"}, "whsec_py_current")
        self.assertIn("no signature header (looked for X-Yativo-Signature, X-Webhook-Signature, "
                      "Signature)", str(cm.exception))
        value = headers["X-Yativo-Signature"]
        with self.assertRaises(WebhookVerificationError) as cm:
            verify_webhook(body, [("Signature", value), ("signature", value)], "whsec_py_current")
        self.assertIn("appears 2 times", str(cm.exception))
        with self.assertRaises(WebhookVerificationError) as cm:
            verify_webhook(body, headers, [])
        self.assertEqual(cm.exception.part, "secrets")
        with self.assertRaises(WebhookVerificationError) as cm:
            verify_webhook(body, headers, ["whsec_py_current", ""])
        self.assertEqual(str(cm.exception), "invalid argument `secrets`: secret 2 of 2 is empty")
        with self.assertRaises(TypeError):
            verify_webhook(body.decode(), headers, "whsec_py_current")  # type: ignore[arg-type]
        # Correctly signed, but no Yativo event: `body`.
        import hashlib
        import hmac

        payload = b'{"hello": 1}'
        sig = hmac.new(b"s", payload, hashlib.sha256).hexdigest()
        with self.assertRaises(WebhookVerificationError) as cm:
            verify_webhook(payload, {"Signature": sig}, "s")
        self.assertEqual(cm.exception.part, "body")
        self.assertIn("the body is not a Yativo event", str(cm.exception))

if __name__ == "__main__":
    sys.exit(main())
