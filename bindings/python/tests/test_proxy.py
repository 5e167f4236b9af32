"""The Python binding through real HTTP proxies: the lab of scripts/netlab.sh
(tinyproxy open and with Basic credentials; nginx as a TLS front with a test CA)
in front of the sandbox.

Run by bindings/python/run-tests.sh after it started the sandbox and the lab, with
TOKENBRIDGE_SANDBOX_URL and the lab's TB_LAB_* variables set. Each test checks what
crossed the wire: tinyproxy's log (client connections, CONNECT tunnels), nginx's
access log (the requests that reached the TLS front, and on which TLS connection),
and what the sandbox received (its counts, its echo of the Host header and body).
Standard library only.
"""

import base64
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
INSTALLED = os.environ.get("TOKENBRIDGE_TEST_INSTALLED") == "1"
if not INSTALLED:
    sys.path.insert(0, str(PACKAGE_ROOT))

from tokenbridge import (  # noqa: E402
    AnnaClient,
    Config,
    Retries,
    Status,
    TransportConnectionError,
    UContactClient,
    YativoClient,
)

URL = os.environ.get("TOKENBRIDGE_SANDBOX_URL", "")
UCONTACT_USER, UCONTACT_PASSWORD = "apiuser", "s3cret&=+ é"
YATIVO_ACCOUNT, YATIVO_SECRET = "acct-sandbox", "yativo-secret"
ANNA_HASH, ANNA_USER, ANNA_PASS = "COMPANYHASH", "annauser", "anna-pass"
PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
              "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy")
# A body with what a layer rewriting tunnel bytes breaks: multi-byte UTF-8, quotes,
# CR/LF, text that looks like HTTP; about 40 kB, more than two TLS records.
BODY = {"text": ("ação ü € \"q\" \r\nPOST /x HTTP/1.1\r\nHost: y\r\n\r\n" * 800), "n": 12345}


