// The AnnA AlertCounter call through the C# binding, with a cached token, trusting the
// test CA through the binding's extra CA setting (as benches/c/abi_client.c does).
//   TokenBridgeBench.exe PORT N WARM CAFILE sync|async|cold NAME
// sync/async: the token set once (SetToken), WARM uncounted calls, then N timed calls
// (GetMessengerAlertCounter or its Async form awaited), one RESULT line.
// cold: log in (GetToken against nginx) and make one call; exit 0 when the answer is 3.
using System;
using System.Diagnostics;
using System.Threading.Tasks;
using TokenBridge;

static class TokenBridgeBench
{
    static int Main(string[] args)
    {
        string port = args[0], ca = args[3], mode = args[4];
        int n = Convert.ToInt32(args[1]), warm = Convert.ToInt32(args[2]);
        var cfg = new TokenBridgeConfig().SetNoProxy().SetRetries(0, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)).SetExtraCaFile(ca);
        using (var c = new AnnaClient("https://127.0.0.1:" + port + "/anna/", "COMPANYHASH", "annauser", "anna-pass", cfg))
        {
            cfg.Dispose();
            var user = AnnaUser.ById("42");
            if (mode == "cold")
                return c.GetMessengerAlertCounter(user) == 3 ? 0 : 1;
            c.SetToken("bench-token", DateTimeOffset.UtcNow.AddDays(1));
            var lat = new long[n];
            long total;
            if (mode == "sync")
            {
                for (long i = 0, until = WarmUntil(warm); i < warm || Stopwatch.GetTimestamp() < until; i++) Check(c.GetMessengerAlertCounter(user));
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++)
                {
                    long s = Stopwatch.GetTimestamp();
                    Check(c.GetMessengerAlertCounter(user));
                    lat[i] = Stopwatch.GetTimestamp() - s;
                }
                total = Stopwatch.GetTimestamp() - t0;
            }
            else if (mode == "async")
            {
                total = RunAsync(c, user, n, warm, lat).GetAwaiter().GetResult();
            }
            else throw new ArgumentException("mode must be sync, async or cold, not " + mode);
            Stats.Report(args[5], lat, total);
        }
        return 0;
    }

    static async Task<long> RunAsync(AnnaClient c, AnnaUser user, int n, int warm, long[] lat)
    {
        for (long i = 0, until = WarmUntil(warm); i < warm || Stopwatch.GetTimestamp() < until; i++) Check(await c.GetMessengerAlertCounterAsync(user));
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++)
        {
            long s = Stopwatch.GetTimestamp();
            Check(await c.GetMessengerAlertCounterAsync(user));
            lat[i] = Stopwatch.GetTimestamp() - s;
        }
        return Stopwatch.GetTimestamp() - t0;
    }

    // The warm-up: WARM calls, and at least half a second when WARM > 0, so that .NET's
    // tiered JIT has moved the call path to tier 1 (it waits 100 ms, then recompiles in
    // the background) before the timed calls.
    static long WarmUntil(int warm)
    {
        return warm > 0 ? Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2 : 0;
    }

    static void Check(ulong count)
    {
        if (count != 3) throw new Exception("alertCounter " + count + ", wanted 3");
    }
}
