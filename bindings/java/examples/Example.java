import io.tokenbridge.*;

public class Example {
    public static void main(String[] args) {
        // The URL the sandbox printed (`tokenbridge-sandbox`); use your servers in production.
        String url = System.getenv("TOKENBRIDGE_SANDBOX_URL");

        try (Config config = new Config().allowHttp(true); // plain http: for the sandbox only
             YativoClient yativo = new YativoClient(config, url + "/yativo/api/v1", "acct-sandbox", "yativo-secret");
             AnnaClient anna = new AnnaClient(config, url + "/anna/", "COMPANYHASH", "annauser", "anna-pass")) {

            Token token = yativo.login();
            System.out.println("Yativo token expires at " + token.getExpiresAt());
            System.out.println("balance: HTTP " + yativo.call("GET", "wallet/balance", null).getStatus());

            AccessData access = anna.userHash("42", null);
            System.out.println("chat expires " + access.getExpires());
            long open = anna.messengerAlertCounter(AnnaUser.byId("42"),
                    new MessengerFilter().status(MessengerFilter.Status.OPEN));
            System.out.println("open requests: " + open);

            try {
                anna.userHash("999", null);
            } catch (TokenBridgeException e) {
                // REJECTED, with AnnA's own message
                System.out.println(e.getStatus() + ": " + e.getVendorMessage());
            }
        }
    }
}
