"""Keep-alive timing driver of the Python section (benches/sections/python.sh): AnnA
Messenger/AlertCounter with a cached token over HTTPS, the way each Python client is
normally written, one client per process:

    python client.py CLIENT PORT N WARM CAFILE

CLIENT is one of
  tokenbridge        the binding: AnnaClient.messenger_alert_counter("42")
  requests           requests.Session().post(..., json=body, headers=Bearer, verify=CAFILE)
  httpx              httpx.Client(verify=<SSLContext of CAFILE>).post(...)
  tokenbridge-aio    the binding's asyncio face: await client.aio.messenger_alert_counter("42")
  httpx-async        await httpx.AsyncClient(verify=...).post(...)

Every call sends the same JSON body (built per call, json=...), `Authorization: Bearer
bench-token`, parses the answer and checks alertCounter == 3. WARM calls first, not
counted (the connection, the TLS handshake and the interpreter's caches); then N timed
calls, each timed alone with time.perf_counter_ns. Prints the line of
benches/c/stats.h: RESULT <name> <requests> <seconds> <req/s> <p50 us> <p99 us>, with
the same percentiles (sorted latencies, [n/2] and [n*99/100]) and the seconds the sum
of the latencies."""
import sys
import time

TOKEN = "bench-token"


def body():
    # The body of the https section (benches/c/curl_client.c), built per call.
    return {"hash": "COMPANYHASH", "userId": "42", "userDocType": "", "userDocValue": "",
            "messengerFilters": {"departmentAlias": "", "channelAlias": "", "dataIni": "",
                                 "dataFim": "", "status": "", "pendentes": ""}}


def report(name, lat, total_ns):
    lat.sort()
    n = len(lat)
    secs = total_ns / 1e9
    print("RESULT %s %d %.4f %.1f %.2f %.2f" % (name, n, secs, n / secs,
                                                lat[n // 2] / 1000.0, lat[(n * 99) // 100] / 1000.0),
          flush=True)


def timed(call, n, warm):
    """Runs call() warm + n times; the latencies (ns) of the last n."""
    now = time.perf_counter_ns
    for _ in range(warm):
        call()
    lat = [0] * n
    for i in range(n):
        t0 = now()
        call()
        lat[i] = now() - t0
    return lat


async def atimed(call, n, warm):
    now = time.perf_counter_ns
    for _ in range(warm):
        await call()
    lat = [0] * n
    for i in range(n):
        t0 = now()
        await call()
        lat[i] = now() - t0
    return lat


def check(count):
    if count != 3:
        sys.exit("client.py: wrong alertCounter %r" % (count,))


def tokenbridge_client(port, ca):
    import datetime

    from tokenbridge import AnnaClient, Config, Retries

    # As benches/c/abi_client.c: no proxy, no retries, the test CA beside the bundled
    # roots, and the token set (valid for a day) so that no call logs in.
    client = AnnaClient("https://127.0.0.1:%s/anna/" % port, "COMPANYHASH", "annauser", "anna-pass",
                        config=Config(no_proxy=True, retries=Retries(0, 0.1, 1), extra_ca_file=ca))
    client.set_token(TOKEN, datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1))
    return client


def url(port):
    return "https://127.0.0.1:%s/anna/REST/AnnACorporate/Messenger/AlertCounter" % port


def main():
    if len(sys.argv) != 6:
        sys.exit("usage: client.py tokenbridge|requests|httpx|tokenbridge-aio|httpx-async PORT N WARM CAFILE")
    kind, port, n, warm, ca = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    if n <= 0 or warm < 0:
        sys.exit("client.py: N must be positive and WARM not negative")
    u = url(port)
    if kind == "tokenbridge":
        with tokenbridge_client(port, ca) as c:
            def call():
                check(c.messenger_alert_counter("42"))
            lat = timed(call, n, warm)
    elif kind == "requests":
        import requests

        with requests.Session() as s:
            def call():
                # verify= on each call: a Session's own `verify` loses to REQUESTS_CA_BUNDLE.
                r = s.post(u, json=body(), headers={"Authorization": "Bearer " + TOKEN}, verify=ca)
                r.raise_for_status()
                check(r.json()["alertCounter"])
            lat = timed(call, n, warm)
    elif kind == "httpx":
        import ssl

        import httpx

        with httpx.Client(verify=ssl.create_default_context(cafile=ca)) as c:
            def call():
                r = c.post(u, json=body(), headers={"Authorization": "Bearer " + TOKEN})
                r.raise_for_status()
                check(r.json()["alertCounter"])
            lat = timed(call, n, warm)
    elif kind == "tokenbridge-aio":
        import asyncio

        async def run():
            with tokenbridge_client(port, ca) as c:
                aio = c.aio

                async def call():
                    check(await aio.messenger_alert_counter("42"))
                return await atimed(call, n, warm)
        lat = asyncio.run(run())
    elif kind == "httpx-async":
        import asyncio
        import ssl

        import httpx

        async def run():
            async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=ca)) as c:
                async def call():
                    r = await c.post(u, json=body(), headers={"Authorization": "Bearer " + TOKEN})
                    r.raise_for_status()
                    check(r.json()["alertCounter"])
                return await atimed(call, n, warm)
        lat = asyncio.run(run())
    else:
        sys.exit("client.py: unknown client %r" % kind)
    report("python-" + kind, lat, sum(lat))


if __name__ == "__main__":
    main()
