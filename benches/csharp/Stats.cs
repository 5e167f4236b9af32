// Latency bookkeeping shared by the C# benchmark clients: the RESULT line of
// benches/c/stats.h (p50 = sorted[n/2], p99 = sorted[n*99/100]), from Stopwatch ticks.
using System;
using System.Diagnostics;
using System.Globalization;

static class Stats
{
    public static void Report(string name, long[] ticks, long totalTicks)
    {
        Array.Sort(ticks);
        int n = ticks.Length;
        double f = 1e6 / Stopwatch.Frequency; // ticks → µs
        double secs = totalTicks / (double)Stopwatch.Frequency;
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "RESULT {0} {1} {2:F4} {3:F1} {4:F2} {5:F2}",
            name, n, secs, n / secs, ticks[n / 2] * f, ticks[(n * 99) / 100] * f));
    }
}