def lab(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError("{} is not set: run bindings/python/run-tests.sh (it starts "
                           "scripts/netlab.sh)".format(name))
    return value


def port_of(url: str) -> int:
    return int(url.rstrip("/").rsplit(":", 1)[1])


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def sandbox(path: str, method: str = "GET") -> Dict[str, int]:
    req = urllib.request.Request(URL + path, method=method)
    with _NO_PROXY.open(req, timeout=10) as r:
        return json.load(r)


class Log:
    """A log file read from a mark on."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.start = os.path.getsize(path)

    def since(self) -> str:
        with open(self.path, "rb") as f:
            f.seek(self.start)
            return f.read().decode("utf-8", "replace")


def proxy_saw(log: Log, port: int) -> Dict[str, int]:
    """Client connections, CONNECT tunnels to 127.0.0.1:port and absolute-form
    requests to it, as tinyproxy logged them since the mark."""
    text = log.since()
    return {
        "connections": text.count("Connect (file descriptor"),
        "tunnels": text.count("): CONNECT 127.0.0.1:{} HTTP/1.".format(port)),
        "forwarded": sum(1 for line in text.splitlines()
                         if "Request (file descriptor" in line
                         and " http://127.0.0.1:{}/".format(port) in line),
    }


def front_lines(log: Log, want: int = 0) -> List[Dict[str, Any]]:
    """The TLS front's access log: CONNECTION REQUESTS TLS "REQUEST LINE" STATUS, once
    it has `want` lines or 2 s passed (nginx logs a request after answering it)."""
    until = time.monotonic() + 2
    while len(log.since().splitlines()) < want and time.monotonic() < until:
        time.sleep(0.02)
    out = []
    for line in log.since().splitlines():
        head, rest = line.split(' "', 1)
        request, status = rest.rsplit('" ', 1)
        conn, _, tls = head.split(" ")
        out.append({"connection": conn, "tls": tls, "request": request, "status": int(status)})
    return out


def echoed(echo: Dict[str, Any], name: str) -> Optional[str]:
    for k, v in echo["headers"]:
        if k == name:
            return v
    return None


class Target:
    def __init__(self, name: str, base: str, ca: Optional[str]) -> None:
        self.name, self.base, self.ca = name, base, ca
        self.port = port_of(base)
        self.host = "127.0.0.1:{}".format(self.port)

    def config(self, proxy: Optional[str]) -> Config:
        # https trusts the lab's CA and allows no plain http; the plain target allows it.
        return Config(
            proxy=proxy,
            allow_http=self.ca is None,
            extra_ca_file=self.ca,
            retries=Retries(0),
            timeout_connect=5,
            timeout_receive=10,
        )


def targets() -> List[Target]:
    return [
        Target("https", lab("TB_LAB_HTTPS_URL"), lab("TB_LAB_CA_FILE")),
        Target("http", URL, None),
    ]


class ProxyTests(unittest.TestCase):
    maxDiff = None

    def setUp(self) -> None:
        if not URL:
            raise RuntimeError("TOKENBRIDGE_SANDBOX_URL is not set: run bindings/python/run-tests.sh")
        sandbox("/__sandbox/reset", "POST")

    def three_apis(self, target: Target, proxy: str) -> None:
        """Logins and authenticated calls of the three APIs through `proxy`."""
        cfg = target.config(proxy)
        with YativoClient(target.base + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET, config=cfg) as ya:
            self.assertTrue(ya.login().token)
            r = ya.call("GET", "wallet/balance")
            self.assertEqual(r.status, 200, r.body)
            data = json.loads(r.body)["data"]
            self.assertEqual(data["account_id"], YATIVO_ACCOUNT)
            self.assertEqual(echoed(data["echo"], "host"), target.host)
        with AnnaClient(target.base + "/anna/", ANNA_HASH, ANNA_USER, ANNA_PASS, config=cfg) as an:
            an.get_token()
            r = an.call("POST", "REST/AnnACorporate/Ping", json=BODY)
            data = json.loads(r.body)["data"]
            self.assertEqual(data["user"], ANNA_USER)
            self.assertTrue(data["received"] == BODY, "the body arrived changed")
            self.assertEqual(echoed(data["echo"], "host"), target.host)
            self.assertGreater(an.messenger_alert_counter("42"), 0)
        with UContactClient(target.base + "/ucontact", UCONTACT_USER, UCONTACT_PASSWORD, config=cfg) as uc:
            uc.get_user_token()
            r = uc.call("POST", "Integra/resources/Dialers/DialerTask", json={"k": "v é"})
            v = json.loads(r.body)
            self.assertEqual(v["user"], UCONTACT_USER)
            self.assertEqual(v["received"], {"k": "v é"})
            self.assertEqual(echoed(v["echo"], "host"), target.host)
        s = sandbox("/__sandbox/stats")
        for key in ("yativo.login", "yativo.call", "anna.GetToken", "anna.call", "anna.AlertCounter",
                    "ucontact.getUserToken", "ucontact.call", "ucontact.EndSession"):
            self.assertEqual(s[key], 1, key)

    def check_carried(self, target: Target, used: Log, other: Log, front: Log) -> None:
        saw = proxy_saw(used, target.port)
        self.assertGreater(saw["tunnels"] + saw["forwarded"], 0, used.since())
        self.assertLessEqual(saw["connections"], 3, used.since())  # one per client
        self.assertEqual(other.since(), "", "the other proxy was used")
        lines = front_lines(front, 8 if target.ca else 0)
        if target.ca:
            self.assertEqual(saw["forwarded"], 0)
            self.assertEqual(len(lines), 8, lines)
            for line in lines:
                self.assertTrue(line["tls"].startswith("TLSv1."), line)
                self.assertEqual(line["status"], 200, line)
        else:
            self.assertEqual(lines, [], "plain http went to the TLS front")
        print("  {}: the proxy saw {}".format(target.name, saw), file=sys.stderr)

    def test_open_proxy_to_https_and_plain_http(self) -> None:
        for target in targets():
            with self.subTest(target=target.name):
                sandbox("/__sandbox/reset", "POST")
                logs = Log(lab("TB_LAB_PROXY_LOG")), Log(lab("TB_LAB_PROXY_AUTH_LOG")), Log(lab("TB_LAB_HTTPS_LOG"))
                self.three_apis(target, lab("TB_LAB_PROXY"))
                self.check_carried(target, *logs)

    def test_basic_auth_proxy_to_https_and_plain_http(self) -> None:
        for target in targets():
            with self.subTest(target=target.name):
                sandbox("/__sandbox/reset", "POST")
                open_log, auth_log, front = (Log(lab("TB_LAB_PROXY_LOG")), Log(lab("TB_LAB_PROXY_AUTH_LOG")),
                                             Log(lab("TB_LAB_HTTPS_LOG")))
                self.three_apis(target, lab("TB_LAB_PROXY_AUTH"))
                self.check_carried(target, auth_log, open_log, front)

    def test_refused_tunnel_is_a_proxy_error_naming_proxy_and_status_without_credentials(self) -> None:
        user, password, bad = lab("TB_LAB_PROXY_USER"), lab("TB_LAB_PROXY_PASSWORD"), lab("TB_LAB_PROXY_BAD_PASSWORD")
        proxy = lab("TB_LAB_PROXY_AUTH_URL")  # http://127.0.0.1:PORT
        secrets = [user, password, bad] + [
            base64.b64encode("{}:{}".format(user, p).encode()).decode() for p in (password, bad)]
        self.assertEqual(lab("TB_LAB_PROXY_AUTH_NONE_STATUS"), "407")
        for target in targets():
            for given, status in ((proxy, lab("TB_LAB_PROXY_AUTH_NONE_STATUS")),
                                  (lab("TB_LAB_PROXY_AUTH_BAD"), lab("TB_LAB_PROXY_AUTH_BAD_STATUS"))):
                with self.subTest(target=target.name, status=status):
                    sandbox("/__sandbox/reset", "POST")
                    auth_log = Log(lab("TB_LAB_PROXY_AUTH_LOG"))
                    with YativoClient(target.base + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET,
                                      config=target.config(given)) as ya:
                        with self.assertRaises(TransportConnectionError) as cm:
                            ya.login()
                    e = cm.exception
                    print("  {} {}: {}".format(target.name, status, e), file=sys.stderr)
                    self.assertEqual(e.status, Status.PROXY, repr(e))
                    self.assertIsNone(e.http_status)
                    self.assertIn(proxy, e.message)
                    self.assertIn(status, e.message)
                    for s in secrets:
                        self.assertNotIn(s, e.message)
                        self.assertNotIn(s, repr(e))
                        self.assertNotIn(s, str(e))
                    saw = proxy_saw(auth_log, target.port)
                    self.assertEqual(saw["tunnels"] + saw["forwarded"], 1, auth_log.since())
                    self.assertEqual(sandbox("/__sandbox/stats")["requests"], 0)

    def child(self, target: Target, env: Dict[str, str]) -> str:
        """A Yativo login and call in a new python whose proxy comes from `env`."""
        code = (
            "import json, sys\n"
            "from tokenbridge import Config, Retries, YativoClient\n"
            "base, ca = sys.argv[1], sys.argv[2] or None\n"
            "cfg = Config(allow_http=ca is None, extra_ca_file=ca, retries=Retries(0), timeout_connect=5)\n"
            "with YativoClient(base + '/yativo/api/v1', 'acct-sandbox', 'yativo-secret', config=cfg) as ya:\n"
            "    ya.login()\n"
            "    data = json.loads(ya.call('GET', 'wallet/balance').body)['data']\n"
            "    print('CHILD-OK', dict(data['echo']['headers'])['host'])\n"
        )
        full = {k: v for k, v in os.environ.items() if k not in PROXY_VARS}
        full.update(env)
        if not INSTALLED:
            full["PYTHONPATH"] = str(PACKAGE_ROOT)
        out = subprocess.run([sys.executable, "-c", code, target.base, target.ca or ""], env=full,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, cwd="/")
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        return out.stdout.decode()

    def test_proxy_from_the_environment_and_no_proxy(self) -> None:
        https = targets()[0]
        open_proxy = lab("TB_LAB_PROXY")
        cases = [
            ({"HTTPS_PROXY": open_proxy}, True),
            ({"https_proxy": open_proxy, "no_proxy": "127.0.0.1"}, False),
            ({"HTTPS_PROXY": open_proxy, "NO_PROXY": "localhost,127.0.0.1"}, False),
        ]
        for env, through in cases:
            with self.subTest(env=env):
                sandbox("/__sandbox/reset", "POST")
                open_log, front = Log(lab("TB_LAB_PROXY_LOG")), Log(lab("TB_LAB_HTTPS_LOG"))
                out = self.child(https, env)
                self.assertIn("CHILD-OK " + https.host, out)
                saw = proxy_saw(open_log, https.port)
                if through:
                    self.assertEqual(saw, {"connections": 1, "tunnels": 1, "forwarded": 0}, open_log.since())
                else:
                    self.assertEqual(open_log.since(), "", "NO_PROXY names 127.0.0.1, yet the proxy was used")
                self.assertEqual(len(front_lines(front, 2)), 2)  # login + call reached the TLS front
                s = sandbox("/__sandbox/stats")
                self.assertEqual((s["yativo.login"], s["yativo.call"]), (1, 1))


def main() -> int:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ProxyTests)
    result = unittest.TextTestRunner(verbosity=2 if "-v" in sys.argv[1:] else 1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("{} passed, {} failed".format(passed, failed))
    return 0 if result.wasSuccessful() and not result.skipped else 1


if __name__ == "__main__":
    sys.exit(main())
