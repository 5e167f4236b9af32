"""Cold start with Python requests: log in (AnnA GetToken), then one authenticated call
on the same connection (a Session), trusting the test CA. python3 cold_python.py PORT CAFILE"""
import sys

import requests

port, ca = sys.argv[1], sys.argv[2]
base = f"https://127.0.0.1:{port}/anna/REST"
# verify= on each call: a Session's own `verify` loses to REQUESTS_CA_BUNDLE.
with requests.Session() as s:
    r = s.post(f"{base}/Credentials/GetToken",
               json={"hash": "COMPANYHASH", "user": "annauser", "pass": "anna-pass"}, verify=ca)
    r.raise_for_status()
    token = r.json()["data"]["Token"]
    r = s.post(f"{base}/AnnACorporate/Messenger/AlertCounter",
               headers={"Authorization": f"Bearer {token}"},
               json={"hash": "COMPANYHASH", "userId": "42", "userDocType": "", "userDocValue": "",
                     "messengerFilters": {"departmentAlias": "", "channelAlias": "", "dataIni": "",
                                          "dataFim": "", "status": "", "pendentes": ""}}, verify=ca)
    r.raise_for_status()
    sys.exit(0 if r.json()["alertCounter"] == 3 else 1)
