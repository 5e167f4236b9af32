//! Yativo webhooks end to end: the sandbox signs and POSTs a `payout.created` event
//! when a payout is carried out; a receiver on 127.0.0.1 (a real HTTP server)
//! checks it with `yativo::webhook::Verifier`. Every header form is accepted,
//! every tampered request refused with the error that names what is wrong, and
//! either secret of a rotation accepted. Every wait is bounded.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::server::{Reply, Seen, Server};
use serde_json::{json, Value};
use tokenbridge::sandbox::{client_config, Sandbox, Tamper, Webhook};
use tokenbridge::yativo::webhook::{Event, Malformed, Verifier, WebhookError};
use tokenbridge::{yativo, Method, Request};

const SECRET: &str = "whsec_sandbox-test-0123";
const OLD_SECRET: &str = "whsec_previous-4567";
const WAIT: Duration = Duration::from_secs(10);

/// A receiver that checks each request with `verifier` and answers 200 or 401,
/// like a real one (the sandbox records the status it got).
fn receiver(verifier: Verifier) -> Server {
    let verifier = Arc::new(verifier);
    Server::start(move |seen: &Seen| match verify(&verifier, seen) {
        Ok(_) => Reply::text(200, "ok"),
        Err(e) => Reply::text(401, &e.to_string()),
    })
}

fn verify(verifier: &Verifier, seen: &Seen) -> Result<Event, WebhookError> {
    verifier.verify(&seen.headers, &seen.body)
}

fn client(sb: &Sandbox) -> yativo::Client {
    yativo::Client::new(&sb.yativo_url(), sb.yativo_credentials(), &client_config()).unwrap()
}

/// One payout; its `data`.
fn payout(client: &yativo::Client, amount: &str) -> Value {
    client
        .send_data(
            &Request::new(Method::Post, "payouts")
                .json(json!({"amount": amount, "currency": "USD"})),
        )
        .unwrap()
}

/// The requests that came to `path`, waiting (bounded) until there are `n`.
fn arrived(server: &Server, n: usize) -> Vec<Seen> {
    assert!(
        server.wait_for(n, WAIT),
        "{n} webhooks within {WAIT:?}; got {}",
        server.seen().len()
    );
    server.seen()
}

fn by_path<'a>(seen: &'a [Seen], path: &str) -> &'a Seen {
    seen.iter()
        .find(|s| s.path == path)
        .unwrap_or_else(|| panic!("no webhook at {path}: {seen:?}"))
}

