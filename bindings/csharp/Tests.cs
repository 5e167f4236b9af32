// Tests of the C# binding against the sandbox (docs/sandbox-contract.md).
// Run by run-tests.sh: TOKENBRIDGE_SANDBOX_URL names the sandbox, libtokenbridge.so is
// found through LD_LIBRARY_PATH. The same Tests.exe runs on Mono and on .NET 8 (CoreCLR).
// Prints the runtime, one line per test, then "N passed, M failed"; exits 1 when anything
// failed. The binding has no JSON parser and neither do the tests: answers are checked
// through the binding's models, and the sandbox's echoes as text.
//
// The 13 operations: U1 getUserToken, U2 AgentLogin, U3 EndSession, Y1 login,
// Y2 refresh_token, A1 GetToken, A2 UserHash, A3 UserHashForced, A4 Inactivate,
// A5 Structure, A6 AlertCounter, A7 Requests, A8 Link.

using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using TokenBridge;

static partial class Tests
{
    const string UcUser = "apiuser";
    const string UcPassword = "s3cret&=+ é"; // `&`, `=`, `+`, a space and non-ASCII
    const string Agent = "agent1";
    const string AgentPassword = "agent-pass";
    const string YaAccount = "acct-sandbox";
    const string YaSecret = "yativo-secret";
    const string AnCompany = "COMPANYHASH";
    const string AnUser = "annauser";
    const string AnPass = "anna-pass";

    static string url;
    static int passed, failed;

