using System;
using System.Threading;
using System.Threading.Tasks;
using TokenBridge;

class Example
{
    static void Main()
    {
        // The sandbox (`tokenbridge-sandbox`) prints its URL. With real servers,
        // pass their URLs and leave out SetAllowHttp / SetNoProxy.
        string sandbox = Environment.GetEnvironmentVariable("TOKENBRIDGE_SANDBOX_URL");

        using (var config = new TokenBridgeConfig().SetAllowHttp(true).SetNoProxy())
        using (var anna = new AnnaClient(sandbox + "/anna/", "COMPANYHASH", "annauser", "anna-pass", config))
        using (var yativo = new YativoClient(sandbox + "/yativo/api/v1", "acct-sandbox", "yativo-secret", config))
        {
            AccessData access = anna.UserHash("42"); // logs in first, then caches the token
            // The chat URL carries the user's access hash: hand it to the user, do not log it.
            Console.WriteLine("chat for user 42 at " + new Uri(access.ChatUrl).GetLeftPart(UriPartial.Path) + ", valid until " + access.Expires);

            var open = new MessengerFilter { Status = MessengerRequestStatus.Open, DateFrom = new DateTime(2024, 1, 1) };
            foreach (MessengerRequest r in anna.GetMessengerRequests(AnnaUser.ByDocument("CPF", "12345678900"), open))
                Console.WriteLine("request " + r.Protocol + ": " + r.Description + (r.Pending == true ? " (awaits an answer)" : ""));

            // Any other resource, with the same token cache: the generic call.
            using (var request = new TokenBridgeRequest("GET", "wallet/balance").AddHeader("Accept", "application/json"))
            {
                TokenBridgeResponse balance = yativo.Send(request);
                Console.WriteLine("wallet balance: HTTP " + balance.Status + " " + balance.Text);
            }

            // Every call has an ...Async form that a CancellationToken really cancels.
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                Task<MessengerStructure> structure = anna.GetMessengerStructureAsync(cts.Token);
                foreach (MessengerDepartment d in structure.Result.Departments)
                    Console.WriteLine("department " + d + ": " + d.Channels.Count + " channel(s)");
            }

            try
            {
                anna.UserHash("999");
            }
            catch (TokenBridgeException e) when (e.Status == TokenBridgeStatus.Rejected)
            {
                Console.WriteLine("AnnA said no: " + e.VendorMessage);
            }
        }
    }
}
