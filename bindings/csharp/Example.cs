using System;
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
            Console.WriteLine("chat for user 42: " + access.ChatUrl);

            foreach (MessengerRequest r in anna.GetMessengerRequests(AnnaUser.ByDocument("CPF", "12345678900")))
                Console.WriteLine("request " + r.Protocol + ": " + r.Description);

            ApiResponse balance = yativo.Call("GET", "/wallet/balance"); // any resource, same token cache
            Console.WriteLine("wallet balance: HTTP " + balance.Status + " " + balance.Body);

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
