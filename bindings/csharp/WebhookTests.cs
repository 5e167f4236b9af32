// Tests of YativoWebhook against the sandbox's signed webhooks (docs/sandbox-contract.md,
// "Webhooks"): a real HttpListener on 127.0.0.1 receives them, verifies them the way the
// README's receiver does and answers 200 or 401. Part of Tests.exe (run-tests.sh).

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using TokenBridge;

static partial class Tests
{
    const string WhOld = "whsec_cs_old";
    const string WhCurrent = "whsec_cs_current";

    // What the receiver got and made of it.
    sealed class Delivery
    {
        public byte[] Body;
        public NameValueCollection Headers;
        public YativoEvent Event;
        public Exception Error;
        public bool Duplicate;
        public int Answered;
    }

    // A minimal receiver as in README.md: raw body, Verify, 200 or 401, deduplicated by id.
    sealed class WebhookReceiver : IDisposable
    {
        readonly HttpListener listener = new HttpListener();
        readonly Thread thread;
        readonly HashSet<string> seen = new HashSet<string>();
        public readonly BlockingCollection<Delivery> Deliveries = new BlockingCollection<Delivery>();
        public readonly int Port;

        public WebhookReceiver()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            listener.Prefixes.Add("http://127.0.0.1:" + Port + "/");
            listener.Start();
            thread = new Thread(Serve) { IsBackground = true, Name = "webhook receiver" };
            thread.Start();
        }

