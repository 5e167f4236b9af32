"""Cold start of the Python section (benches/sections/python.sh), run as a new process
by benches/c/cold_run.c: log in (AnnA GetToken), then one authenticated
Messenger/AlertCounter call on the same connection, trusting the test CA; exits 0 when
alertCounter == 3. Python requests is benches/cold_python.py (the cold section's).

    python cold.py tokenbridge|httpx PORT CAFILE

Only the client asked for is imported: its import is part of what is measured."""
import sys

kind, port, ca = sys.argv[1], sys.argv[2], sys.argv[3]
base = "https://127.0.0.1:%s/anna/" % port

if kind == "tokenbridge":
    from tokenbridge import AnnaClient, Config

    # As benches/c/cold_abi.c: the bundled roots plus the test CA, no proxy.
    with AnnaClient(base, "COMPANYHASH", "annauser", "anna-pass",
                    config=Config(no_proxy=True, extra_ca_file=ca)) as anna:
        anna.get_token()
        count = anna.messenger_alert_counter("42")
elif kind == "httpx":
    import ssl

    import httpx

    with httpx.Client(verify=ssl.create_default_context(cafile=ca)) as c:
        r = c.post(base + "REST/Credentials/GetToken",
                   json={"hash": "COMPANYHASH", "user": "annauser", "pass": "anna-pass"})
        r.raise_for_status()
        token = r.json()["data"]["Token"]
        r = c.post(base + "REST/AnnACorporate/Messenger/AlertCounter",
                   headers={"Authorization": "Bearer " + token},
                   json={"hash": "COMPANYHASH", "userId": "42", "userDocType": "", "userDocValue": "",
                         "messengerFilters": {"departmentAlias": "", "channelAlias": "", "dataIni": "",
                                              "dataFim": "", "status": "", "pendentes": ""}})
        r.raise_for_status()
        count = r.json()["alertCounter"]
else:
    sys.exit("usage: cold.py tokenbridge|httpx PORT CAFILE")
sys.exit(0 if count == 3 else 1)
