"""The README's example. Run it with TOKENBRIDGE_SANDBOX_URL set (run-tests.sh does)."""
import datetime
import os

from tokenbridge import AnnaClient, Config, MessengerFilter, RejectedError, YativoClient

url = os.environ["TOKENBRIDGE_SANDBOX_URL"]  # http://127.0.0.1:PORT
config = Config(allow_http=True, no_proxy=True)  # plain http: the sandbox only

with YativoClient(url + "/yativo/api/v1", "acct-sandbox", "yativo-secret",
                  config=config) as yativo:
    token = yativo.login()
    print("Yativo token expires at", token.expires_at)
    print("wallet/balance:", yativo.call("GET", "wallet/balance").status)

with AnnaClient(url + "/anna/", "COMPANYHASH", "annauser", "anna-pass",
                config=config) as anna:
    print("user 42 chats until", anna.user_hash("42").expires)
    for department in anna.messenger_structure().departments:
        print("department", department.alias, [c.alias for c in department.channels])
    pending = anna.messenger_alert_counter("42", filter=MessengerFilter(status="open"))
    print("open requests awaiting user 42:", pending)
    since_2024 = MessengerFilter(date_from=datetime.date(2024, 1, 1))
    for request in anna.messenger_requests("42", filter=since_2024):
        print(request.protocol, request.status_kind, "pending:", request.pending)

try:
    with YativoClient(url + "/yativo/api/v1", "acct-sandbox", "bad-secret",
                      config=config) as yativo:
        yativo.login()
except RejectedError as e:
    print("refused:", e.vendor_message, "(HTTP {})".format(e.http_status))