        void Serve()
        {
            while (true)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = listener.GetContext();
                }
                catch (Exception)
                {
                    return; // stopped
                }
                var d = new Delivery();
                try
                {
                    using (var ms = new MemoryStream())
                    {
                        ctx.Request.InputStream.CopyTo(ms);
                        d.Body = ms.ToArray();
                    }
                    d.Headers = new NameValueCollection(ctx.Request.Headers);
                    try
                    {
                        d.Event = YativoWebhook.Verify(d.Body, ctx.Request.Headers, WhOld, WhCurrent);
                        lock (seen) d.Duplicate = !seen.Add(d.Event.Id);
                        ctx.Response.StatusCode = 200;
                    }
                    catch (WebhookVerificationException e)
                    {
                        d.Error = e;
                        ctx.Response.StatusCode = 401;
                    }
                    d.Answered = ctx.Response.StatusCode;
                    ctx.Response.Close();
                }
                catch (Exception e)
                {
                    d.Error = e;
                }
                Deliveries.Add(d);
            }
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
            thread.Join(5000);
        }
    }

    static Delivery WebhookCase(WebhookReceiver rx, YativoClient ya, string header, bool prefix, string tamper)
    {
        Control("DELETE", "/__sandbox/webhooks", null);
        Control("POST", "/__sandbox/webhooks", "{\"url\": \"http://127.0.0.1:" + rx.Port + "/hook\", \"secret\": \"" + WhCurrent
            + "\", \"header\": \"" + header + "\", \"prefix\": " + (prefix ? "true" : "false") + ", \"tamper\": \"" + tamper
            + "\", \"times\": 1, \"timeout_ms\": 5000}");
        using (var pay = new TokenBridgeRequest("POST", "payouts").SetJson("{\"amount\": \"12.34\", \"currency\": \"USD\"}"))
        {
            var resp = ya.Send(pay);
            Equal(201, resp.Status, "the payout (body: " + resp.Text + ")");
        }
        Delivery d;
        // Delivery runs on the sandbox's own thread: wait for it, at most 10 s.
        Check(rx.Deliveries.TryTake(out d, TimeSpan.FromSeconds(10)), header + " " + tamper + ": the webhook came within 10 s");
        Check(d.Body != null, header + " " + tamper + ": the receiver read the request (" + d.Error + ")");
        string value = d.Headers.Get(header);
        Check(value != null, header + " " + tamper + ": the request has the signature header");
        Check(!prefix || tamper == "empty" || value.StartsWith("sha256=", StringComparison.Ordinal), header + ": the value has its prefix: " + value);
        return d;
    }

    static void WebhookSignedForms()
    {
        using (var rx = new WebhookReceiver())
        using (var ya = Yativo())
        {
            try
            {
                var ids = new HashSet<string>();
                foreach (var form in new[] { "X-Yativo-Signature:bare", "X-Webhook-Signature:sha256", "Signature:bare", "Signature:sha256" })
                {
                    string header = form.Substring(0, form.IndexOf(':'));
                    bool prefix = form.EndsWith(":sha256", StringComparison.Ordinal);
                    var d = WebhookCase(rx, ya, header, prefix, "none");
                    Check(d.Error == null, form + ": the receiver verified it (" + d.Error + ")");
                    Equal(200, d.Answered, form + ": answered 200");
                    var e = d.Event;
                    Equal("payout.created", e.Type, form + ": type");
                    Check(e.Id.StartsWith("evt_", StringComparison.Ordinal) && e.Id.Length == 36, form + ": id " + e.Id);
                    Check(ids.Add(e.Id), form + ": a new id per payout");
                    Check(!d.Duplicate, form + ": not seen before");
                    Check(e.CreatedAt.HasValue && e.CreatedAt.Value > DateTimeOffset.UtcNow.AddMinutes(-5)
                        && e.CreatedAt.Value <= DateTimeOffset.UtcNow.AddSeconds(5), form + ": created_at " + e.CreatedAt);
                    Contains(e.DataJson, "\"amount\":\"12.34\"", form + ": data");
                    Contains(e.DataJson, "po_", form + ": data holds the payout id");
                    Contains(Encoding.UTF8.GetString(d.Body), e.DataJson, form + ": data is the body's own JSON text");
                    Equal(1, e.SecretIndex, form + ": the second secret (the current one) signed it");
                    Check(e.ToString().IndexOf("whsec", StringComparison.Ordinal) < 0, "ToString holds no secret");

                    // The same request through the other two faces: name + value, and pairs in another case.
                    string value = d.Headers.Get(header);
                    var again = YativoWebhook.Verify(d.Body, header.ToUpperInvariant(), value, WhCurrent);
                    Equal(e.Id, again.Id, form + ": name + value, one secret");
                    Equal(0, again.SecretIndex, form + ": the only secret");
                    var pairs = new List<KeyValuePair<string, string>>
                    {
                        new KeyValuePair<string, string>("Content-Type", "application/json"),
                        new KeyValuePair<string, string>(header.ToLowerInvariant(), value),
                    };
                    Equal(e.Id, YativoWebhook.Verify(d.Body, pairs, WhOld, WhCurrent).Id, form + ": header pairs");
                    // Only the old secret: refused.
                    var w = Throws<WebhookVerificationException>(() => YativoWebhook.Verify(d.Body, header, value, WhOld), form + ": the old secret alone");
                    Equal("headerValue", w.Part, form + ": the part");
                }
            }
            finally
            {
                Control("DELETE", "/__sandbox/webhooks", null);
            }
        }
    }

    static void WebhookRefusals()
    {
        using (var rx = new WebhookReceiver())
        using (var ya = Yativo())
        {
            try
            {
                var cases = new[]
                {
                    new[] { "X-Yativo-Signature", "bare", "body", "matches none of the 2 webhook secret(s)" },
                    new[] { "X-Yativo-Signature", "bare", "wrong_secret", "matches none of the 2 webhook secret(s)" },
                    new[] { "X-Webhook-Signature", "bare", "truncated", "is not a hex HMAC-SHA256" },
                    new[] { "Signature", "sha256", "non_hex", "is not a hex HMAC-SHA256" },
                    new[] { "X-Yativo-Signature", "bare", "empty", "is not a hex HMAC-SHA256" },
                };
                foreach (var c in cases)
                {
                    string what = c[0] + " " + c[1] + " tamper=" + c[2];
                    var d = WebhookCase(rx, ya, c[0], c[1] == "sha256", c[2]);
                    Check(d.Event == null, what + ": no event");
                    Equal(401, d.Answered, what + ": answered 401");
                    var e = d.Error as WebhookVerificationException;
                    Check(e != null, what + ": WebhookVerificationException (got " + d.Error + ")");
                    Equal("headerValue", e.Part, what + ": the part");
                    Equal(TokenBridgeStatus.InvalidArgument, e.Status, what + ": status");
                    Contains(e.Message, "`headerValue`", what + ": the message names the part");
                    Contains(e.Reason, c[3], what + ": the reason");
                    NoSecrets(e, WhOld, WhCurrent, "whsec_cs");
                    Check(e.ToString().IndexOf("whsec_cs", StringComparison.Ordinal) < 0, what + ": ToString holds no secret");
                }
            }
            finally
            {
                Control("DELETE", "/__sandbox/webhooks", null);
            }
        }
    }

    static void WebhookArguments()
    {
        byte[] body = Encoding.UTF8.GetBytes("{}");
        Equal("body", Throws<ArgumentNullException>(() => YativoWebhook.Verify(null, "Signature", "00", "s"), "null body").ParamName, "null body");
        Equal("headerName", Throws<ArgumentNullException>(() => YativoWebhook.Verify(body, (string)null, "00", "s"), "null name").ParamName, "null name");
        Equal("headerValue", Throws<ArgumentNullException>(() => YativoWebhook.Verify(body, "Signature", null, "s"), "null value").ParamName, "null value");
        Equal("secrets", Throws<ArgumentNullException>(() => YativoWebhook.Verify(body, "Signature", "00", (string[])null), "null secrets").ParamName, "null secrets");
        Equal("secrets", Throws<ArgumentNullException>(() => YativoWebhook.Verify(body, "Signature", "00", "s", null), "a null secret").ParamName, "a null secret");
        Refused("secrets", () => YativoWebhook.Verify(body, "Signature", "00"), "no secret");
        var empty = Refused("secrets", () => YativoWebhook.Verify(body, "Signature", "00", ""), "an empty secret");
        Contains(empty.Message, "is empty", "an empty secret: the reason");
        Equal("headers", Throws<ArgumentNullException>(() => YativoWebhook.Verify(body, (NameValueCollection)null, "s"), "null headers").ParamName, "null headers");

        var other = Throws<WebhookVerificationException>(() => YativoWebhook.Verify(body, "Authorization", "00", "s"), "another header");
        Equal("headerName", other.Part, "another header: the part");
        Contains(other.Message, "Authorization", "another header: named");
        var shortSig = Throws<WebhookVerificationException>(() => YativoWebhook.Verify(body, "Signature", "00", "s"), "a short signature");
        Equal("headerValue", shortSig.Part, "a short signature: the part");

        var none = new NameValueCollection { { "Content-Type", "application/json" }, { "Timestamp", "1700000000" } };
        var missing = Throws<WebhookVerificationException>(() => YativoWebhook.Verify(body, none, "s"), "no signature header");
        Equal("headers", missing.Part, "no signature header: the part");
        foreach (var h in YativoWebhook.SignatureHeaders) Contains(missing.Message, h, "no signature header: the names looked for");
        Equal("headers", Throws<WebhookVerificationException>(() => YativoWebhook.Verify(body, new List<KeyValuePair<string, string>>(), "s"), "no pairs").Part, "no pairs");

        // Signed correctly, but no event: names `body`. HMAC-SHA256 with the secret "s", from:
        // printf '%s' '{"hello": 1}' | openssl dgst -sha256 -hmac s
        byte[] hello = Encoding.UTF8.GetBytes("{\"hello\": 1}");
        const string sig = "866ab332b8cfa38658b9a40d8b5bd943667c27bd7ed7ba379c2c4d9db5176bc0";
        var notEvent = Throws<WebhookVerificationException>(() => YativoWebhook.Verify(hello, "signature", sig, "s"), "a signed non-event");
        Equal("body", notEvent.Part, "a signed non-event: the part");
    }
}
