import io.tokenbridge.*;

import java.time.Duration;
import java.time.LocalDate;

public class Example {
    public static void main(String[] args) throws Exception {
        // The URL the sandbox printed (`tokenbridge-sandbox`); use your servers in production.
        String url = System.getenv("TOKENBRIDGE_SANDBOX_URL");

        try (Config config = new Config().allowHttp(true); // plain http: for the sandbox only
             YativoClient yativo = new YativoClient(config, url + "/yativo/api/v1", "acct-sandbox", "yativo-secret");
             AnnaClient anna = new AnnaClient(config, url + "/anna/", "COMPANYHASH", "annauser", "anna-pass")) {

            Token token = yativo.login();
            System.out.println("Yativo token expires at " + token.getExpiresAt());
            Response balance = yativo.withTimeout(Duration.ofSeconds(5))
                    .send(new Request("GET", "wallet/balance").query("currency", "USD"));
            System.out.println("balance: HTTP " + balance.getStatus() + ", " + balance.getText().length() + " bytes");

            AccessData access = anna.userHash("42", null);
            System.out.println("chat expires " + access.getExpires() + " (server time)");
            for (MessengerStructure.Department d : anna.messengerStructure().getDepartments()) {
                System.out.println("department " + d.getAlias() + ": " + d.getChannels());
            }
            MessengerFilter open = new MessengerFilter().status(MessengerStatus.OPEN)
                    .dateFrom(LocalDate.of(2024, 1, 1));
            System.out.println("open requests awaiting an answer: "
                    + anna.messengerAlertCounter(AnnaUser.byId("42"), open));
            for (MessengerRequest r : anna.messengerRequestsAsync(AnnaUser.byId("42"), open).get()) {
                System.out.println(r.getProtocol() + " " + r.getDescription() + " pending=" + r.getPending().orElse(null));
            }

            try {
                anna.userHash("999", null);
            } catch (TokenBridgeException e) {
                // REJECTED, with AnnA's own message
                System.out.println(e.getStatus() + ": " + e.getVendorMessage());
            }
        }
    }
}