/// The sandbox's delivery records, once there are `n` (bounded wait).
fn deliveries(sb: &Sandbox, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let d = sb.webhook_deliveries();
        if d.len() >= n || Instant::now() >= deadline {
            assert_eq!(d.len(), n, "{d:#?}");
            return d;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_header_form_is_received_and_verified() {
    let sb = Sandbox::start();
    let rx = receiver(Verifier::new([SECRET]).unwrap());
    let forms = [
        ("X-Yativo-Signature", false),
        ("X-Yativo-Signature", true),
        ("X-Webhook-Signature", false),
        ("X-Webhook-Signature", true),
        ("Signature", false),
        ("Signature", true),
    ];
    for (i, (header, prefix)) in forms.iter().enumerate() {
        sb.add_webhook(
            Webhook::new(format!("{}/hook/{i}", rx.url()), SECRET)
                .header(*header)
                .prefix(*prefix),
        );
    }
    let c = client(&sb);
    let data = payout(&c, "12.34");
    let seen = arrived(&rx, forms.len());
    let verifier = Verifier::new([SECRET])
        .unwrap()
        .tolerance(Duration::from_secs(60));
    let mut ids = Vec::new();
    for (i, (header, prefix)) in forms.iter().enumerate() {
        let s = by_path(&seen, &format!("/hook/{i}"));
        let value = s
            .header(header)
            .unwrap_or_else(|| panic!("{header}: {s:?}"));
        assert_eq!(value.starts_with("sha256="), *prefix, "{value}");
        assert!(
            s.header("timestamp").is_some(),
            "the SDK's Timestamp header"
        );
        let event = verify(&verifier, s).unwrap();
        assert_eq!(event.event_type(), "payout.created");
        assert_eq!(event.secret_index(), Some(0));
        assert!(event.created_at().is_some());
        let sent: Value = serde_json::from_str(event.data().get()).unwrap();
        assert_eq!(sent, data, "the event's data is the payout");
        // The single-header form (what the C ABI takes) agrees.
        verifier
            .verify_header(header, value.as_bytes(), &s.body)
            .unwrap();
        ids.push(event.id().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), forms.len(), "each delivery is its own event");
    // The receiver answered 200 to each, and the sandbox recorded it.
    for d in deliveries(&sb, forms.len()) {
        assert_eq!(d["status"], 200, "{d}");
    }
    // A replayed payout (same Idempotency-Key) is not carried out again: no event.
    let again = Request::new(Method::Post, "payouts")
        .json(json!({"amount": "1.00", "currency": "USD"}))
        .idempotency_key("replay-1");
    c.send_data(&again).unwrap();
    arrived(&rx, 2 * forms.len());
    c.send_data(&again).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.seen().len(), 2 * forms.len());
}

#[test]
fn tampered_webhooks_are_refused_with_the_reason() {
    let sb = Sandbox::start();
    let rx = receiver(Verifier::new([SECRET]).unwrap());
    let cases = [
        (Tamper::Body, "body"),
        (Tamper::WrongSecret, "wrong"),
        (Tamper::Truncated, "truncated"),
        (Tamper::NonHex, "nonhex"),
        (Tamper::Empty, "empty"),
    ];
    for (tamper, path) in cases {
        for prefix in [false, true] {
            sb.add_webhook(
                Webhook::new(format!("{}/{path}/{prefix}", rx.url()), SECRET)
                    .header("X-Webhook-Signature")
                    .prefix(prefix)
                    .tamper(tamper),
            );
        }
    }
    payout(&client(&sb), "99.00");
    let seen = arrived(&rx, cases.len() * 2);
    let verifier = Verifier::new([SECRET]).unwrap();
    for prefix in [false, true] {
        let get = |path: &str| by_path(&seen, &format!("/{path}/{prefix}"));
        let refused = |path: &str| {
            let e = verify(&verifier, get(path)).unwrap_err();
            let text = e.to_string();
            assert!(!text.contains(SECRET), "{text}");
            (e, text)
        };
        let (e, text) = refused("body");
        assert_eq!(
            e,
            WebhookError::NoSecretMatched {
                header: "X-Webhook-Signature",
                secrets: 1
            }
        );
        assert!(
            text.contains("matches none of the 1 webhook secret(s): the body was changed"),
            "{text}"
        );
        // ...and it is the one-byte change that did it: the body is still an event.
        Event::from_body(&get("body").body).unwrap();
        let (e, _) = refused("wrong");
        assert!(matches!(e, WebhookError::NoSecretMatched { .. }), "{e:?}");
        let (e, text) = refused("truncated");
        assert_eq!(
            e,
            WebhookError::MalformedSignature {
                header: "X-Webhook-Signature",
                reason: Malformed::WrongLength { digits: 56 }
            }
        );
        assert!(
            text.contains("the `X-Webhook-Signature` header is not a hex HMAC-SHA256: it has 56 hex digits; an HMAC-SHA256 has 64"),
            "{text}"
        );
        let (e, text) = refused("nonhex");
        assert!(
            matches!(
                e,
                WebhookError::MalformedSignature {
                    reason: Malformed::NotHex { position: 10 },
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(text.contains("character 10 is not a hex digit"), "{text}");
        let (e, text) = refused("empty");
        assert!(
            matches!(
                e,
                WebhookError::MalformedSignature {
                    reason: Malformed::Empty,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            text.ends_with("header is not a hex HMAC-SHA256: it is empty"),
            "{text}"
        );
    }
    // The receiver said 401 to every one.
    for d in deliveries(&sb, cases.len() * 2) {
        assert_eq!(d["status"], 401, "{d}");
    }
    // A request with no signature header at all names the headers looked for.
    let bare = get_unsigned(&seen[0]);
    let e = verify(&verifier, &bare).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the request has no signature header (looked for X-Yativo-Signature, X-Webhook-Signature, Signature)"
    );
}

/// A received request with its signature headers taken away.
fn get_unsigned(seen: &Seen) -> Seen {
    let mut s = seen.clone();
    s.headers.retain(|(k, _)| !k.contains("signature"));
    s
}

#[test]
fn either_secret_is_accepted_during_a_rotation() {
    let sb = Sandbox::start();
    let rotating = Verifier::new([SECRET, OLD_SECRET]).unwrap();
    let rx = receiver(rotating.clone());
    sb.add_webhook(Webhook::new(format!("{}/old", rx.url()), OLD_SECRET).header("Signature"));
    sb.add_webhook(Webhook::new(format!("{}/new", rx.url()), SECRET).header("Signature"));
    sb.add_webhook(Webhook::new(format!("{}/gone", rx.url()), "whsec_retired").header("Signature"));
    payout(&client(&sb), "5");
    let seen = arrived(&rx, 3);
    let old = verify(&rotating, by_path(&seen, "/old")).unwrap();
    let new = verify(&rotating, by_path(&seen, "/new")).unwrap();
    assert_eq!((new.secret_index(), old.secret_index()), (Some(0), Some(1)));
    let e = verify(&rotating, by_path(&seen, "/gone")).unwrap_err();
    assert!(
        e.to_string()
            .contains("matches none of the 2 webhook secret(s)"),
        "{e}"
    );
    // Once the rotation is over, the old secret's requests are refused.
    let after = Verifier::new([SECRET]).unwrap();
    verify(&after, by_path(&seen, "/new")).unwrap();
    assert!(verify(&after, by_path(&seen, "/old")).is_err());
    let statuses: Vec<u64> = deliveries(&sb, 3)
        .iter()
        .map(|d| d["status"].as_u64().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
}

#[test]
fn delivery_is_bounded_and_never_holds_the_payout() {
    let sb = Sandbox::start();
    // A receiver that never answers, and a port nobody listens on.
    let silent = Server::start(|_: &Seen| Reply::Silent);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    sb.add_webhook(
        Webhook::new(format!("{}/slow", silent.url()), SECRET)
            .timeout(Duration::from_millis(3_000)),
    );
    sb.add_webhook(Webhook::new(closed_url, SECRET).timeout(Duration::from_millis(400)));
    let c = client(&sb);
    c.login().unwrap();
    let started = Instant::now();
    payout(&c, "1.00");
    let took = started.elapsed();
    assert!(
        took < Duration::from_millis(350),
        "the payout waited {took:?}"
    );
    let d = deliveries(&sb, 2);
    let slow = d
        .iter()
        .find(|d| d["url"].as_str().unwrap().ends_with("/slow"))
        .unwrap();
    assert_eq!(slow["error"], "timed out after 3000 ms", "{slow}");
    let elapsed = slow["elapsed_ms"].as_u64().unwrap();
    assert!((3_000..5_000).contains(&elapsed), "{slow}");
    assert!(silent.wait_for(1, WAIT), "the request was sent");
    let refused = d
        .iter()
        .find(|d| !d["url"].as_str().unwrap().ends_with("/slow"))
        .unwrap();
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .starts_with("cannot connect to 127.0.0.1:"),
        "{refused}"
    );
}

#[test]
fn the_control_endpoint_takes_subscriptions_over_http() {
    let sb = Sandbox::start();
    let rx = receiver(Verifier::new([SECRET]).unwrap());
    let control = format!("{}/__sandbox/webhooks", sb.url());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let post = |body: Value| {
        let mut r = agent
            .post(&control)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    let (status, text) = post(json!({"url": rx.url(), "secret": SECRET, "tamper": "everything"}));
    assert_eq!(status, 400);
    assert!(text.contains("field `tamper` `everything` must be one of none, body, wrong_secret, truncated, non_hex, empty"), "{text}");
    let (status, text) = post(json!({"url": "https://127.0.0.1:1/", "secret": SECRET}));
    assert_eq!(status, 400);
    assert!(text.contains("must start with http://"), "{text}");
    let (status, _) = post(json!({
        "url": format!("{}/json", rx.url()), "secret": SECRET,
        "header": "signature", "prefix": true, "times": 1,
    }));
    assert_eq!(status, 200);
    let listed = agent
        .get(&control)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(listed.contains("\"header\":\"signature\""), "{listed}");
    assert!(
        !listed.contains(SECRET),
        "the secret is not listed: {listed}"
    );
    let c = client(&sb);
    payout(&c, "3.00");
    let seen = arrived(&rx, 1);
    assert!(seen[0].header("signature").unwrap().starts_with("sha256="));
    verify(&Verifier::new([SECRET]).unwrap(), &seen[0]).unwrap();
    // `times: 1` is used up: the next payout sends nothing.
    payout(&c, "4.00");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.seen().len(), 1);
    // DELETE and reset clear subscriptions.
    post(json!({"url": format!("{}/json", rx.url()), "secret": SECRET}));
    let r = agent.delete(&control).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    sb.add_webhook(Webhook::new(format!("{}/json", rx.url()), SECRET));
    sb.reset();
    let c = client(&sb);
    payout(&c, "5.00");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.seen().len(), 1);
    assert!(sb.webhook_deliveries().is_empty());
}