    static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "--proxy-child") return ProxyChild(args[1], args[2]);
        url = Environment.GetEnvironmentVariable("TOKENBRIDGE_SANDBOX_URL");
        if (args.Length == 3 && args[0] == "--store-child" && !string.IsNullOrEmpty(url))
        {
            url = url.TrimEnd('/');
            return StoreChild(args[1], args[2]);
        }
        if (string.IsNullOrEmpty(url))
        {
            Console.Error.WriteLine("TOKENBRIDGE_SANDBOX_URL is not set (start `tokenbridge-sandbox`)");
            return 2;
        }
        url = url.TrimEnd('/');
        Console.WriteLine("runtime: " + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);

        Run("library: version and status names", LibraryVersion);
        Run("config: every setter accepts a valid value", ConfigSetters);
        Run("C ABI: every P/Invoke is in include/tokenbridge.h; every ParamNames C name is a parameter there", HeaderNames);
        Run("C ABI: every AgentField has its own getter (tb_agent_profile_<name>), 1:1 with the header", AgentFieldGetters);
        Run("C ABI: TB_ABSENT (a field not sent) is null, not an exception; the last error stays clear", AbsentIsNull);
        Run("C ABI: a leap second (23:59:60) is the next second as a DateTime", LeapSecond);
        Run("config: zero timeout is ArgumentException naming the C# parameter, with the C reason", ConfigZeroTimeout);
        Run("config: missing extra CA file fails when a client is created", ConfigMissingCaFile);
        Run("config: DNS cache TTL (zero, default, custom) with calls by host name", ConfigDnsCacheTtl);
        Run("client: null argument is ArgumentNullException naming the C# parameter", NullArgument);
        Run("U1 uContact getUserToken (UTF-8 password)", UContactGetUserToken);
        Run("U1 failure: wrong password -> Rejected with the vendor's message", UContactWrongPassword);
        Run("U2 uContact AgentLogin -> AgentProfile", UContactAgentLogin);
        Run("U3 uContact EndSession (and no-op without a session)", UContactEndSession);
        Run("uContact token control and generic call", UContactTokenAndCall);
        Run("Y1 Yativo login", YativoLogin);
        Run("Y2 Yativo refresh_token", YativoRefresh);
        Run("Yativo failure: wrong app secret", YativoWrongSecret);
        Run("Yativo token control and generic call (401 -> new login)", YativoTokenAndCall);
        Run("token refresh: an expired token means a new login on next use", ExpiredTokens);
        Run("A1 AnnA GetToken", AnnaGetToken);
        Run("A1 failure: wrong pass -> Rejected", AnnaWrongPass);
        Run("A2 AnnA UserHash", AnnaUserHash);
        Run("A2 failure: unknown user -> Rejected with the vendor's message", AnnaUnknownUser);
        Run("A3 AnnA UserHashForced", AnnaUserHashForced);
        Run("A4 AnnA Inactivate", AnnaInactivate);
        Run("A5 AnnA messenger Structure", AnnaStructure);
        Run("A6 AnnA messenger AlertCounter (by id, by document, filtered)", AnnaAlertCounter);
        Run("A7 AnnA messenger Requests", AnnaRequests);
        Run("A8 AnnA messenger Link", AnnaLink);
        Run("A6-A8 failure: half a document is ArgumentNullException", AnnaHalfDocument);
        Run("AnnA token control and generic call", AnnaTokenAndCall);
        Run("connection refused -> Connect", ConnectionRefused);
        Run("threads: one client, many threads; last error is per thread", Threads);
        Run("dispose: twice is fine, use after dispose throws", DisposeTwice);
        Run("A6/A7 filter: bad values are ArgumentException naming `filter`; nothing is sent", FilterRefusals);
        Run("async: every client's operations as tasks", AsyncCalls);
        Run("async: cancelling stops the native call at once, client usable after", AsyncCancel);
        Run("async: a cancelled call really stops (the sandbox never sees its next request)", AsyncCancelStopsNativeCall);
        Run("async: a token cancelled before the start sends nothing", AsyncCancelledBeforeStart);
        Run("timeout: WithTimeout -> TimeoutException (sync and async)", CallTimeout);
        Run("logging: records arrive, none holds a secret; a throwing logger is harmless", Logging);
        Run("finalizer: a forgotten uContact client never blocks the finalizer thread", FinalizerDoesNotBlock);
        Run("generic call with the request builder: query, header, body, response", RequestBuilder);
        Run("generic call with the request builder: refusals name the parameter", RequestBuilderRefusals);
        Run("proxy: the three APIs through the open tinyproxy, to the https front and to plain http", ProxyOpen);
        Run("proxy: the three APIs through the Basic-auth tinyproxy", ProxyBasicAuth);
        Run("proxy: a refused tunnel (407, wrong password) is Proxy naming the proxy and status, no credentials", ProxyRefusals);
        Run("proxy: HTTPS_PROXY and NO_PROXY from the environment (child processes)", ProxyFromEnvironment);
        Run("webhooks: the sandbox's signed webhooks, each header form, bare and sha256=, either secret of a rotation", WebhookSignedForms);
        Run("webhooks: a changed body, a wrong secret, a truncated, non-hex or empty signature are refused naming the part", WebhookRefusals);
        Run("webhooks: arguments and request parts, each named; no secret in a message", WebhookArguments);
        Run("token store: a bad URL is an ArgumentException naming `url`; the password is shown nowhere", TokenStoreSecret);
        Run("token store: two processes, one Yativo login through a file:// store", TokenStoreFile);
        Run("token store: two processes, one Yativo login through redis:// (ACL user, scripts/redislab.sh)", TokenStoreRedis);
        Run("token store: a process that disposes leaves the uContact session; EndSession ends it for all", TokenStoreSessions);

        Console.WriteLine(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    // ---- the token store (issue 23): several OS processes, one login -------------------------

    // The child of the token-store tests: this program again, `--store-child MODE STORE`, on
    // the same runtime; TOKENBRIDGE_SANDBOX_URL is inherited. Prints "TOKEN <sha-256 of
    // the token>" (never the token) so that the parent can tell whether two processes used
    // the same one.
    static int StoreChild(string mode, string store)
    {
        using (var cfg = SandboxConfig().SetTokenStore(store))
        {
            string token;
            if (mode == "yativo")
            {
                using (var ya = new YativoClient(url + "/yativo/api/v1", YaAccount, YaSecret, cfg))
                {
                    SendText(ya.Send, "GET", "wallet/balance", null);
                    token = ya.GetValidToken();
                }
            }
            else
            {
                using (var uc = new UContactClient(url + "/ucontact", UcUser, UcPassword, UContactLoginKind.ApiUser, cfg))
                {
                    if (mode == "ucontact-end")
                    {
                        token = uc.GetValidToken();
                        uc.EndSession();
                    }
                    else
                    {
                        SendText(uc.Send, "POST", "Integra/resources/Dialers/DialerTask", null);
                        token = uc.GetValidToken();
                    }
                } // disposed: with a store, this never ends the fleet's session
            }
            Console.WriteLine("TOKEN " + Sha256(token));
        }
        return 0;
    }

    static string Sha256(string text)
    {
        using (var sha = System.Security.Cryptography.SHA256.Create())
            return BitConverter.ToString(sha.ComputeHash(Encoding.UTF8.GetBytes(text))).Replace("-", "");
    }

    static System.Diagnostics.Process StartStoreChild(string mode, string store)
    {
        var self = System.Diagnostics.Process.GetCurrentProcess().MainModule.FileName; // mono or dotnet
        var exe = typeof(Tests).Assembly.Location;
        var psi = new System.Diagnostics.ProcessStartInfo(self, "\"" + exe + "\" --store-child " + mode + " \"" + store + "\"")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        return System.Diagnostics.Process.Start(psi);
    }

    // Waits (60 s at most) for a child started by StartStoreChild; its token's hash.
    static string FinishStoreChild(System.Diagnostics.Process p)
    {
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(60000))
            {
                p.Kill();
                throw new TestFailure("the child did not end within 60 s");
            }
            Equal(0, p.ExitCode, "the child's exit status (stdout: " + output + " stderr: " + err.Result + ")");
            var m = Regex.Match(output, "^TOKEN ([0-9A-F]{64})$", RegexOptions.Multiline);
            Check(m.Success, "the child printed its token's hash: " + output);
            return m.Groups[1].Value;
        }
    }

    static string TempStore(string name)
    {
        return Path.Combine(Path.GetTempPath(), "tb-cs-" + name + "-" + Guid.NewGuid().ToString("N"));
    }

    static string FileUrl(string dir)
    {
        return "file://" + dir.Replace('\\', '/');
    }

    static void TokenStoreSecret()
    {
        using (var cfg = new TokenBridgeConfig())
        {
            var a = Throws<ArgumentException>(() => cfg.SetTokenStore("ftp://u:hunter2@host/x"), "an unknown scheme");
            Equal("url", a.ParamName, "the error names the parameter");
            var e = (TokenBridgeException)a.InnerException;
            Equal(TokenBridgeStatus.InvalidArgument, e.Status, "the inner exception's status");
            NoSecrets(e, "hunter2");
            Check(a.Message.IndexOf("hunter2", StringComparison.Ordinal) < 0, "no password in the message: " + a.Message);
            Throws<ArgumentNullException>(() => cfg.SetTokenStore(null), "a null URL");
            cfg.SetTokenStore("redis://tbuser:hunter2@127.0.0.1:6379/0");
            Check(cfg.ToString().IndexOf("hunter2", StringComparison.Ordinal) < 0, "ToString shows no password: " + cfg);
        }
    }

    // Two processes started together with the same credentials and the same store: the
    // sandbox counts one login for both, and both hold the same token.
    static void TwoProcessesOneLogin(string store)
    {
        long before = Count("yativo.login");
        var a = StartStoreChild("yativo", store);
        var b = StartStoreChild("yativo", store);
        var ta = FinishStoreChild(a);
        var tb = FinishStoreChild(b);
        Equal(1L, Count("yativo.login") - before, "logins at the sandbox for both processes");
        Equal(ta, tb, "both processes used the same token");
        Note("2 processes, 1 login (" + store.Substring(0, store.IndexOf(':')) + " store)");
    }

    static void TokenStoreFile()
    {
        var dir = TempStore("store");
        try
        {
            TwoProcessesOneLogin(FileUrl(dir));
            foreach (var f in Directory.GetFiles(dir))
            {
                var text = Encoding.UTF8.GetString(File.ReadAllBytes(f)) + Path.GetFileName(f);
                foreach (var secret in new[] { YaAccount, YaSecret, "eyJ" })
                    Check(text.IndexOf(secret, StringComparison.Ordinal) < 0, "the store holds no " + secret);
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    static void TokenStoreRedis()
    {
        var redis = Environment.GetEnvironmentVariable("TB_REDIS_URL");
        Check(!string.IsNullOrEmpty(redis), "TB_REDIS_URL is set (run-tests.sh starts scripts/redislab.sh)");
        TwoProcessesOneLogin(redis);
    }

    // Process A uses the session and disposes of its client; this process (B) goes on with
    // the same session; process C ends it for everyone with EndSession.
    static void TokenStoreSessions()
    {
        var dir = TempStore("sessions");
        var store = FileUrl(dir);
        try
        {
            long logins = Count("ucontact.getUserToken"), ends = Count("ucontact.EndSession");
            var ta = FinishStoreChild(StartStoreChild("ucontact", store));
            Equal(1L, Count("ucontact.getUserToken") - logins, "process A logged in");
            Equal(0L, Count("ucontact.EndSession") - ends, "disposing in process A ended no session");
            using (var cfg = SandboxConfig().SetTokenStore(store))
            using (var uc = new UContactClient(url + "/ucontact", UcUser, UcPassword, UContactLoginKind.ApiUser, cfg))
            {
                Counts("ucontact.call", 1, () => SendText(uc.Send, "POST", "Integra/resources/Dialers/DialerTask", null));
                Equal(ta, Sha256(uc.GetValidToken()), "process B works on process A's session");
                Equal(1L, Count("ucontact.getUserToken") - logins, "process B did not log in");
                var tc = FinishStoreChild(StartStoreChild("ucontact-end", store));
                Equal(ta, tc, "process C ended the fleet's session");
                Equal(1L, Count("ucontact.EndSession") - ends, "one EndSession, from process C");
                // The ended token is refused (401): process B logs in again, once, and goes on.
                Counts("ucontact.getUserToken", 1, () => SendText(uc.Send, "POST", "Integra/resources/Dialers/DialerTask", null));
                Check(ta != Sha256(uc.GetValidToken()), "process B is on a new session");
            }
            Equal(1L, Count("ucontact.EndSession") - ends, "disposing in process B ended no session");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    // ---- harness ------------------------------------------------------------------------

    static void Run(string name, Action test)
    {
        try
        {
            notes.Clear();
            test();
            passed++;
            Console.WriteLine("ok    " + name);
            foreach (var n in notes) Console.WriteLine("        measured: " + n);
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine("FAIL  " + name);
            Console.WriteLine("      " + e.ToString().Replace("\n", "\n      "));
        }
    }

    // A measurement, printed under the test's line.
    static readonly List<string> notes = new List<string>();

    static void Note(string text)
    {
        notes.Add(text);
    }

    sealed class TestFailure : Exception
    {
        public TestFailure(string message) : base(message) { }
    }

    static void Check(bool condition, string what)
    {
        if (!condition) throw new TestFailure(what);
    }

    static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new TestFailure(what + ": expected <" + expected + ">, got <" + actual + ">");
    }

    static void Contains(string haystack, string needle, string what)
    {
        if (haystack == null || haystack.IndexOf(needle, StringComparison.Ordinal) < 0)
            throw new TestFailure(what + ": <" + haystack + "> does not contain <" + needle + ">");
    }

    static T Throws<T>(Action action, string what) where T : Exception
    {
        try
        {
            action();
        }
        catch (T e)
        {
            return e;
        }
        catch (Exception e)
        {
            throw new TestFailure(what + ": expected " + typeof(T).Name + ", got " + e.GetType().Name + ": " + e.Message);
        }
        throw new TestFailure(what + ": expected " + typeof(T).Name + ", nothing was thrown");
    }

    // A value the library refused (TB_INVALID_ARGUMENT): ArgumentException naming the C#
    // parameter, with a TokenBridgeException(InvalidArgument) inside saying the same.
    static ArgumentException Refused(string paramName, Action action, string what)
    {
        var e = Throws<ArgumentException>(action, what);
        Equal(paramName, e.ParamName, what + ": the C# parameter (message: " + e.Message + ")");
        var inner = e.InnerException as TokenBridgeException;
        Check(inner != null && inner.Status == TokenBridgeStatus.InvalidArgument, what + ": TokenBridgeException(InvalidArgument) inside");
        Contains(inner.Message, "`" + paramName, what + ": the inner message names the C# parameter");
        return e;
    }

    static TokenBridgeException Fails(TokenBridgeStatus status, Action action, string what)
    {
        var e = Throws<TokenBridgeException>(action, what);
        Equal(status, e.Status, what + " (status; message: " + e.Message + ")");
        Check(!string.IsNullOrEmpty(e.Message), what + ": the exception has a message");
        return e;
    }

    // No secret may reach an error message.
    static void NoSecrets(TokenBridgeException e, params string[] secrets)
    {
        foreach (var s in secrets)
        {
            Check(e.Message.IndexOf(s, StringComparison.Ordinal) < 0, "the message does not show a secret: " + e.Message);
            if (e.VendorMessage != null)
                Check(e.VendorMessage.IndexOf(s, StringComparison.Ordinal) < 0, "the vendor message does not show a secret");
        }
    }

    // GET {url}/__sandbox/stats: request counts per operation.
    static Dictionary<string, long> Stats()
    {
        var req = (HttpWebRequest)WebRequest.Create(url + "/__sandbox/stats");
        req.Proxy = null; // the sandbox is local; ignore http_proxy
        using (var resp = (HttpWebResponse)req.GetResponse())
        using (var reader = new StreamReader(resp.GetResponseStream(), Encoding.UTF8))
        {
            // A flat object of counts, {"key": 12, ...}: read with a pattern (the binding has
            // no JSON parser and the tests bring none); every key must be read.
            string text = reader.ReadToEnd();
            var counts = new Dictionary<string, long>();
            foreach (Match m in Regex.Matches(text, "\"([A-Za-z0-9_.]+)\":\\s*(\\d+)"))
                counts[m.Groups[1].Value] = long.Parse(m.Groups[2].Value);
            Check(counts.ContainsKey("requests") && counts.Count == Regex.Matches(text, ":").Count, "the statistics were read whole: " + text);
            return counts;
        }
    }

    static long Count(string key)
    {
        long n;
        return Stats().TryGetValue(key, out n) ? n : 0;
    }

    // Runs `action` and checks that the sandbox counted exactly `expected` more `key` requests.
    static void Counts(string key, long expected, Action action)
    {
        long before = Count(key);
        action();
        Equal(expected, Count(key) - before, "requests counted as " + key);
    }

    static TokenBridgeConfig SandboxConfig()
    {
        return new TokenBridgeConfig()
            .SetAllowHttp(true)
            .SetNoProxy()
            .SetRetries(0, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
    }

    static UContactClient UContact(string user, string password, UContactLoginKind kind)
    {
        using (var cfg = SandboxConfig()) // clients copy the config: disposing of it right away is fine
            return new UContactClient(url + "/ucontact", user, password, kind, cfg);
    }

    static YativoClient Yativo(string secret = YaSecret)
    {
        using (var cfg = SandboxConfig())
            return new YativoClient(url + "/yativo/api/v1", YaAccount, secret, cfg);
    }

    static AnnaClient Anna(string pass = AnPass)
    {
        using (var cfg = SandboxConfig())
            return new AnnaClient(url + "/anna/", AnCompany, AnUser, pass, cfg);
    }

    static void FutureExpiry(DateTimeOffset? expiresAt, string what)
    {
        Check(expiresAt.HasValue, what + ": has an expiry");
        var now = DateTimeOffset.UtcNow;
        Check(expiresAt.Value > now && expiresAt.Value < now.AddDays(2), what + ": expiry within two days: " + expiresAt);
    }

    // ---- library and config -------------------------------------------------------------

    static void LibraryVersion()
    {
        var m = Regex.Match(Library.Version, @"^(\d+)\.(\d+)\.(\d+)$");
        Check(m.Success, "version is MAJOR.MINOR.PATCH: " + Library.Version);
        uint expected = uint.Parse(m.Groups[1].Value) * 10000 + uint.Parse(m.Groups[2].Value) * 100 + uint.Parse(m.Groups[3].Value);
        Equal(expected, Library.VersionNumber, "version number");
        Equal("TB_REJECTED", Library.StatusName(TokenBridgeStatus.Rejected), "status name");
        Equal("TB_OK", Library.StatusName(TokenBridgeStatus.Ok), "status name");
        Equal("TB_INVALID_ARGUMENT", Library.StatusName(TokenBridgeStatus.InvalidArgument), "status name");
        // Every status: the library's name is the enum member's (InvalidArgument: TB_INVALID_ARGUMENT).
        foreach (TokenBridgeStatus s in Enum.GetValues(typeof(TokenBridgeStatus)))
            Equal("TB_" + Regex.Replace(s.ToString(), "(?<=[a-z])(?=[A-Z])", "_").ToUpperInvariant(), Library.StatusName(s), "the name of " + s);
    }

    static void ConfigSetters()
    {
        using (var cfg = new TokenBridgeConfig())
        {
            cfg.SetConnectTimeout(TimeSpan.FromSeconds(5))
               .SetSendTimeout(TimeSpan.FromSeconds(5))
               .SetReceiveTimeout(TimeSpan.FromSeconds(5))
               .SetProxy("http://127.0.0.1:3128")
               .SetNoProxy()
               .SetUserAgent("tokenbridge-csharp-tests ñ") // UTF-8 crosses the boundary...
               .SetUserAgent("tokenbridge-csharp-tests") // ...but the sandbox's server takes ASCII headers only
               .SetAllowHttp(true)
               .SetMaxResponseBytes(1 << 20)
               .SetTlsRoots(TlsRoots.OperatingSystem)
               .SetTlsRoots(TlsRoots.Mozilla)
               .SetRetries(1, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20))
               .SetRefreshAhead(TimeSpan.FromSeconds(30))
               .SetDnsCacheTtl(TimeSpan.Zero)
               .SetDnsCacheTtl(TimeSpan.FromSeconds(30))
               .SetEndSessionOnClose(false);
            // The config still builds a working client.
            using (var y = new YativoClient(url + "/yativo/api/v1", YaAccount, YaSecret, cfg))
                Check(y.Login().Token.Length > 0, "a client built with every setting logs in");
        }
        using (var cfg = new TokenBridgeConfig())
            Throws<ArgumentOutOfRangeException>(() => cfg.SetConnectTimeout(TimeSpan.FromSeconds(-1)), "negative timeout");
        using (var cfg = new TokenBridgeConfig())
            Throws<ArgumentOutOfRangeException>(() => cfg.SetDnsCacheTtl(TimeSpan.FromSeconds(-1)), "negative DNS cache TTL");
    }

    // ---- the C ABI, checked against include/tokenbridge.h ---------------------------------

    // include/tokenbridge.h, found from the working directory up (run-tests.sh runs in
    // bindings/csharp/build).
    static string HeaderText()
    {
        var dir = new DirectoryInfo(Environment.CurrentDirectory);
        for (int i = 0; i < 8 && dir != null; i++, dir = dir.Parent)
        {
            var h = Path.Combine(dir.FullName, "include", "tokenbridge.h");
            if (File.Exists(h)) return File.ReadAllText(h);
        }
        throw new TestFailure("include/tokenbridge.h not found above " + Environment.CurrentDirectory);
    }

    // Every function the header declares, with its parameters' names.
    static Dictionary<string, List<string>> HeaderFunctions()
    {
        string text = Regex.Replace(HeaderText(), @"/\*.*?\*/", " ", RegexOptions.Singleline);
        var functions = new Dictionary<string, List<string>>();
        foreach (Match m in Regex.Matches(text, @"TB_API\s+[^;()]*?\b(tb_[a-z0-9_]+)\s*\(([^)]*)\)\s*;"))
        {
            var names = new List<string>();
            foreach (var p in m.Groups[2].Value.Split(','))
            {
                var id = Regex.Match(p.Trim(), @"([A-Za-z_][A-Za-z0-9_]*)\s*$");
                if (id.Success && p.Trim() != "void") names.Add(id.Groups[1].Value);
            }
            functions[m.Groups[1].Value] = names;
        }
        Check(functions.Count > 150, "the header declares the whole ABI: " + functions.Count + " functions");
        return functions;
    }

    static void HeaderNames()
    {
        var functions = HeaderFunctions();
        // Every P/Invoke declaration names a function the header has (a removed or renamed
        // export fails here, not at a user's first call).
        int imports = 0;
        foreach (var m in typeof(Native).GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic))
        {
            if (m.GetCustomAttributes(typeof(System.Runtime.InteropServices.DllImportAttribute), false).Length == 0) continue;
            imports++;
            Check(functions.ContainsKey(m.Name), m.Name + " is declared in include/tokenbridge.h");
            Equal(functions[m.Name].Count, m.GetParameters().Length, m.Name + ": as many parameters as in the header");
        }
        Check(imports > 100, "the P/Invoke declarations were found: " + imports);
        // Every tb_status of the header is a TokenBridgeStatus with the same number (TB_ABSENT too).
        string header = HeaderText();
        var block = Regex.Match(header, @"enum tb_status\b[^{]*\{(.*?)\};", RegexOptions.Singleline);
        Check(block.Success, "the header's enum tb_status");
        int statuses = 0;
        foreach (Match v in Regex.Matches(block.Groups[1].Value, @"\b(TB_[A-Z_]+) = (-?\d+)"))
        {
            var s = (TokenBridgeStatus)int.Parse(v.Groups[2].Value);
            Check(Enum.IsDefined(typeof(TokenBridgeStatus), s), v.Groups[1].Value + " (" + v.Groups[2].Value + ") is a TokenBridgeStatus");
            Equal(v.Groups[1].Value, Library.StatusName(s), "the status numbered " + v.Groups[2].Value);
            statuses++;
        }
        Equal(Enum.GetValues(typeof(TokenBridgeStatus)).Length, statuses, "as many statuses as the header's");
        // Every C name a ParamNames map turns into a C# name is a parameter of one of the map's
        // functions in the header, or the field one of them sets (tb_<handle>_set_<name>).
        int checkedNames = 0;
        foreach (var map in ParamNames.All())
        {
            foreach (var f in map.Value.Functions)
                Check(functions.ContainsKey(f), "ParamNames." + map.Key + ": " + f + " is in the header");
            foreach (var pair in map.Value.Pairs)
            {
                bool found = false;
                foreach (var f in map.Value.Functions)
                    found |= functions[f].Contains(pair.Key) || f.EndsWith("_set_" + pair.Key, StringComparison.Ordinal);
                Check(found, "ParamNames." + map.Key + ": `" + pair.Key + "` is a parameter (or the set field) of " + string.Join(" or ", map.Value.Functions));
                checkedNames++;
            }
        }
        Check(checkedNames > 40, "the maps were read: " + checkedNames + " names");
        // And the library names them so: an invalid argument is the C# parameter with the C reason.
        using (var cfg = new TokenBridgeConfig())
        {
            var e = Refused("timeout", () => cfg.SetReceiveTimeout(TimeSpan.Zero), "zero receive timeout");
            Contains(e.Message, "invalid argument `timeout`: must be more than 0", "the C reason, the C# name");
            e = Refused("userAgent", () => cfg.SetUserAgent("a\r\nX-Evil: 1"), "a CR LF in the user agent");
            Contains(e.Message, "`userAgent`: holds the control character 0x0D", "the C reason");
        }
        ArgumentException empty;
        using (var config = SandboxConfig())
            empty = Refused("password", () => new AnnaClient(url + "/anna/", AnCompany, AnUser, "", config).GetToken(), "an empty AnnA password");
        Contains(empty.Message, "`password`: must not be empty", "AnnA's C parameter is `password` too");
        using (var ya = Yativo())
        {
            var e = Refused("expiresAt", () => ya.SetToken("t", DateTimeOffset.FromUnixTimeSeconds(-1)), "an expiry before 1970");
            Check(e.Message.IndexOf("expires_at", StringComparison.Ordinal) < 0, "no C name: " + e.Message);
        }
    }

    static void AgentFieldGetters()
    {
        var functions = HeaderFunctions();
        // The header's text getters of the profile: (profile, const char **out, size_t *out_len).
        var textGetters = new List<string>();
        foreach (var f in functions)
            if (f.Key.StartsWith("tb_agent_profile_", StringComparison.Ordinal) && f.Value.Count == 3 && f.Value[1] == "out" && f.Value[2] == "out_len")
                textGetters.Add(f.Key);
        var fromEnum = new List<string>();
        foreach (AgentField field in Enum.GetValues(typeof(AgentField)))
        {
            Check(AgentProfile.Getters.ContainsKey(field), field + " has a getter");
            string method = AgentProfile.Getters[field].Method.Name;
            if (field == AgentField.Id || field == AgentField.Limite)
            {
                Check(method != "tb_agent_profile_" + field.ToString().ToLowerInvariant(), field + " (a number) is read as text by name");
                continue;
            }
            Equal("tb_agent_profile_" + field.ToString().ToLowerInvariant(), method, field + "'s getter");
            fromEnum.Add(method);
        }
        textGetters.Sort(StringComparer.Ordinal);
        fromEnum.Sort(StringComparer.Ordinal);
        Equal(string.Join(",", textGetters), string.Join(",", fromEnum), "the header's text getters are the enum's, 1:1");
        Equal(30, fromEnum.Count, "the 30 published text fields");
        // And each getter reads its own field: the same text as the field by wire name.
        using (var uc = UContact(Agent, AgentPassword, UContactLoginKind.Agent))
        {
            var p = uc.AgentLogin();
            foreach (AgentField field in Enum.GetValues(typeof(AgentField)))
            {
                string wire = field == AgentField.LogLevel ? "LogLevel" : field.ToString().ToLowerInvariant();
                Equal(p.Get(wire), p.Text(field), field + " reads `" + wire + "`");
            }
        }
    }

    static void AbsentIsNull()
    {
        using (var uc = UContact(Agent, AgentPassword, UContactLoginKind.Agent))
        {
            // The answer handle itself, from a native client of the same agent.
            UContactHandle c = null;
            using (var config = SandboxConfig())
                Native.WithConfig(config, cfg => Native.tb_ucontact_client_new(cfg, Native.Utf8(url + "/ucontact", "server"),
                    Native.Utf8(Agent, "user"), Native.Utf8(AgentPassword, "password"), (int)UContactLoginKind.Agent, out c), null);
            AgentProfileHandle h;
            using (c)
                Native.Check(Native.tb_ucontact_agent_login(c, out h));
            using (h)
            {
                IntPtr s;
                UIntPtr len;
                // A field the sandbox does not send, and the SIP secret it does send but the
                // library never hands out: TB_ABSENT with NULL, the last error clear.
                foreach (var name in new[] { "no-such-field", "secret" })
                {
                    Equal(2, Native.tb_agent_profile_get(h, Native.Utf8(name, "name"), out s, out len), name + ": TB_ABSENT");
                    Equal(IntPtr.Zero, s, name + ": NULL");
                    Equal(0, Native.tb_last_error_status(), name + ": not a failure");
                    var wire = Native.Utf8(name, "name");
                    Equal(null, Native.Lent(h, (AgentProfileHandle p, out IntPtr o, out UIntPtr l) => Native.tb_agent_profile_get(p, wire, out o, out l)), name + ": Lent gives null");
                }
                Equal(0, Native.tb_agent_profile_name(h, out s, out len), "a field sent is TB_OK");
            }
            var profile = uc.AgentLogin();
            Equal(null, profile.Get("no-such-field"), "the model: null");
        }
        // The response's header by name: TB_ABSENT for one it does not have.
        using (var ya = Yativo())
        using (var req = new TokenBridgeRequest("GET", "wallet/balance"))
        {
            var r = ya.Send(req);
            Equal(null, r.Header("x-no-such-header"), "an absent header is null");
        }
    }

    static void LeapSecond()
    {
        var leap = new Native.DateTimeParts { Year = 2024, Month = 12, Day = 31, Hour = 23, Minute = 59, Second = 60 };
        Equal((DateTime?)new DateTime(2025, 1, 1, 0, 0, 0), leap.ToDateTime(), "23:59:60 is 00:00:00 of the next day");
        Equal(DateTimeKind.Unspecified, leap.ToDateTime().Value.Kind, "still the server's local time");
        var june = new Native.DateTimeParts { Year = 2015, Month = 6, Day = 30, Hour = 23, Minute = 59, Second = 60 };
        Equal((DateTime?)new DateTime(2015, 7, 1, 0, 0, 0), june.ToDateTime(), "the June leap second");
        var plain = new Native.DateTimeParts { Year = 2024, Month = 2, Day = 29, Hour = 12, Minute = 30, Second = 59 };
        Equal((DateTime?)new DateTime(2024, 2, 29, 12, 30, 59), plain.ToDateTime(), "an ordinary second");
        var impossible = new Native.DateTimeParts { Year = 2023, Month = 2, Day = 29 };
        Equal((DateTime?)null, impossible.ToDateTime(), "an impossible date is null");
    }

    static void ConfigZeroTimeout()
    {
        using (var cfg = new TokenBridgeConfig())
        {
            var e = Refused("timeout", () => cfg.SetConnectTimeout(TimeSpan.Zero), "zero timeout");
            Contains(e.Message, "invalid argument `timeout`: must be more than 0", "the C# parameter and the library's reason");
            Check(e.Message.IndexOf("timeout_connect_ms", StringComparison.Ordinal) < 0, "no C name: " + e.Message);
            var inner = (TokenBridgeException)e.InnerException;
            Equal(0, inner.HttpStatus, "no HTTP status");
            Equal(null, inner.VendorMessage, "no vendor message");
            // The failed setter left the config usable.
            cfg.SetReceiveTimeout(TimeSpan.FromSeconds(1));
        }
    }

    static void ConfigMissingCaFile()
    {
        const string path = "/nonexistent/tokenbridge-test-ca.pem";
        using (var cfg = SandboxConfig().SetExtraCaFile(path))
        {
            // The library names the setting (extra_ca_file); in C# it is the `config` argument's.
            var e = Refused("config", () => new AnnaClient(url + "/anna/", AnCompany, AnUser, AnPass, cfg), "missing CA file");
            Contains(e.Message, "tokenbridge-test-ca.pem", "the message names the file");
        }
    }

    // The sandbox by host name ("localhost" for 127.0.0.1), so that the client resolves it.
    static string ByHostName(string u)
    {
        return u.Replace("://127.0.0.1:", "://localhost:");
    }

    static void ConfigDnsCacheTtl()
    {
        // null: the default (60 s); zero asks DNS before every request.
        var ttls = new TimeSpan?[] { TimeSpan.Zero, null, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1) };
        foreach (var ttl in ttls)
        {
            var what = ttl.HasValue ? "TTL " + ttl.Value.TotalMilliseconds + " ms" : "default TTL";
            AnnaClient anna;
            using (var cfg = SandboxConfig())
            {
                if (ttl.HasValue) cfg.SetDnsCacheTtl(ttl.Value);
                anna = new AnnaClient(ByHostName(url) + "/anna/", AnCompany, AnUser, AnPass, cfg);
            }
            using (anna)
            {
                Counts("anna.GetToken", 3, () =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        Check(anna.GetToken().Token.Length > 20, what + ": call " + (i + 1) + " gets a token");
                        if (ttl == TimeSpan.FromMilliseconds(1)) Thread.Sleep(5); // the kept answer expires
                    }
                });
            }
        }
    }

    static void NullArgument()
    {
        var e = Throws<ArgumentNullException>(() => new YativoClient(url + "/yativo/api/v1", null, YaSecret), "null account id");
        Equal("accountId", e.ParamName, "the C# parameter");
        e = Throws<ArgumentNullException>(() => new UContactClient(url + "/ucontact", UcUser, null), "null password");
        Equal("password", e.ParamName, "the C# parameter");
        e = Throws<ArgumentNullException>(() => new AnnaClient(url + "/anna/", null, AnUser, AnPass), "null company hash");
        Equal("companyHash", e.ParamName, "the C# parameter");
        using (var an = Anna())
        {
            Counts("requests", 0, () =>
            {
                e = Throws<ArgumentNullException>(() => an.UserHashForced("42", null), "null user name");
                Equal("userName", e.ParamName, "the C# parameter");
                e = Throws<ArgumentNullException>(() => new TokenBridgeRequest("GET", null), "null path");
                Equal("path", e.ParamName, "the C# parameter");
                e = Throws<ArgumentNullException>(() => an.Send(null), "null request");
                Equal("request", e.ParamName, "the C# parameter");
                e = Throws<ArgumentNullException>(() => an.GetMessengerRequests(null), "null user");
                Equal("user", e.ParamName, "the C# parameter");
            });
        }
        // A NUL inside a string would cut it short in C (a password "a\0b" would log in as "a").
        var nul = Throws<ArgumentException>(() => new UContactClient(url + "/ucontact", UcUser, UcPassword + "\0tail"), "NUL in a password");
        Equal("password", nul.ParamName, "the C# parameter");
        Check(nul.Message.IndexOf(UcPassword, StringComparison.Ordinal) < 0, "the message does not show the password");
        // A value only the library can judge: the message names the C# parameter too.
        using (var cfg = new TokenBridgeConfig())
        {
            var te = Refused("maxBytes", () => cfg.SetMaxResponseBytes(0), "zero max response bytes");
            Contains(te.Message, "`maxBytes`: must be more than 0", "the message names the C# parameter");
            Check(te.Message.IndexOf("max_response_bytes", StringComparison.Ordinal) < 0, "no C name: " + te.Message);
        }
    }

    // ---- uContact ---------------------------------------------------------------------------

    static void UContactGetUserToken()
    {
        using (var uc = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser))
        {
            string token = null;
            Counts("ucontact.getUserToken", 1, () => token = uc.GetUserToken());
            Check(!string.IsNullOrEmpty(token), "a token");
            // The sandbox's tokens are base64 of "user:uuid": the UTF-8 password got the API user in.
            string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            Check(Regex.IsMatch(decoded, "^apiuser:[0-9a-f-]{36}$"), "the API user's session token: " + decoded.Split(':')[0]);
            // The token is now cached.
            Counts("ucontact.getUserToken", 0, () => Equal(token, uc.GetValidToken(), "cached token"));
        }
    }

    static void UContactWrongPassword()
    {
        using (var uc = UContact(UcUser, "wrong password é", UContactLoginKind.ApiUser))
        {
            var e = Fails(TokenBridgeStatus.Rejected, () => uc.GetUserToken(), "wrong password");
            Check(!string.IsNullOrEmpty(e.VendorMessage), "the vendor's message is carried: " + e.Message);
            NoSecrets(e, "wrong password é", UcPassword);
            // The client stays usable after a failure (and the failure is not sticky).
            Fails(TokenBridgeStatus.Rejected, () => uc.GetValidToken(), "still wrong");
        }
    }

    static void UContactAgentLogin()
    {
        using (var uc = UContact(Agent, AgentPassword, UContactLoginKind.Agent))
        {
            AgentProfile p = null;
            Counts("ucontact.AgentLogin", 1, () => p = uc.AgentLogin());
            Check(!string.IsNullOrEmpty(p.Token), "the profile carries the session token");
            Equal(p.Token, uc.GetValidToken(), "the session token is the client's token");
            Equal(p.Token, p.Text(AgentField.Token), "Token is the published field `token`");
            // Typed properties, the published fields by enum, any field by wire name.
            Equal("agent1", p.Name, "name");
            Equal(1001L, p.Id, "id (a JSON number, as long?)");
            Equal(2L, p.Limite, "limite (a JSON number, as long?)");
            Equal("Agent One", p.FullName, "fullname");
            Equal("\"Agent One\" <1001>", p.CallerId, "callerid");
            Equal("friend", p.Kind, "type");
            Equal("from-agents", p.Context, "context");
            Equal("1001", p.Text(AgentField.Id), "a number's published text");
            Equal("2", p.Text(AgentField.Limite), "a number's published text");
            Equal("dynamic", p.Text(AgentField.Host), "host");
            Equal("force_rport,comedia", p.Text(AgentField.Nat), "nat");
            Equal("rfc2833", p.Text(AgentField.DtmfMode), "dtmfmode");
            Equal("ulaw;alaw;opus", p.Text(AgentField.Allow), "allow");
            Equal("agent1@sandbox.invalid", p.Text(AgentField.Email), "email");
            Equal("info", p.Text(AgentField.LogLevel), "LogLevel (the one mixed-case wire name)");
            Equal("+59820001001", p.Text(AgentField.Did), "did");
            Equal("", p.Text(AgentField.OutboundProxy), "an empty string stays empty, not null");
            Equal("wss", p.Get("transport"), "Get by wire name");
            Equal("info", p.Get("LogLevel"), "Get is exact-case");
            Equal(null, p.Get("loglevel"), "Get is exact-case: another case is absent");
            Equal(null, p.Get("no-such-field"), "an absent field is null");
            Equal("2", p.Get("limite"), "numbers come as their JSON text");
            // The SIP secrets are not reachable in any way.
            Equal(null, p.Get("secret"), "no secret");
            Equal(null, p.Get("md5secret"), "no md5secret");
            Check(p.Fields.Count == 32, "every field but the two secrets: " + p.Fields.Count);
            Check(new List<KeyValuePair<string, string>>(p.Fields).TrueForAll(f => f.Key != "secret" && f.Key != "md5secret"), "no secret among the fields");
            var names = new List<KeyValuePair<string, string>>(p.Fields).ConvertAll(f => f.Key);
            var sorted = new List<string>(names);
            sorted.Sort(StringComparer.Ordinal);
            Equal(string.Join(",", sorted), string.Join(",", names), "the fields sorted by name, byte order");
            Equal("LogLevel", p.Fields[0].Key, "upper case sorts first");
            Contains(p.RawJson, "\"callerid\"", "the raw JSON");
            Check(p.RawJson.IndexOf("secret", StringComparison.Ordinal) < 0, "no SIP secrets in the raw JSON");
            Check(p.RawJson.IndexOf("sip-agent1-secret", StringComparison.Ordinal) < 0, "not the SIP password itself");
            Throws<ArgumentOutOfRangeException>(() => p.Text((AgentField)32), "an unknown field");
            Equal("name", Throws<ArgumentNullException>(() => p.Get(null), "null name").ParamName, "Get(null)");
            Check(p.ToString().IndexOf(p.Token, StringComparison.Ordinal) < 0, "ToString hides the token: " + p);
            Contains(p.ToString(), "1001", "ToString says which agent");
        }
    }

    static void UContactEndSession()
    {
        using (var uc = UContact(Agent, AgentPassword, UContactLoginKind.Agent))
        {
            Counts("ucontact.EndSession", 0, () => uc.EndSession()); // no session yet: nothing sent
            uc.AgentLogin();
            Counts("ucontact.EndSession", 1, () => uc.EndSession());
            Counts("ucontact.EndSession", 0, () => uc.EndSession()); // ended: nothing sent
        }
    }

    static void UContactTokenAndCall()
    {
        using (var uc = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser))
        using (var form = new TokenBridgeRequest("POST", "Integra/resources/Dialers/DialerTask")
            .AddFormField("campaign", "Ventas é&=")
            .AddFormField("destination", "+5491100000000"))
        {
            TokenBridgeResponse r = null;
            // The first call logs in by itself.
            Counts("ucontact.getUserToken", 1, () =>
                Counts("ucontact.call", 1, () => r = uc.Send(form)));
            Equal(200, r.Status, "generic call status (body: " + r.Text + ")");
            // The sandbox echoes what it received: the form arrived intact, UTF-8 included.
            Contains(r.Text, "\"user\":\"apiuser\"", "the call was made as the API user");
            Contains(r.Text, "\"received\":{\"campaign\":\"Ventas é&=\",\"destination\":\"+5491100000000\"}", "both form fields, nothing else");
            // A token set by hand is used as is; a bad one gets a 401, then one new login.
            uc.SetToken("not-a-valid-token");
            Equal("not-a-valid-token", uc.GetValidToken(), "the token set by hand");
            using (var json = new TokenBridgeRequest("POST", "Integra/resources/Dialers/DialerTask").SetJson("{\"campaign\":\"x\"}"))
                Counts("ucontact.getUserToken", 1, () => r = uc.Send(json));
            Equal(200, r.Status, "generic call after a new login");
            Contains(r.Text, "\"received\":{\"campaign\":\"x\"}", "the JSON body arrived");
            Check(uc.GetValidToken() != "not-a-valid-token", "the bad token was replaced");
        }
    }

    // ---- Yativo -----------------------------------------------------------------------------

    static void YativoLogin()
    {
        using (var ya = Yativo())
        {
            AccessToken t = null;
            Counts("yativo.login", 1, () => t = ya.Login());
            Check(!string.IsNullOrEmpty(t.Token), "a token");
            FutureExpiry(t.ExpiresAt, "login");
            Check(t.ToString().IndexOf(t.Token, StringComparison.Ordinal) < 0, "ToString hides the token");
            Counts("yativo.login", 0, () => Equal(t.Token, ya.GetValidToken(), "cached token"));
        }
    }

    static void YativoRefresh()
    {
        using (var ya = Yativo())
        {
            var first = ya.Login();
            AccessToken t = null;
            Counts("yativo.refresh", 1, () => t = ya.RefreshToken());
            Check(!string.IsNullOrEmpty(t.Token) && t.Token != first.Token, "a new token");
            FutureExpiry(t.ExpiresAt, "refresh");
            Counts("yativo.login", 0, () => Equal(t.Token, ya.GetValidToken(), "the refreshed token is cached"));
        }
    }

    static void YativoWrongSecret()
    {
        using (var ya = Yativo("wrong-secret"))
        {
            var e = Fails(TokenBridgeStatus.Rejected, () => ya.Login(), "wrong secret");
            Equal(401, e.HttpStatus, "HTTP status");
            Contains(e.VendorMessage, "Invalid login credentials", "the vendor's message");
            NoSecrets(e, "wrong-secret", YaSecret);
        }
    }

    static void YativoTokenAndCall()
    {
        using (var ya = Yativo())
        using (var balance = new TokenBridgeRequest("GET", "wallet/balance"))
        {
            TokenBridgeResponse r = null;
            Counts("yativo.login", 1, () => r = ya.Send(balance));
            Equal(200, r.Status, "generic call status (body: " + r.Text + ")");
            Contains(r.Text, "\"account_id\":\"" + YaAccount + "\"", "the balance of the right account");
            var exp = DateTimeOffset.UtcNow.AddMinutes(5);
            ya.SetToken("bogus-token", exp);
            Equal("bogus-token", ya.GetValidToken(), "the token set by hand");
            Counts("yativo.login", 1, () => r = ya.Send(balance));
            Equal(200, r.Status, "generic call after a new login");
        }
    }

    static void ExpiredTokens()
    {
        var past = DateTimeOffset.UtcNow.AddSeconds(-5);
        using (var ya = Yativo())
        {
            var t = ya.Login();
            ya.SetToken(t.Token, past);
            string fresh = null;
            Counts("yativo.login", 1, () => fresh = ya.GetValidToken());
            Check(fresh != t.Token, "a new Yativo token");
            Counts("yativo.login", 0, () => Balance(ya));
        }
        using (var an = Anna())
        {
            var t = an.GetToken();
            an.SetToken(t.Token, past);
            string fresh = null;
            Counts("anna.GetToken", 1, () => fresh = an.GetValidToken());
            Check(fresh != t.Token, "a new AnnA token");
            Counts("anna.GetToken", 0, () => an.GetMessengerLink(AnnaUser.ById("42")));
        }
    }

    // ---- AnnA -------------------------------------------------------------------------------

    static void AnnaGetToken()
    {
        using (var an = Anna())
        {
            AccessToken t = null;
            Counts("anna.GetToken", 1, () => t = an.GetToken());
            Check(!string.IsNullOrEmpty(t.Token), "a token");
            FutureExpiry(t.ExpiresAt, "GetToken");
            Counts("anna.GetToken", 0, () => Equal(t.Token, an.GetValidToken(), "cached token"));
        }
    }

    static void AnnaWrongPass()
    {
        using (var an = Anna("wrong-pass"))
        {
            var e = Fails(TokenBridgeStatus.Rejected, () => an.GetToken(), "wrong pass");
            Check(!string.IsNullOrEmpty(e.VendorMessage), "the vendor's message is carried: " + e.Message);
            NoSecrets(e, "wrong-pass", AnPass);
        }
    }

    static void AnnaUserHash()
    {
        using (var an = Anna())
        {
            AccessData d = null;
            Counts("anna.UserHash", 1, () => d = an.UserHash("42"));
            Check(Regex.IsMatch(d.Hash ?? "", "^[0-9a-f]{40}$"), "a 40-hex-digit hash: " + (d.Hash == null ? "null" : d.Hash.Length + " chars"));
            Equal(url + "/anna/chat/42?hash=" + d.Hash, d.ChatUrl, "the chat URL");
            Equal(url + "/anna/embedded/42?hash=" + d.Hash, d.EmbeddedUrl, "the embedded URL");
            Check(Regex.IsMatch(d.ExpiresRaw ?? "", "^\\d{14}$"), "the raw expiry, yyyyMMddHHmmss: " + d.ExpiresRaw);
            Check(d.Expires.HasValue, "the expiry is understood: " + d.ExpiresRaw);
            Equal(DateTimeKind.Unspecified, d.Expires.Value.Kind, "AnnA sends no zone");
            Equal(d.ExpiresRaw, d.Expires.Value.ToString("yyyyMMddHHmmss"), "expiry and raw expiry agree");
            // The sandbox gives a day; it writes its local time or UTC, so allow for any zone.
            var expected = DateTime.UtcNow.AddDays(1);
            Check(Math.Abs((d.Expires.Value - expected).TotalHours) <= 15, "the expiry is about a day ahead: " + d.Expires);
            Contains(d.RawJson, "\"Hash\":\"" + d.Hash + "\"", "the raw accessData");
            Check(d.ToString().IndexOf(d.Hash, StringComparison.Ordinal) < 0, "ToString hides the hash: " + d);
            var s = an.UserHash("42", "SAC");
            Check(s.Hash != d.Hash, "a new hash per call");
            Check(s.ChatUrl.EndsWith("?hash=" + s.Hash + "&service=SAC", StringComparison.Ordinal), "the start service reached AnnA: " + s.ChatUrl);
            // A blank user id is refused by the library, naming the C# parameter; nothing is sent.
            Counts("requests", 0, () =>
            {
                var e = Refused("userId", () => an.UserHash(""), "an empty user id");
                Contains(e.Message, "`userId`: must not be empty", "the message names the C# parameter");
                Check(e.Message.IndexOf("user_id", StringComparison.Ordinal) < 0, "no C name: " + e.Message);
            });
        }
    }

    static void AnnaUnknownUser()
    {
        using (var an = Anna())
        {
            var e = Fails(TokenBridgeStatus.Rejected, () => an.UserHash("999"), "unknown user");
            Contains(e.VendorMessage, "999 not found", "the vendor's message");
            Contains(e.Message, "999 not found", "the message quotes the vendor");
            NoSecrets(e, AnCompany, AnPass);
            // The client carries on.
            Check(an.UserHash("42").Hash.Length > 0, "the next call works");
        }
    }

    static void AnnaUserHashForced()
    {
        using (var an = Anna())
        {
            AccessData d = null;
            Counts("anna.UserHashForced", 1, () => d = an.UserHashForced("4242", "José da Silva", "SAC"));
            Check(Regex.IsMatch(d.Hash ?? "", "^[0-9a-f]{40}$"), "a hash");
            Equal(url + "/anna/chat/4242?hash=" + d.Hash + "&service=SAC", d.ChatUrl, "the chat URL of the new user");
            Check(d.Expires.HasValue, "an expiry");
            // The forced call created the user: the plain call now works too.
            Check(an.UserHash("4242").Hash.Length == 40, "the new user is known");
        }
    }

    static void AnnaInactivate()
    {
        using (var an = Anna())
        {
            an.UserHashForced("777", "Temp User");
            string message = null;
            Counts("anna.Inactivate", 1, () => message = an.InactivateUser("777"));
            Contains(message, "777", "AnnA's message");
            var e = Fails(TokenBridgeStatus.Rejected, () => an.UserHash("777"), "an inactive user");
            Contains(e.VendorMessage, "inactive", "the vendor's message");
            Fails(TokenBridgeStatus.Rejected, () => an.InactivateUser("999"), "an unknown user");
        }
    }

    static void AnnaStructure()
    {
        using (var an = Anna())
        {
            MessengerStructure s = null;
            Counts("anna.Structure", 1, () => s = an.GetMessengerStructure());
            Equal(AnCompany, s.CompaniesHash, "the company hash");
            Equal("Sandbox Company", s.CompaniesName, "the company name");
            Equal(2, s.Departments.Count, "departments");
            var fin = s.Departments[0];
            Equal("financeiro", fin.Alias, "department alias");
            Equal("Financeiro", fin.Name, "department name");
            Equal(2, fin.Channels.Count, "its channels");
            Equal("whatsapp", fin.Channels[0].Alias, "channel alias");
            Equal("WhatsApp", fin.Channels[0].Name, "channel name");
            Equal("email", fin.Channels[1].Alias, "channel alias");
            Equal("E-mail", fin.Channels[1].Name, "channel name");
            var sup = s.Departments[1];
            Equal("suporte", sup.Alias, "department alias");
            Equal("Suporte", sup.Name, "department name");
            Equal(1, sup.Channels.Count, "its channels");
            Equal("chat", sup.Channels[0].Alias, "channel alias");
            Equal("Chat", sup.Channels[0].Name, "channel name");
            Contains(s.RawJson, "\"CompaniesName\":\"Sandbox Company\"", "the raw structure");
            Check(s.ToString().IndexOf(AnCompany, StringComparison.Ordinal) < 0, "ToString hides the company hash: " + s);
            Equal("Financeiro (financeiro)", fin.ToString(), "a department in words");
        }
    }

    static void AnnaAlertCounter()
    {
        using (var an = Anna())
        {
            ulong byId = 0;
            Counts("anna.AlertCounter", 1, () => byId = an.GetMessengerAlertCounter(AnnaUser.ById("42")));
            // User 42 has three requests; one is open and awaits an answer.
            Equal(1UL, byId, "user 42's alerts");
            Equal(1UL, an.GetMessengerAlertCounter(AnnaUser.ByDocument("CPF", "12345678900")), "user 42 by document");
            Equal(1UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), new MessengerFilter()), "an empty filter");
            // Each filter field reaches the sandbox and narrows the count.
            var all = new MessengerFilter
            {
                DepartmentAlias = "financeiro",
                ChannelAlias = "whatsapp",
                DateFrom = new DateTime(2024, 3, 15, 23, 59, 0), // the time of day is ignored
                DateTo = new DateTime(2024, 3, 15),
                Status = MessengerRequestStatus.Open,
                Pending = true,
            };
            Equal(1UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), all), "every field, matching");
            Equal(0UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), new MessengerFilter { DepartmentAlias = "suporte" }), "another department");
            Equal(0UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), new MessengerFilter { ChannelAlias = "email" }), "another channel");
            Equal(0UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), new MessengerFilter { DateFrom = new DateTime(2024, 3, 16) }), "opened before DateFrom");
            Equal(0UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), new MessengerFilter { DateTo = new DateTime(2024, 3, 14) }), "opened after DateTo");
            Equal(0UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), new MessengerFilter { Status = MessengerRequestStatus.Closed }), "closed ones are no alerts");
            Equal(0UL, an.GetMessengerAlertCounter(AnnaUser.ById("42"), new MessengerFilter { Pending = false }), "not pending");
            // An unknown user is the vendor's refusal.
            var e = Fails(TokenBridgeStatus.Rejected, () => an.GetMessengerAlertCounter(AnnaUser.ById("999")), "an unknown user");
            Contains(e.VendorMessage, "999 not found", "the vendor's message");
        }
    }

    static void AnnaRequests()
    {
        using (var an = Anna())
        {
            MessengerRequests items = null;
            Counts("anna.Requests", 1, () => items = an.GetMessengerRequests(AnnaUser.ById("42")));
            Equal(3, items.Count, "user 42's requests");
            var r = items[0];
            Equal("2024000101", r.Protocol, "protocol");
            Equal("Financeiro", r.Department, "department");
            Equal("WhatsApp", r.Channel, "channel");
            Equal("Segunda via de boleto", r.Description, "description");
            Equal("15/03/2024 09:30:00", r.OpenedAt, "opening date as AnnA wrote it");
            Equal(MessengerRequestStatus.Open, r.Status, "status");
            Equal("A", r.StatusText, "status as AnnA wrote it");
            Equal(true, r.Pending, "pending");
            Equal(url + "/anna/messenger/42/2024000101", r.Link, "link");
            Equal("financeiro", r.Get("DepartmentAlias"), "any field by wire name");
            Equal("S", r.Get("Pending"), "the wire text behind Pending");
            Equal(null, r.Get("pending"), "Get is exact-case");
            Equal(null, r.Get("NoSuchField"), "an absent field");
            Equal(10, r.Fields.Count, "every field of the item");
            Equal("Channel,ChannelAlias,Department,DepartmentAlias,Description,Link,OpeningDate,Pending,Protocol,Status",
                string.Join(",", new List<KeyValuePair<string, string>>(r.Fields).ConvertAll(f => f.Key)), "every field, sorted by name");
            Equal(false, items[1].Pending, "the second is not pending");
            Equal(MessengerRequestStatus.Closed, items[2].Status, "the third is closed");
            Equal("E", items[2].StatusText, "closed as AnnA wrote it");
            Equal("Reembolso", items[2].Description, "the third's description");
            int seen = 0;
            foreach (var item in items) { Check(item.Protocol.Length == 10, "each item has a protocol"); seen++; }
            Equal(3, seen, "enumerated");
            Check(items.RawJson.StartsWith("[", StringComparison.Ordinal) && items.RawJson.Contains("\"Protocol\":\"2023000087\""), "the raw array");
            Contains(r.ToString(), "2024000101", "an item in words");

            var byDoc = an.GetMessengerRequests(AnnaUser.ByDocument("CPF", "12345678900"), new MessengerFilter());
            Equal(3, byDoc.Count, "by document");
            // Filters reach the sandbox.
            var closed = an.GetMessengerRequests(AnnaUser.ById("42"), new MessengerFilter { Status = MessengerRequestStatus.Closed });
            Equal(1, closed.Count, "closed ones");
            Equal("2023000087", closed[0].Protocol, "the closed one");
            Equal(2, an.GetMessengerRequests(AnnaUser.ById("42"), new MessengerFilter { DateFrom = new DateTime(2024, 1, 1) }).Count, "opened in 2024");
            Equal(1, an.GetMessengerRequests(AnnaUser.ById("42"), new MessengerFilter { DepartmentAlias = "suporte" }).Count, "one department");
            Equal(1, an.GetMessengerRequests(AnnaUser.ById("42"), new MessengerFilter { Pending = true }).Count, "pending ones");
            var none = an.GetMessengerRequests(AnnaUser.ById("42"), new MessengerFilter { DateTo = new DateTime(2000, 1, 1) });
            Equal(0, none.Count, "nothing that old");
            Equal("[]", none.RawJson, "an empty raw array");
        }
    }

    static void AnnaLink()
    {
        using (var an = Anna())
        {
            string link = null;
            Counts("anna.Link", 1, () => link = an.GetMessengerLink(AnnaUser.ById("42")));
            Check(link.StartsWith("http", StringComparison.Ordinal), "a link: " + link);
            Check(an.GetMessengerLink(AnnaUser.ByDocument("CPF", "12345678900")).StartsWith("http", StringComparison.Ordinal), "a link by document");
        }
    }

    static void AnnaHalfDocument()
    {
        using (var an = Anna())
        {
            Counts("anna.Link", 0, () =>
            {
                var e = Throws<ArgumentNullException>(() => an.GetMessengerLink(AnnaUser.ByDocument("CPF", null)), "half a document");
                Equal("value", e.ParamName, "the C# parameter of ByDocument");
            });
            Throws<ArgumentNullException>(() => an.GetMessengerLink(null), "no user at all");
        }
    }

    static void AnnaTokenAndCall()
    {
        using (var an = Anna())
        {
            TokenBridgeResponse r = null;
            using (var req = new TokenBridgeRequest("POST", "REST/AnnACorporate/Ping").SetJson("{\"note\": \"olá \\\"x\\\"\", \"n\": [1, 2]}"))
                Counts("anna.GetToken", 1, () => r = an.Send(req));
            Equal(200, r.Status, "generic call status (body: " + r.Text + ")");
            Contains(r.Text, "\"received\":{\"n\":[1,2],\"note\":\"olá \\\"x\\\"\"}", "the JSON body arrived intact");
            using (var req = new TokenBridgeRequest("POST", "REST/AnnACorporate/Ping").AddFormField("q", "a b&c=é"))
                r = an.Send(req);
            Contains(r.Text, "\"received\":{\"q\":\"a b&c=é\"}", "the form body arrived intact");
            an.SetToken("bogus-token");
            Equal("bogus-token", an.GetValidToken(), "the token set by hand");
            using (var req = new TokenBridgeRequest("POST", "REST/AnnACorporate/Ping"))
                Counts("anna.GetToken", 1, () => r = an.Send(req));
            Equal(200, r.Status, "generic call after a new login");
            Contains(r.Text, "\"received\":null", "no body");
        }
    }

    // ---- transport, threads, lifetime ---------------------------------------------------

    static void ConnectionRefused()
    {
        // Port 1 on the loopback: nothing listens there.
        using (var cfg = SandboxConfig().SetConnectTimeout(TimeSpan.FromSeconds(5)))
        using (var an = new AnnaClient("http://127.0.0.1:1/anna/", AnCompany, AnUser, AnPass, cfg))
        {
            var e = Fails(TokenBridgeStatus.Connect, () => an.GetToken(), "nothing listening");
            NoSecrets(e, AnPass);
        }
    }

    static void Threads()
    {
        using (var an = Anna())
        {
            string token = an.GetValidToken();
            var errors = new List<string>();
            var threads = new List<Thread>();
            for (int i = 0; i < 8; i++)
            {
                int n = i;
                var t = new Thread(() =>
                {
                    try
                    {
                        for (int k = 0; k < 5; k++)
                        {
                            if (n % 2 == 0)
                            {
                                if (an.GetValidToken() != token) throw new TestFailure("another token");
                                if (an.UserHash("42").Hash.Length == 0) throw new TestFailure("no hash");
                            }
                            else
                            {
                                var e = Throws<TokenBridgeException>(() => an.UserHash("999"), "unknown user");
                                if (e.Status != TokenBridgeStatus.Rejected || e.VendorMessage == null)
                                    throw new TestFailure("thread " + n + " read another thread's error: " + e.Status);
                            }
                        }
                    }
                    catch (Exception e)
                    {
                        lock (errors) errors.Add(e.Message);
                    }
                });
                threads.Add(t);
                t.Start();
            }
            foreach (var t in threads) t.Join();
            Check(errors.Count == 0, string.Join("; ", errors));
        }
    }

    static void DisposeTwice()
    {
        var an = Anna();
        an.GetValidToken();
        an.Dispose();
        an.Dispose();
        Throws<ObjectDisposedException>(() => an.GetValidToken(), "AnnA after dispose");

        var uc = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser);
        uc.Dispose();
        Throws<ObjectDisposedException>(() => uc.GetUserToken(), "uContact after dispose");

        var ya = Yativo();
        ya.Dispose();
        Throws<ObjectDisposedException>(() => ya.Login(), "Yativo after dispose");

        var cfg = new TokenBridgeConfig();
        cfg.Dispose();
        cfg.Dispose();
        Throws<ObjectDisposedException>(() => cfg.SetAllowHttp(true), "config after dispose");
        Throws<ObjectDisposedException>(() => new AnnaClient(url + "/anna/", AnCompany, AnUser, AnPass, cfg), "a disposed config");
    }

    // ---- sandbox faults -------------------------------------------------------------------

    static void Control(string method, string path, string json)
    {
        var req = (HttpWebRequest)WebRequest.Create(url + path);
        req.Proxy = null;
        req.Method = method;
        if (json != null)
        {
            byte[] body = Encoding.UTF8.GetBytes(json);
            req.ContentType = "application/json";
            req.ContentLength = body.Length;
            using (var s = req.GetRequestStream()) s.Write(body, 0, body.Length);
        }
        using (var resp = (HttpWebResponse)req.GetResponse())
            Equal(HttpStatusCode.OK, resp.StatusCode, "sandbox control " + method + " " + path);
    }

    // A fault that delays the next request to `path` by `ms` milliseconds.
    static void Delay(string path, int ms)
    {
        Control("POST", "/__sandbox/faults", "{\"path\": \"" + path + "\", \"delay_ms\": " + ms + ", \"times\": 1}");
    }

    static void ClearFaults()
    {
        Control("DELETE", "/__sandbox/faults", null);
    }

    // The exception a task ended with (unwrapped), or null.
    static Exception TaskError(Task t)
    {
        try
        {
            t.Wait();
            return null;
        }
        catch (AggregateException e)
        {
            return e.InnerException;
        }
    }

    // GET wallet/balance on a Yativo client (the sandbox's generic resource).
    static TokenBridgeResponse Balance(YativoClient ya)
    {
        using (var req = new TokenBridgeRequest("GET", "wallet/balance"))
            return ya.Send(req);
    }

    static Task<TokenBridgeResponse> BalanceAsync(YativoClient ya, CancellationToken cancellationToken)
    {
        var req = new TokenBridgeRequest("GET", "wallet/balance");
        var task = ya.SendAsync(req, cancellationToken);
        task.ContinueWith(_ => req.Dispose(), TaskContinuationOptions.ExecuteSynchronously);
        return task;
    }

    // ---- async, cancellation, timeouts ------------------------------------------------------

    static void AsyncCalls()
    {
        using (var uc = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser))
        using (var ag = UContact(Agent, AgentPassword, UContactLoginKind.Agent))
        using (var ya = Yativo())
        using (var an = Anna())
        {
            string token = null;
            Counts("ucontact.getUserToken", 1, () => token = uc.GetUserTokenAsync().Result);
            Check(!string.IsNullOrEmpty(token), "a uContact token");
            Equal(token, uc.GetValidTokenAsync().Result, "the async call used the client's token cache");
            using (var req = new TokenBridgeRequest("POST", "Integra/resources/Dialers/DialerTask").AddFormField("n", "1"))
            {
                var r = uc.SendAsync(req).Result;
                Equal(200, r.Status, "uContact generic call");
                Contains(r.Text, "\"received\":{\"n\":\"1\"}", "the form arrived");
            }
            Counts("ucontact.EndSession", 1, () => uc.EndSessionAsync().Wait());
            Equal(Agent, ag.AgentLoginAsync().Result.Name, "AgentLogin");

            AccessToken at = null;
            Counts("yativo.login", 1, () => at = ya.LoginAsync().Result);
            Equal(at.Token, ya.GetValidToken(), "the async login filled the client's cache");
            Counts("yativo.refresh", 1, () => ya.RefreshTokenAsync().Wait());
            var balance = ya.SendAsync(new TokenBridgeRequest("GET", "wallet/balance")).Result;
            Equal(200, balance.Status, "Yativo send");

            Counts("anna.GetToken", 1, () => an.GetTokenAsync().Wait());
            Check(an.UserHashAsync("42").Result.ChatUrl.Length > 0, "UserHash");
            Equal("2024000101", an.GetMessengerRequestsAsync(AnnaUser.ById("42")).Result[0].Protocol, "Requests");
            Equal(1UL, an.GetMessengerAlertCounterAsync(AnnaUser.ById("42"), new MessengerFilter { Pending = true }).Result, "AlertCounter");
            Equal("financeiro", an.GetMessengerStructureAsync().Result.Departments[0].Alias, "Structure");
            Equal(2L, ag.AgentLoginAsync().Result.Limite, "AgentLogin's numbers");
            Check(an.GetMessengerLinkAsync(AnnaUser.ById("42")).Result.Length > 0, "Link");

            // Failures keep their type inside the task.
            var e = TaskError(an.UserHashAsync("999")) as TokenBridgeException;
            Check(e != null && e.Status == TokenBridgeStatus.Rejected && e.VendorMessage != null, "a rejected async call fails with TokenBridgeException(Rejected)");
            Check(TaskError(an.UserHashAsync(null)) is ArgumentNullException, "a null argument fails the task with ArgumentNullException");

            an.Dispose();
            Check(TaskError(an.GetValidTokenAsync()) is ObjectDisposedException, "async after dispose");
        }
    }

    static void AsyncCancel()
    {
        using (var ya = Yativo())
        {
            ya.Login();
            try
            {
                Delay("/yativo/api/v1/wallet/balance", 3000);
                using (var cts = new CancellationTokenSource())
                {
                    var task = BalanceAsync(ya, cts.Token);
                    Thread.Sleep(400); // the request is at the server, which waits
                    Check(!task.IsCompleted, "the delayed call is still running");
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    cts.Cancel();
                    bool ended = ((IAsyncResult)task).AsyncWaitHandle.WaitOne(2000);
                    long ms = clock.ElapsedMilliseconds;
                    Check(ended, "the task ended after the cancel");
                    Check(ms < 200, "the native call stopped within 200 ms of the cancel, took " + ms + " ms");
                    Note("cancel -> task canceled in " + ms + " ms (Yativo call held 3 s by the sandbox)");
                    Check(task.IsCanceled, "the task is canceled, not " + task.Status);
                    var e = TaskError(task);
                    Check(e is OperationCanceledException, "awaiting it throws OperationCanceledException, got " + e);
                }
                // The client is usable right away (the fault was used up).
                var clock2 = System.Diagnostics.Stopwatch.StartNew();
                Counts("yativo.login", 0, () => Equal(200, Balance(ya).Status, "the next call"));
                Check(clock2.ElapsedMilliseconds < 2000, "the next call was not delayed");

                // A cancelled sync-over-async OperationCanceledException carries the library's detail.
                Delay("/yativo/api/v1/wallet/balance", 3000);
                using (var cts = new CancellationTokenSource(300))
                {
                    var e = TaskError(ya.SendAsync(new TokenBridgeRequest("GET", "wallet/balance"), cts.Token)) as OperationCanceledException;
                    Check(e != null, "a timed-out CancellationTokenSource cancels too");
                    Equal(cts.Token, e.CancellationToken, "the exception names the caller's token");
                }
            }
            finally
            {
                ClearFaults();
            }
        }
    }

    // The cancelled native call really stops: an AnnA UserHash must first get a token; the
    // token request is held at the sandbox, the task cancelled meanwhile. Had the native call
    // gone on, the sandbox would count a UserHash once the token came; it never does, and the
    // client is disposed at once (no call left running to wait for).
    static void AsyncCancelStopsNativeCall()
    {
        const int delayMs = 1500;
        var an = Anna();
        try
        {
            long tokensBefore = Count("anna.GetToken"), hashesBefore = Count("anna.UserHash");
            Delay("/anna/REST/Credentials/GetToken", delayMs);
            var started = System.Diagnostics.Stopwatch.StartNew();
            using (var cts = new CancellationTokenSource())
            {
                var task = an.UserHashAsync("42", null, cts.Token);
                // Bounded wait until the sandbox holds the token request.
                while (Count("anna.GetToken") == tokensBefore && started.ElapsedMilliseconds < 1000) Thread.Sleep(20);
                Equal(tokensBefore + 1, Count("anna.GetToken"), "the token request reached the sandbox");
                Check(!task.IsCompleted, "the call waits for its token");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                cts.Cancel();
                bool ended = ((IAsyncResult)task).AsyncWaitHandle.WaitOne(2000);
                long ms = clock.ElapsedMilliseconds;
                Check(ended && task.IsCanceled, "the task is canceled, not " + task.Status);
                Check(ms < 200, "the task ended within 200 ms of the cancel, took " + ms + " ms");
                Note("cancel -> task canceled in " + ms + " ms (AnnA token request held 1.5 s)");
                var dispose = System.Diagnostics.Stopwatch.StartNew();
                an.Dispose();
                Check(dispose.ElapsedMilliseconds < 200, "Dispose right after the cancel did not wait, took " + dispose.ElapsedMilliseconds + " ms");
                Note("Dispose right after the cancel: " + dispose.ElapsedMilliseconds + " ms");
            }
            // Past the sandbox's delay (with a margin): nothing more arrived.
            int rest = delayMs + 700 - (int)started.ElapsedMilliseconds;
            if (rest > 0) Thread.Sleep(rest);
            Equal(hashesBefore, Count("anna.UserHash"), "UserHash requests after the cancelled token request (the native call went on)");
            Equal(tokensBefore + 1, Count("anna.GetToken"), "token requests (no retry after the cancel)");
        }
        finally
        {
            an.Dispose();
            ClearFaults();
        }
    }

    static void AsyncCancelledBeforeStart()
    {
        using (var an = Anna())
        using (var cts = new CancellationTokenSource())
        {
            cts.Cancel();
            Task<string> t = null;
            Counts("requests", 0, () =>
            {
                t = an.GetValidTokenAsync(cts.Token);
                Check(TaskError(t) is OperationCanceledException, "canceled");
            });
            Check(t.IsCanceled, "the task is canceled");
        }
    }

    static void CallTimeout()
    {
        using (var ya = Yativo())
        {
            ya.Login();
            try
            {
                using (var limited = ya.WithTimeout(TimeSpan.FromMilliseconds(500)))
                {
                    Delay("/yativo/api/v1/wallet/balance", 3000);
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var e = Throws<TimeoutException>(() => Balance(limited), "a call past its deadline");
                    Check(clock.ElapsedMilliseconds < 1500, "it failed at the deadline, took " + clock.ElapsedMilliseconds + " ms");
                    var inner = e.InnerException as TokenBridgeException;
                    Check(inner != null && inner.Status == TokenBridgeStatus.Timeout, "the inner exception is TokenBridgeException(Timeout)");

                    Delay("/yativo/api/v1/wallet/balance", 3000);
                    Check(TaskError(BalanceAsync(limited, CancellationToken.None)) is TimeoutException, "async: TimeoutException");

                    // The limited client shares the token cache, and a fast call is fine.
                    Counts("yativo.login", 0, () => Equal(200, Balance(limited).Status, "a fast call"));
                }
                // Disposing the limited client leaves the client working.
                Equal(200, Balance(ya).Status, "the client after its limited handle is gone");
                Throws<ArgumentOutOfRangeException>(() => ya.WithTimeout(TimeSpan.FromSeconds(-1)), "negative timeout");
            }
            finally
            {
                ClearFaults();
            }
        }
    }

    // ---- logging ------------------------------------------------------------------------------

    static List<string> CaptureLogs(LogLevel level, Action action)
    {
        var records = new List<string>();
        Library.SetLogger((l, target, message) => { lock (records) records.Add(l + " " + target + ": " + message); }, level);
        try
        {
            action();
        }
        finally
        {
            Library.SetLogger(null);
        }
        lock (records) return new List<string>(records);
    }

    static void Logging()
    {
        string ucToken = null, agentToken = null, yaToken = null, anToken = null, accessHash = null;
        var records = CaptureLogs(LogLevel.Trace, () =>
        {
            using (var uc = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser))
            using (var ag = UContact(Agent, AgentPassword, UContactLoginKind.Agent))
            using (var ya = Yativo())
            using (var an = Anna())
            {
                ucToken = uc.GetUserToken();
                agentToken = ag.AgentLogin().Token;
                yaToken = ya.Login().Token;
                Equal(200, Balance(ya).Status, "a call");
                anToken = an.GetToken().Token;
                accessHash = an.UserHash("42").Hash;
                Equal(AnCompany, an.GetMessengerStructure().CompaniesHash, "the structure");
            }
        });
        Check(records.Count > 0, "records arrived");
        Check(records.Exists(r => r.StartsWith("Debug tokenbridge", StringComparison.Ordinal) && r.Contains("wallet/balance")),
            "a DEBUG record for the call: " + string.Join(" | ", records.GetRange(0, Math.Min(5, records.Count))));
        Check(records.Exists(r => r.StartsWith("Info tokenbridge", StringComparison.Ordinal)), "INFO records (logins)");
        string all = string.Join("\n", records);
        Check(records.Exists(r => r.StartsWith("Debug ureq", StringComparison.Ordinal) && r.Contains("HEADERS ARE REDACTED")),
            "the HTTP library's DEBUG request heads, headers left out");
        Check(!records.Exists(r => r.StartsWith("Trace ureq", StringComparison.Ordinal)),
            "none of the HTTP library's TRACE records (its byte dump holds secrets)");
        foreach (var secret in new[] { UcPassword, AgentPassword, YaSecret, AnPass, AnCompany, "sip-agent1-secret", ucToken, agentToken, yaToken, anToken, accessHash })
            Check(all.IndexOf(secret, StringComparison.Ordinal) < 0, "no record holds a secret (" + secret.Length + " chars)");

        // After SetLogger(null) nothing arrives; INFO level has no DEBUG records.
        int after = 0;
        Library.SetLogger((l, t, m) => Interlocked.Increment(ref after), LogLevel.Info);
        Library.SetLogger(null);
        using (var ya = Yativo()) ya.Login();
        Equal(0, after, "records after logging was turned off");
        var info = CaptureLogs(LogLevel.Info, () => { using (var ya = Yativo()) ya.Login(); });
        Check(info.Count > 0 && info.TrueForAll(r => !r.StartsWith("Debug", StringComparison.Ordinal) && !r.StartsWith("Trace", StringComparison.Ordinal)), "INFO: no DEBUG or TRACE records");

        // A logger that throws never breaks a call (nothing unwinds into native code).
        Library.SetLogger((l, t, m) => { throw new InvalidOperationException("logger bug"); }, LogLevel.Trace);
        try
        {
            using (var ya = Yativo()) Equal(200, Balance(ya).Status, "a call with a throwing logger");
        }
        finally
        {
            Library.SetLogger(null);
        }
        Throws<ArgumentOutOfRangeException>(() => Library.SetLogger((l, t, m) => { }, (LogLevel)9), "an unknown level");
    }

    // ---- finalizer ------------------------------------------------------------------------------

    static void FinalizerDoesNotBlock()
    {
        try
        {
            var records = CaptureLogs(LogLevel.Warn, () =>
            {
                long ended = Count("ucontact.EndSession");
                // Made and forgotten on another thread, so that no stack slot of ours (Mono
                // scans stacks conservatively) keeps it alive.
                var t = new Thread(() =>
                {
                    var forgotten = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser);
                    forgotten.GetUserToken(); // a live session: freeing it sends EndSession
                });
                t.Start();
                t.Join();
                Delay("/ucontact/Integra/resources/auth/EndSession", 3000);

                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (int i = 0; i < 3; i++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                long ms = clock.ElapsedMilliseconds;
                Check(ms < 1000, "finalization took " + ms + " ms (it waited for the network)");
                Note("3 x GC.Collect + WaitForPendingFinalizers, EndSession held 3 s: " + ms + " ms");

                // The session is still ended, from the thread pool, once the delay is over.
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (Count("ucontact.EndSession") == ended && DateTime.UtcNow < deadline) Thread.Sleep(100);
                Equal(ended + 1, Count("ucontact.EndSession"), "EndSession of the forgotten client");
            });
            Check(records.Exists(r => r.Contains("not disposed")), "a warning says a client was not disposed");
        }
        finally
        {
            ClearFaults();
        }
        // Explicit Dispose still ends the session, on the caller's thread.
        var uc = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser);
        uc.GetUserToken();
        Counts("ucontact.EndSession", 1, () => uc.Dispose());
    }

    // ---- generic call with the request builder ------------------------------------------

    static void RequestBuilder()
    {
        using (var ya = Yativo())
        using (var uc = UContact(UcUser, UcPassword, UContactLoginKind.ApiUser))
        using (var an = Anna())
        {
            TokenBridgeResponse r = null;
            var records = CaptureLogs(LogLevel.Trace, () =>
            {
                using (var req = new TokenBridgeRequest("GET", "wallet/balance")
                    .AddQuery("currency", "US D&x")
                    .AddQuery("currency", "EUR é")
                    .AddHeader("X-Request-Tag", "tag-4711"))
                {
                    Counts("yativo.call", 1, () => r = ya.Send(req));
                }
            });
            Equal(200, r.Status, "status");
            Contains(r.Text, "{", "a JSON body");
            Equal(r.Text, Encoding.UTF8.GetString(r.Body), "Text is Body as UTF-8");
            Contains(r.Header("Content-Type"), "application/json", "a header, looked up in any case");
            Check(r.Headers.Count > 0 && new List<KeyValuePair<string, string>>(r.Headers).TrueForAll(h => h.Key == h.Key.ToLowerInvariant()), "header names in lower case");
            Equal(null, r.Header("X-Not-There"), "an absent header is null");
            // What the sandbox received (its echo: query decoded in order, headers as received).
            Contains(r.Text, "\"method\":\"GET\"", "the sandbox saw the method");
            Contains(r.Text, "\"query\":[[\"currency\",\"US D&x\"],[\"currency\",\"EUR é\"]]", "the sandbox saw the query, both values in order");
            Contains(r.Text, "[\"x-request-tag\",\"tag-4711\"]", "the sandbox saw the header");
            Check(r.Text.IndexOf("authorization", StringComparison.OrdinalIgnoreCase) < 0, "the echo never shows the Authorization header");
            Check(records.Exists(x => x.StartsWith("Debug tokenbridge", StringComparison.Ordinal) && x.Contains("GET wallet/balance -> 200")),
                "the library's DEBUG record of the call");

            // A header the sandbox acts on: the same Idempotency-Key (a plain header here) twice
            // gets the kept answer, marked `Idempotent-Replayed: true`, and one payout only.
            string key = "csharp-" + Guid.NewGuid().ToString("N");
            TokenBridgeResponse first = null, second = null;
            records = CaptureLogs(LogLevel.Trace, () =>
            {
                using (var pay = new TokenBridgeRequest("POST", "payouts")
                    .AddQuery("ref", "order 4711")
                    .AddHeader("Idempotency-Key", key)
                    .SetJson("{\"amount\": \"10.00\", \"currency\": \"USD\"}"))
                {
                    Counts("yativo.payouts_executed", 1, () =>
                        Counts("yativo.payout", 2, () => { first = ya.Send(pay); second = ya.Send(pay); }));
                }
            });
            Equal(201, first.Status, "the payout (body: " + first.Text + ")");
            Equal(null, first.Header("Idempotent-Replayed"), "the first answer is no replay");
            Contains(first.Text, "\"amount\":\"10.00\"", "the JSON body reached the sandbox");
            Equal(201, second.Status, "the repeated payout");
            Equal("true", second.Header("Idempotent-Replayed"), "the sandbox saw the header: it replayed its kept answer");
            Equal(first.Text, second.Text, "the kept answer");
            Equal(2, records.FindAll(x => x.StartsWith("Debug tokenbridge", StringComparison.Ordinal) && x.Contains("POST payouts -> 201")).Count,
                "one DEBUG record per send");

            // Bodies: a form to uContact's resource, JSON to AnnA's; the sandbox echoes the form.
            using (var req = new TokenBridgeRequest("POST", "Integra/resources/Dialers/DialerTask").AddFormField("campaign", "c 1&2"))
            {
                var ur = uc.Send(req);
                Equal(200, ur.Status, "uContact form");
                Contains(ur.Text, "c 1&2", "the form field arrived");
            }
            using (var req = new TokenBridgeRequest("POST", "REST/AnnACorporate/Ping").SetJson("{\"ping\": \"é\"}")
                .AddQuery("page", "2").AddHeader("X-Trace", "abc"))
            {
                var ar = an.SendAsync(req).Result;
                Equal(200, ar.Status, "AnnA JSON, async");
                Contains(ar.Text, "\"received\":{\"ping\":\"é\"}", "the JSON body arrived");
                Contains(ar.Text, "\"query\":[[\"page\",\"2\"]]", "AnnA's sandbox saw the query");
                Contains(ar.Text, "[\"x-trace\",\"abc\"]", "AnnA's sandbox saw the header");
                Contains(ar.Text, "[\"content-type\",\"application/json\"]", "the JSON content type went out");
            }
            using (var req = new TokenBridgeRequest("GET", "no/such/resource"))
                Equal(404, ya.Send(req).Status, "any status but 401 is an answer");
        }
    }

    static void RequestBuilderRefusals()
    {
        using (var ya = Yativo())
        {
            var e = Refused("path", () => new TokenBridgeRequest("GET", "wallet/balance?x=1"), "a query in the path");
            Contains(e.Message, "`path`", "names path");
            Equal("method", Throws<ArgumentNullException>(() => new TokenBridgeRequest(null, "x"), "null method").ParamName, "null method");
            using (var req = new TokenBridgeRequest("POST", "payouts"))
            {
                Equal("name", Throws<ArgumentNullException>(() => req.AddQuery(null, "v"), "null name").ParamName, "null query name");
                e = Refused("json", () => req.SetJson("{not json"), "invalid JSON");
                Contains(e.Message, "`json`", "names json");
                e = Refused("idempotencyKey", () => req.SetIdempotencyKey(" "), "a blank key");
                Contains(e.Message, "`idempotencyKey`", "names the C# parameter");
                e = Refused("contentType", () => req.SetBody("", new byte[] { 0, 1 }), "an empty content type");
                Contains(e.Message, "`contentType`", "names the C# parameter");
                req.AddHeader("Authorization", "Bearer mine");
                Counts("requests", 0, () =>
                {
                    e = Throws<ArgumentException>(() => ya.Send(req), "Authorization without permission");
                    Contains(e.Message, "header", "names the header");
                });
            }
            Equal("request", Throws<ArgumentNullException>(() => ya.Send(null), "null request").ParamName, "null request");
        }
    }

    static void FilterRefusals()
    {
        using (var an = Anna())
        {
            var user = AnnaUser.ById("42");
            Counts("requests", 0, () =>
            {
                var backwards = new MessengerFilter { DateFrom = new DateTime(2024, 5, 2), DateTo = new DateTime(2024, 5, 1) };
                var e = Throws<ArgumentException>(() => an.GetMessengerAlertCounter(user, backwards), "DateFrom after DateTo");
                Equal("filter", e.ParamName, "names the C# parameter");
                Contains(e.Message, "filter.DateFrom (2024-05-02) is after filter.DateTo (2024-05-01)", "says what is wrong in C# terms");
                e = Throws<ArgumentException>(() => an.GetMessengerRequests(user, backwards), "the same for Requests");
                Equal("filter", e.ParamName, "names the C# parameter");
                var badStatus = new MessengerFilter { Status = (MessengerRequestStatus)7 };
                e = Throws<ArgumentException>(() => an.GetMessengerRequests(user, badStatus), "an unknown status");
                Equal("filter", e.ParamName, "names the C# parameter");
                Contains(e.Message, "filter.Status", "names the property");
                // A NUL inside a string would cut it short in C: refused, naming the property.
                var nul = new MessengerFilter { ChannelAlias = "whatsapp\0x" };
                e = Throws<ArgumentException>(() => an.GetMessengerRequests(user, nul), "an alias with NUL");
                Equal("filter", e.ParamName, "names the C# parameter");
                Contains(e.Message, "`filter.ChannelAlias` contains a NUL", "names the property");
                Check(TaskError(an.GetMessengerAlertCounterAsync(user, backwards)) is ArgumentException, "async: the task fails with ArgumentException");
            });
            // The same day on both ends is fine, whatever the time of day.
            Equal(1, an.GetMessengerRequests(user, new MessengerFilter { DateFrom = new DateTime(2024, 3, 15, 18, 0, 0), DateTo = new DateTime(2024, 3, 15, 6, 0, 0) }).Count, "one day");
            Equal("MessengerFilter(everything)", new MessengerFilter().ToString(), "an empty filter in words");
            Equal("MessengerFilter(department financeiro, from 2024-01-02, closed, not pending)",
                new MessengerFilter { DepartmentAlias = "financeiro", DateFrom = new DateTime(2024, 1, 2, 13, 0, 0), Status = MessengerRequestStatus.Closed, Pending = false }.ToString(), "a filter in words");
        }
    }

    // ---- proxies: the lab of scripts/netlab.sh (tinyproxy open and with Basic auth, nginx as a
    // TLS front with a test CA), started by run-tests.sh. What crossed the wire is read from
    // tinyproxy's log (client connections, CONNECTs, "Established connection" when a tunnel
    // opened), nginx's access log and the sandbox's echo of the Host header and the body.

    static string Lab(string name)
    {
        var v = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrEmpty(v))
            throw new TestFailure(name + " is not set: run bindings/csharp/run-tests.sh (it starts scripts/netlab.sh)");
        return v;
    }

    // A log file read from a mark on.
    sealed class LogMark
    {
        readonly string path;
        readonly long from;

        public LogMark(string labVariable)
        {
            path = Lab(labVariable);
            from = new FileInfo(path).Length;
        }

        // What was written since the mark, once it has `lines` lines or 2 s passed (nginx
        // logs a request after answering it).
        public string Since(int lines)
        {
            var until = DateTime.UtcNow.AddSeconds(2);
            var text = Since();
            while (Count(text, "\n") < lines && DateTime.UtcNow < until)
            {
                Thread.Sleep(20);
                text = Since();
            }
            return text;
        }

        public string Since()
        {
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                f.Seek(from, SeekOrigin.Begin);
                using (var r = new StreamReader(f, Encoding.UTF8)) return r.ReadToEnd();
            }
        }
    }

    static int Count(string text, string needle)
    {
        int n = 0;
        for (int i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    // tinyproxy's view since a mark, for target port `port`.
    static string ProxySaw(LogMark log, int port, out int tunnels, out int forwarded, out int connections, out int established)
    {
        var text = log.Since();
        connections = Count(text, "Connect (file descriptor");
        tunnels = Count(text, "): CONNECT 127.0.0.1:" + port + " HTTP/1.");
        forwarded = Count(text, " http://127.0.0.1:" + port + "/");
        established = Count(text, "Established connection");
        return connections + " connections, " + tunnels + " tunnels, " + forwarded + " forwarded, " + established + " established";
    }

    sealed class ProxyTarget
    {
        public string Name, Base, Ca, Host;
        public int Port;

        public ProxyTarget(string name, string baseUrl, string ca)
        {
            Name = name;
            Base = baseUrl.TrimEnd('/');
            Ca = ca;
            Port = int.Parse(Base.Substring(Base.LastIndexOf(':') + 1));
            Host = "127.0.0.1:" + Port;
        }

        // https trusts the lab's CA and allows no plain http; the plain target allows it.
        // proxy null: from the environment.
        public TokenBridgeConfig Config(string proxy)
        {
            var cfg = new TokenBridgeConfig()
                .SetAllowHttp(Ca == null)
                .SetRetries(0, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5))
                .SetConnectTimeout(TimeSpan.FromSeconds(5))
                .SetReceiveTimeout(TimeSpan.FromSeconds(20));
            if (proxy != null) cfg.SetProxy(proxy);
            if (Ca != null) cfg.SetExtraCaFile(Ca);
            return cfg;
        }
    }

    static ProxyTarget[] ProxyTargets()
    {
        return new[] { new ProxyTarget("https", Lab("TB_LAB_HTTPS_URL"), Lab("TB_LAB_CA_FILE")), new ProxyTarget("http", url, null) };
    }

    static string EchoedHost(string host)
    {
        return "[\"host\",\"" + host + "\"]";
    }

    static string SendText(Func<TokenBridgeRequest, TokenBridgeResponse> send, string method, string path, string json)
    {
        using (var req = new TokenBridgeRequest(method, path))
        {
            if (json != null) req.SetJson(json);
            var resp = send(req);
            Equal(200, resp.Status, method + " " + path);
            return resp.Text;
        }
    }

    // About 40 kB of JSON (more than two TLS records) with what a layer rewriting tunnel bytes
    // breaks: UTF-8, escaped quotes and CR/LF, text that looks like HTTP. Compact with sorted
    // keys, as the sandbox writes it back in its echo.
    static string BigBody()
    {
        var sb = new StringBuilder("{\"n\":12345,\"text\":\"");
        for (int i = 0; i < 700; i++) sb.Append("ação € \\\"q\\\" \\r\\nPOST /x HTTP/1.1\\r\\nHost: y\\r\\n\\r\\n");
        return sb.Append("\"}").ToString();
    }

    // Logins and an authenticated call of each API through `proxy`.
    static void ThreeApisThrough(ProxyTarget t, string proxy)
    {
        var cfg = t.Config(proxy);
        using (var ya = new YativoClient(t.Base + "/yativo/api/v1", YaAccount, YaSecret, cfg))
        {
            Check(ya.Login().Token.Length > 0, t.Name + ": Yativo token");
            var body = SendText(ya.Send, "GET", "wallet/balance", null);
            Contains(body, "\"account_id\":\"" + YaAccount + "\"", t.Name + ": balance");
            Contains(body, EchoedHost(t.Host), t.Name + ": the Host the sandbox received");
        }
        using (var an = new AnnaClient(t.Base + "/anna/", AnCompany, AnUser, AnPass, cfg))
        {
            an.GetToken();
            var big = BigBody();
            var body = SendText(an.Send, "POST", "REST/AnnACorporate/Ping", big);
            Contains(body, "\"success\":true", t.Name + ": ping");
            Check(body.Contains(big), t.Name + ": the 40 kB body arrived unchanged");
            Contains(body, EchoedHost(t.Host), t.Name + ": AnnA Host");
            Check(an.GetMessengerAlertCounter(AnnaUser.ById("42")) > 0, t.Name + ": alert counter");
        }
        using (var uc = new UContactClient(t.Base + "/ucontact", UcUser, UcPassword, UContactLoginKind.ApiUser, cfg))
        {
            uc.GetUserToken();
            var body = SendText(uc.Send, "POST", "Integra/resources/Dialers/DialerTask", "{\"k\":\"v\"}");
            Contains(body, "\"user\":\"" + UcUser + "\"", t.Name + ": DialerTask");
            Contains(body, "\"received\":{\"k\":\"v\"}", t.Name + ": DialerTask body");
            Contains(body, EchoedHost(t.Host), t.Name + ": uContact Host");
            uc.EndSession();
        }
    }

    static void ProxyCarries(string proxyVariable, string usedLog, string otherLog)
    {
        foreach (var t in ProxyTargets())
        {
            var used = new LogMark(usedLog);
            var other = new LogMark(otherLog);
            var front = new LogMark("TB_LAB_HTTPS_LOG");
            ThreeApisThrough(t, Lab(proxyVariable));
            int tunnels, forwarded, connections, established;
            var saw = ProxySaw(used, t.Port, out tunnels, out forwarded, out connections, out established);
            Note(t.Name + ": the proxy saw " + saw);
            Check(tunnels + forwarded > 0, t.Name + ": the proxy carried nothing: " + saw);
            Check(connections >= 1 && connections <= 3, t.Name + ": one client connection per client at most: " + saw);
            Equal("", other.Since(), t.Name + ": the other proxy saw nothing");
            var lines = front.Since(t.Ca != null ? 8 : 0);
            if (t.Ca != null)
            {
                Equal(8, Count(lines, "\n"), t.Name + ": requests at the TLS front");
                Equal(8, Count(lines, " TLSv1."), t.Name + ": all over TLS");
            }
            else
            {
                Equal("", lines, t.Name + ": plain http never reaches the TLS front");
            }
        }
    }

    static void ProxyOpen()
    {
        ProxyCarries("TB_LAB_PROXY", "TB_LAB_PROXY_LOG", "TB_LAB_PROXY_AUTH_LOG");
    }

    static void ProxyBasicAuth()
    {
        ProxyCarries("TB_LAB_PROXY_AUTH", "TB_LAB_PROXY_AUTH_LOG", "TB_LAB_PROXY_LOG");
    }

    static void ProxyRefusals()
    {
        var proxy = Lab("TB_LAB_PROXY_AUTH_URL");
        var user = Lab("TB_LAB_PROXY_USER");
        var secrets = new List<string> { user, Lab("TB_LAB_PROXY_PASSWORD"), Lab("TB_LAB_PROXY_BAD_PASSWORD") };
        foreach (var p in new[] { Lab("TB_LAB_PROXY_PASSWORD"), Lab("TB_LAB_PROXY_BAD_PASSWORD") })
            secrets.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + p)));
        Equal("407", Lab("TB_LAB_PROXY_AUTH_NONE_STATUS"), "tinyproxy asks for credentials with a 407");
        var cases = new[] { new[] { proxy, Lab("TB_LAB_PROXY_AUTH_NONE_STATUS") }, new[] { Lab("TB_LAB_PROXY_AUTH_BAD"), Lab("TB_LAB_PROXY_AUTH_BAD_STATUS") } };
        foreach (var t in ProxyTargets())
        {
            foreach (var c in cases)
            {
                var log = new LogMark("TB_LAB_PROXY_AUTH_LOG");
                using (var ya = new YativoClient(t.Base + "/yativo/api/v1", YaAccount, YaSecret, t.Config(c[0])))
                {
                    var e = Fails(TokenBridgeStatus.Proxy, () => ya.Login(), t.Name + ", proxy answering " + c[1]);
                    Note(t.Name + ", " + c[1] + ": " + e.Message);
                    Contains(e.Message, proxy, "names the proxy");
                    Contains(e.Message, c[1], "says the proxy's status");
                    Equal(0, e.HttpStatus, "no HTTP answer from the server");
                    NoSecrets(e, secrets.ToArray());
                    Check(e.ToString().IndexOf(secrets[1], StringComparison.Ordinal) < 0, "ToString holds no password");
                }
                int tunnels, forwarded, connections, established;
                var saw = ProxySaw(log, t.Port, out tunnels, out forwarded, out connections, out established);
                Check(tunnels + forwarded == 1 && established == 0, t.Name + ": asked once, opened nothing: " + saw);
            }
        }
    }

    // The environment case runs in a child process of this program: the same runtime
    // (mono or dotnet) and Tests.exe with `--proxy-child BASE CA`, its environment changed
    // before it starts (the environment of a running runtime is not for changing).
    static readonly string[] ProxyVariables = { "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy" };

    static int ProxyChild(string baseUrl, string ca)
    {
        var t = new ProxyTarget("child", baseUrl, ca.Length > 0 ? ca : null);
        using (var ya = new YativoClient(t.Base + "/yativo/api/v1", YaAccount, YaSecret, t.Config(null)))
        {
            ya.Login();
            var body = SendText(ya.Send, "GET", "wallet/balance", null);
            if (body.Contains(EchoedHost(t.Host))) Console.WriteLine("CHILD-OK host=" + t.Host);
        }
        return 0;
    }

    static string RunProxyChild(ProxyTarget t, params string[] vars)
    {
        var self = System.Diagnostics.Process.GetCurrentProcess().MainModule.FileName; // mono or dotnet
        var exe = typeof(Tests).Assembly.Location;
        var psi = new System.Diagnostics.ProcessStartInfo(self, "\"" + exe + "\" --proxy-child \"" + t.Base + "\" \"" + (t.Ca ?? "") + "\"")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var v in ProxyVariables) psi.EnvironmentVariables.Remove(v);
        for (int i = 0; i < vars.Length; i += 2) psi.EnvironmentVariables[vars[i]] = vars[i + 1];
        using (var p = System.Diagnostics.Process.Start(psi))
        {
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(60000))
            {
                p.Kill();
                throw new TestFailure("the child did not end within 60 s");
            }
            Equal(0, p.ExitCode, "the child's exit status (stderr: " + err.Result + ")");
            return output;
        }
    }

    static void ProxyFromEnvironment()
    {
        var https = ProxyTargets()[0];
        var open = Lab("TB_LAB_PROXY");
        var cases = new[]
        {
            new { Vars = new[] { "HTTPS_PROXY", open }, Through = true },
            new { Vars = new[] { "https_proxy", open, "NO_PROXY", "127.0.0.1" }, Through = false },
            new { Vars = new[] { "HTTPS_PROXY", open, "no_proxy", "localhost,127.0.0.1" }, Through = false },
        };
        foreach (var c in cases)
        {
            var what = string.Join(" ", c.Vars);
            var log = new LogMark("TB_LAB_PROXY_LOG");
            var front = new LogMark("TB_LAB_HTTPS_LOG");
            var output = RunProxyChild(https, c.Vars);
            Contains(output, "CHILD-OK host=" + https.Host, what + ": the child's call");
            int tunnels, forwarded, connections, established;
            var saw = ProxySaw(log, https.Port, out tunnels, out forwarded, out connections, out established);
            Note(what + ": the proxy saw " + saw);
            if (c.Through)
                Check(connections == 1 && tunnels == 1 && established == 1, what + ": one tunnel: " + saw);
            else
                Equal("", log.Since(), what + ": NO_PROXY names 127.0.0.1, so the proxy sees nothing");
            Equal(2, Count(front.Since(2), " TLSv1."), what + ": login and call reached the TLS front");
        }
    }
}
