// What a .NET 8 user writes without the binding: one HttpClient over a SocketsHttpHandler
// (HTTP/1.1, no proxy), trusting only the test CA through the runtime's own chain policy
// (CustomRootTrust: the chain is built to that CA, the host name checked as usual), the
// body serialized per call with System.Text.Json, the answer deserialized and checked.
//   HttpClientBench.exe PORT N WARM CAFILE sync|async|cold NAME
// sync: HttpClient.Send; async: SendAsync awaited; cold: log in (GetToken), one call.
using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

public sealed class Filters
{
    public string departmentAlias { get; set; } = "";
    public string channelAlias { get; set; } = "";
    public string dataIni { get; set; } = "";
    public string dataFim { get; set; } = "";
    public string status { get; set; } = "";
    public string pendentes { get; set; } = "";
}

public sealed class AlertCounterRequest
{
    public string hash { get; set; }
    public string userId { get; set; }
    public string userDocType { get; set; } = "";
    public string userDocValue { get; set; } = "";
    public Filters messengerFilters { get; set; } = new Filters();
}

public sealed class AlertCounterAnswer
{
    public bool success { get; set; }
    public string message { get; set; }
    public long alertCounter { get; set; }
}

public sealed class LoginRequest
{
    public string hash { get; set; }
    public string user { get; set; }
    public string pass { get; set; }
}

public sealed class TokenData
{
    public string Token { get; set; }
    public string ExpiresIn { get; set; }
}

public sealed class LoginAnswer
{
    public bool success { get; set; }
    public TokenData data { get; set; }
}

static class HttpClientBench
{
    static HttpClient client;
    // JsonSerializer.Deserialize<T>(Stream, JsonSerializerOptions), bound once: Mono's
    // compiler (the only one here) cannot resolve Deserialize's ReadOnlySpan overloads, so
    // the call is made through a delegate to the very same method (a direct call in C# 8+).
    static readonly Func<Stream, JsonSerializerOptions, AlertCounterAnswer> ReadAnswer = Deserializer<AlertCounterAnswer>();
    static readonly Func<Stream, JsonSerializerOptions, LoginAnswer> ReadLogin = Deserializer<LoginAnswer>();

    static Func<Stream, JsonSerializerOptions, T> Deserializer<T>()
    {
        foreach (var m in typeof(JsonSerializer).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            var p = m.GetParameters();
            if (m.Name == "Deserialize" && m.IsGenericMethodDefinition && p.Length == 2
                && p[0].ParameterType == typeof(Stream) && p[1].ParameterType == typeof(JsonSerializerOptions))
                return (Func<Stream, JsonSerializerOptions, T>)m.MakeGenericMethod(typeof(T)).CreateDelegate(typeof(Func<Stream, JsonSerializerOptions, T>));
        }
        throw new MissingMethodException("JsonSerializer.Deserialize<T>(Stream, JsonSerializerOptions)");
    }
    static string baseUrl, alertCounterUrl;
    static string token;

    static int Main(string[] args)
    {
        string port = args[0], ca = args[3], mode = args[4];
        int n = Convert.ToInt32(args[1]), warm = Convert.ToInt32(args[2]);
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.ImportFromPemFile(ca);
        client = new HttpClient(handler)
        {
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        baseUrl = string.Format("https://127.0.0.1:{0}/anna/REST/", port); // (string + is out of Mono's reach here too)
        alertCounterUrl = string.Format("{0}AnnACorporate/Messenger/AlertCounter", baseUrl);
        if (mode == "cold")
        {
            token = Login();
            return Call() == 3 ? 0 : 1;
        }
        token = "bench-token";
        var lat = new long[n];
        long total;
        if (mode == "sync")
        {
            for (long i = 0, until = WarmUntil(warm); i < warm || Stopwatch.GetTimestamp() < until; i++) Check(Call());
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                long s = Stopwatch.GetTimestamp();
                Check(Call());
                lat[i] = Stopwatch.GetTimestamp() - s;
            }
            total = Stopwatch.GetTimestamp() - t0;
        }
        else if (mode == "async")
        {
            total = RunAsync(n, warm, lat).GetAwaiter().GetResult();
        }
        else throw new ArgumentException(string.Format("mode must be sync, async or cold, not {0}", mode));
        Stats.Report(args[5], lat, total);
        return 0;
    }

    static async Task<long> RunAsync(int n, int warm, long[] lat)
    {
        for (long i = 0, until = WarmUntil(warm); i < warm || Stopwatch.GetTimestamp() < until; i++) Check(await CallAsync());
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++)
        {
            long s = Stopwatch.GetTimestamp();
            Check(await CallAsync());
            lat[i] = Stopwatch.GetTimestamp() - s;
        }
        return Stopwatch.GetTimestamp() - t0;
    }

    static HttpRequestMessage Request()
    {
        var body = new AlertCounterRequest { hash = "COMPANYHASH", userId = "42" };
        var req = new HttpRequestMessage(HttpMethod.Post, alertCounterUrl)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return req;
    }

    static long Call()
    {
        using (var req = Request())
        using (var resp = client.Send(req))
        {
            resp.EnsureSuccessStatusCode();
            using (var s = resp.Content.ReadAsStream())
                return Answer(ReadAnswer(s, null));
        }
    }

    static async Task<long> CallAsync()
    {
        using (var req = Request())
        using (var resp = await client.SendAsync(req))
        {
            resp.EnsureSuccessStatusCode();
            using (var s = await resp.Content.ReadAsStreamAsync())
                return Answer(await JsonSerializer.DeserializeAsync<AlertCounterAnswer>(s));
        }
    }

    static long Answer(AlertCounterAnswer a)
    {
        if (a == null || !a.success) throw new Exception("AlertCounter did not succeed");
        return a.alertCounter;
    }

    static string Login()
    {
        var body = new LoginRequest { hash = "COMPANYHASH", user = "annauser", pass = "anna-pass" };
        using (var req = new HttpRequestMessage(HttpMethod.Post, string.Format("{0}Credentials/GetToken", baseUrl))
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        })
        using (var resp = client.Send(req))
        {
            resp.EnsureSuccessStatusCode();
            using (var s = resp.Content.ReadAsStream())
            {
                var a = ReadLogin(s, null);
                if (a == null || !a.success || a.data == null || string.IsNullOrEmpty(a.data.Token))
                    throw new Exception("GetToken did not succeed");
                return a.data.Token;
            }
        }
    }

    // The warm-up: WARM calls, and at least half a second when WARM > 0, so that .NET's
    // tiered JIT has moved the call path to tier 1 (it waits 100 ms, then recompiles in
    // the background) before the timed calls.
    static long WarmUntil(int warm)
    {
        return warm > 0 ? Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2 : 0;
    }

    static void Check(long count)
    {
        if (count != 3) throw new Exception(string.Format("alertCounter {0}, wanted 3", count));
    }
}
