//! The sandbox through the library's own clients and through raw HTTP (for what the
//! library never sends: a POST without `Idempotency-Key`, a stale token, the
//! control endpoint). Every wait is bounded.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::*;
use crate::{anna, ucontact, yativo, Body, ErrorKind, Method, Request};

#[derive(Debug)]
struct Raw {
    status: u16,
    body: String,
    headers: Vec<(String, String)>,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn try_raw(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Raw, ureq::Error> {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let a = agent();
    let mut response = if body.is_empty() {
        a.run(builder.body(()).unwrap())?
    } else {
        a.run(builder.body(body.to_vec()).unwrap())?
    };
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    Ok(Raw {
        status: response.status().as_u16(),
        body: response.body_mut().read_to_string().unwrap_or_default(),
        headers,
    })
}

fn raw(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Raw {
    try_raw(method, url, headers, body).unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

const JSON_CT: (&str, &str) = ("Content-Type", "application/json");

fn post_json(url: &str, body: &Value, headers: &[(&str, &str)]) -> Raw {
    let mut all = vec![JSON_CT];
    all.extend_from_slice(headers);
    raw("POST", url, &all, body.to_string().as_bytes())
}

/// `POST /__sandbox/faults` with this JSON; asserts `{"ok": true}`.
fn set_fault(sb: &Sandbox, fault: Value) {
    let r = post_json(&format!("{}/__sandbox/faults", sb.url()), &fault, &[]);
    assert_eq!((r.status, r.json()), (200, json!({"ok": true})), "{fault}");
}

fn ya_client(sb: &Sandbox) -> yativo::Client {
    yativo::Client::new(&sb.yativo_url(), sb.yativo_credentials(), &client_config()).unwrap()
}

fn ya_token_raw(sb: &Sandbox) -> String {
    let r = post_json(
        &format!("{}/auth/login", sb.yativo_url()),
        &json!({"account_id": "acct-sandbox", "app_secret": "yativo-secret"}),
        &[],
    );
    assert_eq!(r.status, 200, "{r:?}");
    r.json()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn payout(amount: &str) -> Request {
    Request::new(Method::Post, "payouts").json(json!({"amount": amount, "currency": "USD"}))
}

#[test]
fn one_client_uses_one_kept_alive_connection() {
    let sb = Sandbox::start();
    let client = ya_client(&sb);
    client.login().unwrap();
    for _ in 0..2 {
        let r = client
            .call(Method::Get, "wallet/balance", Body::None)
            .unwrap();
        assert_eq!(r.status, 200);
    }
    client.send_data(&payout("10.00")).unwrap();
    assert_eq!(sb.count("requests"), 4);
    assert_eq!(sb.count("connections"), 1, "{:?}", sb.stats());
    // Another client is another connection.
    ya_client(&sb).login().unwrap();
    assert_eq!(sb.count("connections"), 2);
}

#[test]
fn an_idle_connection_is_closed_and_the_client_opens_a_new_one() {
    let sb = Sandbox::start_with(SandboxOptions {
        idle_timeout: Duration::from_millis(300),
        ..Default::default()
    });
    let client = ya_client(&sb);
    client.login().unwrap();
    client
        .call(Method::Get, "wallet/balance", Body::None)
        .unwrap();
    assert_eq!(sb.count("connections"), 1);
    // Idle for longer than the timeout: the sandbox closes the connection, as a real
    // server does; the client notices at checkout and connects again.
    std::thread::sleep(Duration::from_millis(800));
    let r = client
        .call(Method::Get, "wallet/balance", Body::None)
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(sb.count("connections"), 2, "{:?}", sb.stats());
}

#[test]
fn a_post_without_idempotency_key_is_refused() {
    let sb = Sandbox::start();
    let url = format!("{}/payouts", sb.yativo_url());
    let body = json!({"amount": "10.00", "currency": "USD"});
    // The token is checked first.
    let r = post_json(&url, &body, &[]);
    assert_eq!(r.status, 401, "{r:?}");
    let token = format!("Bearer {}", ya_token_raw(&sb));
    let r = post_json(&url, &body, &[("Authorization", &token)]);
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        r.json(),
        json!({"status": "failed", "status_code": 400, "message": "Request failed.",
               "data": {"error": "Idempotency key missing"}})
    );
    assert_eq!(sb.count("yativo.payouts_executed"), 0);
    // With a key it goes through: 201.
    let r = post_json(
        &url,
        &body,
        &[("Authorization", &token), ("Idempotency-Key", "k1")],
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(
        r.json()["data"],
        json!({"id": "po_1", "amount": "10.00", "currency": "USD", "status": "pending"})
    );
}

#[test]
fn a_repeated_key_replays_the_first_answer_without_running_it_again() {
    let sb = Sandbox::start();
    let client = ya_client(&sb);
    let first = client
        .send_data(&payout("10.00").idempotency_key("order-4711"))
        .unwrap();
    let again = client
        .send_data(&payout("99.00").idempotency_key("order-4711"))
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(first["id"], "po_1");
    let other = client
        .send_data(&payout("5").idempotency_key("order-4712"))
        .unwrap();
    assert_eq!(other["id"], "po_2");
    assert_eq!(sb.count("yativo.payout"), 3);
    assert_eq!(sb.count("yativo.payouts_executed"), 2);

    // The replay is marked; the payout can be read back.
    let token = format!("Bearer {}", client.token().unwrap().access_token.expose());
    let r = post_json(
        &format!("{}/payouts", sb.yativo_url()),
        &json!({"amount": "1.00", "currency": "EUR"}),
        &[("Authorization", &token), ("Idempotency-Key", "order-4711")],
    );
    assert_eq!(
        (r.status, r.header("idempotent-replayed")),
        (201, Some("true"))
    );
    let got = client
        .send_data(&Request::new(Method::Get, "payouts/po_1"))
        .unwrap();
    assert_eq!(got, first);
    let e = client
        .send_data(&Request::new(Method::Get, "payouts/po_9"))
        .unwrap_err();
    assert_eq!(e.http_status(), Some(404), "{e}");
    let r = raw(
        "GET",
        &format!("{}/payouts/po_1", sb.yativo_url()),
        &[],
        b"",
    );
    assert_eq!(r.status, 401);
    assert_eq!(sb.count("yativo.getPayout"), 3);
}

#[test]
fn payout_validation_is_a_422_with_field_messages() {
    let sb = Sandbox::start();
    let client = ya_client(&sb);
    let e = client
        .send_data(
            &Request::new(Method::Post, "payouts").json(json!({"currency": "US", "amount": -1})),
        )
        .unwrap_err();
    assert_eq!(e.http_status(), Some(422), "{e}");
    let message = e.vendor_message().unwrap_or_default();
    assert!(
        message.contains("greater than 0") && message.contains("3-letter"),
        "{message}"
    );
    let token = format!("Bearer {}", client.token().unwrap().access_token.expose());
    let r = post_json(
        &format!("{}/payouts", sb.yativo_url()),
        &json!({"currency": "USD"}),
        &[("Authorization", &token), ("Idempotency-Key", "v1")],
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["data"],
        json!({"amount": ["The amount field is required."]})
    );
    // Login validation and refusal, in the same shape.
    let r = post_json(
        &format!("{}/auth/login", sb.yativo_url()),
        &json!({"app_secret": "x"}),
        &[],
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["data"],
        json!({"account_id": ["The account id field is required."]})
    );
    let bad = yativo::Client::new(
        &sb.yativo_url(),
        yativo::Credentials::new("acct-sandbox", "nope"),
        &client_config(),
    )
    .unwrap();
    let e = bad.login().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert_eq!(e.vendor_message(), Some("Invalid login credentials"));
    assert_eq!(sb.count("yativo.payouts_executed"), 0);
}

#[test]
fn a_refresh_revokes_the_old_token_at_once() {
    let sb = Sandbox::start();
    let client = ya_client(&sb);
    let old = client.login().unwrap();
    let new = client.refresh_token().unwrap();
    let balance = format!("{}/wallet/balance", sb.yativo_url());
    let r = raw(
        "GET",
        &balance,
        &[(
            "Authorization",
            &format!("Bearer {}", old.access_token.expose()),
        )],
        b"",
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        r.json()["data"]["error"],
        "Unauthorized: the token was replaced by a refresh"
    );
    let r = raw(
        "GET",
        &balance,
        &[(
            "Authorization",
            &format!("Bearer {}", new.access_token.expose()),
        )],
        b"",
    );
    assert_eq!(r.status, 200);
}

#[test]
fn a_status_fault_answers_once_then_the_real_answer() {
    let sb = Sandbox::start();
    let token = format!("Bearer {}", ya_token_raw(&sb));
    set_fault(
        &sb,
        json!({"path": "/yativo/api/v1/wallet", "method": "GET", "status": 503}),
    );
    let url = format!("{}/wallet/balance", sb.yativo_url());
    let r = raw("GET", &url, &[("Authorization", &token)], b"");
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["status"], "failed");
    assert!(r.json()["data"]["error"]
        .as_str()
        .unwrap()
        .contains("fault injected"));
    let r = raw("GET", &url, &[("Authorization", &token)], b"");
    assert_eq!(r.status, 200);
    assert_eq!(sb.count("yativo.call"), 2);

    // `times: 0` lasts until cleared; `DELETE` clears.
    set_fault(&sb, json!({"path": "/anna/", "status": 502, "times": 0}));
    for _ in 0..3 {
        let r = post_json(
            &format!("{}REST/Credentials/GetToken", sb.anna_url()),
            &json!({}),
            &[],
        );
        assert_eq!(r.status, 502);
        assert_eq!(r.json()["success"], false);
    }
    let r = raw(
        "DELETE",
        &format!("{}/__sandbox/faults", sb.url()),
        &[],
        b"",
    );
    assert_eq!(r.status, 200);
    anna::Client::new(&sb.anna_url(), sb.anna_credentials(), &client_config())
        .unwrap()
        .get_token()
        .unwrap();
}

#[test]
fn an_after_fault_acts_then_loses_the_answer_and_the_retry_replays() {
    let sb = Sandbox::start();
    set_fault(
        &sb,
        json!({"path": "/yativo/api/v1/payouts", "method": "POST", "status": 503, "after": true}),
    );
    let client = ya_client(&sb);
    let request = payout("25.00").idempotency_key("lost-answer");
    let e = client.send_data(&request).unwrap_err();
    assert_eq!(e.http_status(), Some(503), "{e}");
    assert_eq!(sb.count("yativo.payouts_executed"), 1);
    // The caller retries with the same key: the kept answer, not a second payout.
    let data = client.send_data(&request).unwrap();
    assert_eq!(data["id"], "po_1");
    assert_eq!(sb.count("yativo.payout"), 2);
    assert_eq!(sb.count("yativo.payouts_executed"), 1);
}

#[test]
fn a_delay_fault_waits() {
    let sb = Sandbox::start();
    set_fault(
        &sb,
        json!({"path": "/anna/REST/Credentials", "delay_ms": 300}),
    );
    let client =
        anna::Client::new(&sb.anna_url(), sb.anna_credentials(), &client_config()).unwrap();
    let t = Instant::now();
    client.get_token().unwrap();
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(300), "{took:?}");
    let t = Instant::now();
    client.get_token().unwrap();
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[test]
fn a_reset_fault_closes_the_connection_without_answering() {
    let sb = Sandbox::start();
    set_fault(&sb, json!({"path": "/ucontact", "reset": true}));
    let client = ucontact::Client::new(
        &sb.ucontact_url(),
        sb.ucontact_credentials(),
        &client_config(),
    )
    .unwrap();
    let e = client.get_user_token().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Transport(_)), "{e}");
    assert_eq!(sb.count("ucontact.getUserToken"), 1);
    client.get_user_token().unwrap();

    // With `after`, the operation ran: the session exists though the answer was lost.
    set_fault(
        &sb,
        json!({"path": "/yativo/api/v1/payouts", "reset": true, "after": true}),
    );
    let ya = ya_client(&sb);
    assert!(ya.send_data(&payout("1").idempotency_key("r1")).is_err());
    assert_eq!(sb.count("yativo.payouts_executed"), 1);
    assert_eq!(
        ya.send_data(&payout("1").idempotency_key("r1")).unwrap()["id"],
        "po_1"
    );
}

#[test]
fn an_expire_tokens_fault_makes_the_next_call_a_401() {
    let sb = Sandbox::start();
    let client = ya_client(&sb);
    let token = client.login().unwrap();
    set_fault(&sb, json!({"path": "/yativo", "expire_tokens": true}));
    // The client gets the 401, cannot refresh an expired token, logs in again.
    let r = client
        .call(Method::Get, "wallet/balance", Body::None)
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(sb.count("yativo.login"), 2);
    let r = raw(
        "GET",
        &format!("{}/wallet/balance", sb.yativo_url()),
        &[(
            "Authorization",
            &format!("Bearer {}", token.access_token.expose()),
        )],
        b"",
    );
    assert_eq!(r.status, 401);
    assert!(r.body.contains("expired"), "{}", r.body);
}

#[test]
fn the_control_endpoint_checks_what_it_is_sent() {
    let sb = Sandbox::start();
    let faults = format!("{}/__sandbox/faults", sb.url());
    let r = post_json(&faults, &json!({"path": "/yativo", "status": "503"}), &[]);
    assert_eq!(r.status, 400);
    assert!(
        r.json()["message"].as_str().unwrap().contains("`status`"),
        "{}",
        r.body
    );
    let r = raw("POST", &faults, &[JSON_CT], b"{nope");
    assert!(
        r.status == 400 && r.body.contains("not valid JSON"),
        "{r:?}"
    );
    let r = raw("GET", &faults, &[], b"");
    assert!(
        r.status == 405 && r.body.contains("takes POST or DELETE"),
        "{r:?}"
    );
    let r = raw("POST", &format!("{}/__sandbox/stats", sb.url()), &[], b"");
    assert_eq!(r.status, 405);
    let r = raw("GET", &format!("{}/__sandbox/nothing", sb.url()), &[], b"");
    assert_eq!(r.status, 404);
    // Control requests are not counted.
    let stats = raw("GET", &format!("{}/__sandbox/stats", sb.url()), &[], b"").json();
    assert_eq!(stats["requests"], 0);
    assert_eq!(stats["yativo.payouts_executed"], 0);
    assert_eq!(stats.as_object().unwrap().len(), sb.stats().len());
}

#[test]
fn reset_forgets_everything() {
    let sb = Sandbox::start();
    let ya = ya_client(&sb);
    let token = ya.login().unwrap();
    ya.send_data(&payout("3").idempotency_key("once")).unwrap();
    let an = anna::Client::new(&sb.anna_url(), sb.anna_credentials(), &client_config()).unwrap();
    an.inactivate_user("42").unwrap();
    sb.set_fault(Fault::new("/ucontact").status(500));
    sb.reset();
    assert!(sb.stats().values().all(|v| *v == 0), "{:?}", sb.stats());
    let r = raw(
        "GET",
        &format!("{}/wallet/balance", sb.yativo_url()),
        &[(
            "Authorization",
            &format!("Bearer {}", token.access_token.expose()),
        )],
        b"",
    );
    assert_eq!(r.status, 401);
    assert!(r.body.contains("unknown token"), "{}", r.body);
    // The key is forgotten: a new payout, po_1 again.
    assert_eq!(
        ya.send_data(&payout("3").idempotency_key("once")).unwrap()["id"],
        "po_1"
    );
    an.user_hash("42", None).unwrap();
    ucontact::Client::new(
        &sb.ucontact_url(),
        sb.ucontact_credentials(),
        &client_config(),
    )
    .unwrap()
    .get_user_token()
    .unwrap();
    // The same over HTTP.
    let r = raw("POST", &format!("{}/__sandbox/reset", sb.url()), &[], b"");
    assert_eq!((r.status, r.json()), (200, json!({"ok": true})));
    assert_eq!(sb.count("yativo.login"), 0);
}

#[test]
fn ucontact_user_token_is_an_array_by_default_or_a_string() {
    let sb = Sandbox::start();
    let url = format!("{}/Integra/resources/auth/getUserToken", sb.ucontact_url());
    let form = ("Content-Type", "application/x-www-form-urlencoded");
    let body = b"user=apiuser&password=s3cret%26%3D%2B+%C3%A9";
    let v = raw("POST", &url, &[form], body).json();
    let items = v.as_array().unwrap();
    assert_eq!(
        (items.len(), &items[0], &items[1]),
        (3, &json!("OK"), &json!("apiuser"))
    );
    let client = ucontact::Client::new(
        &sb.ucontact_url(),
        sb.ucontact_credentials(),
        &client_config(),
    )
    .unwrap();
    let token = client.get_user_token().unwrap();
    // The library took the last element; it opens the protected resource.
    let r = raw(
        "POST",
        &format!("{}/Integra/resources/Dialers/DialerTask", sb.ucontact_url()),
        &[("Authorization", &format!("Basic {}", token.expose()))],
        b"",
    );
    assert_eq!(r.status, 200, "{r:?}");

    let sb = Sandbox::start_with(SandboxOptions {
        ucontact_token_as_array: false,
        ..Default::default()
    });
    let url = format!("{}/Integra/resources/auth/getUserToken", sb.ucontact_url());
    assert!(raw("POST", &url, &[form], body).json().is_string());
}

/// Sends one request on `stream` and reads one response (headers and a body of
/// `Content-Length` bytes).
fn exchange(stream: &mut TcpStream, request: &[u8]) -> String {
    stream.write_all(request).unwrap();
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed early: {got:?}");
        got.push(byte[0]);
    }
    let head = String::from_utf8(got).unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("Content-Length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    head + &String::from_utf8(body).unwrap()
}

#[test]
fn chunked_bodies_keep_alive_and_a_prompt_stop() {
    let sb = Sandbox::start();
    let mut stream = TcpStream::connect(("127.0.0.1", sb.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let json = br#"{"account_id":"acct-sandbox","app_secret":"yativo-secret"}"#;
    let mut request = format!(
        "POST /yativo/api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        json.len()
    )
    .into_bytes();
    request.extend_from_slice(json);
    request.extend_from_slice(b"\r\n0\r\n\r\n");
    let answer = exchange(&mut stream, &request);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "{answer}"
    );
    let stats = b"GET /yativo/api/v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n";
    let answer = exchange(&mut stream, stats);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert_eq!(sb.count("connections"), 1);
    assert_eq!(sb.count("requests"), 2);

    // Dropping the sandbox closes the idle connection and returns promptly.
    let t = Instant::now();
    drop(sb);
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
    let mut rest = Vec::new();
    let n = stream.read_to_end(&mut rest).unwrap_or(0);
    assert_eq!(n, 0, "{rest:?}");
}

#[test]
fn a_stopper_ends_wait_and_a_taken_address_is_named() {
    let sb = Sandbox::start();
    let stopper = sb.stopper();
    assert!(!stopper.is_stopped());
    let t = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(100));
            stopper.stop();
        });
        sb.wait();
    });
    assert!(t.elapsed() < Duration::from_secs(5));
    assert!(stopper.is_stopped());
    // Stopped: no more answers.
    assert!(try_raw("GET", &format!("{}/__sandbox/stats", sb.url()), &[], b"").is_err());

    let a = Sandbox::start();
    let e = Sandbox::try_start_with(SandboxOptions {
        listen: format!("127.0.0.1:{}", a.port()).parse().unwrap(),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.contains(&format!("127.0.0.1:{}", a.port())), "{e}");
}

#[test]
fn the_anna_and_ucontact_behaviour_is_kept() {
    let sb = Sandbox::start();
    let an = anna::Client::new(&sb.anna_url(), sb.anna_credentials(), &client_config()).unwrap();
    let e = an.user_hash("7", None).unwrap_err();
    assert!(
        e.vendor_message().unwrap().contains("@7 is inactive."),
        "{e}"
    );
    let e = an.user_hash("999", None).unwrap_err();
    assert!(
        e.vendor_message().unwrap().contains("@999 not found."),
        "{e}"
    );
    let access = an.user_hash("42", None).unwrap();
    let page = raw("GET", &access.chat_url, &[], b"");
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let uc = ucontact::Client::new(
        &sb.ucontact_url(),
        ucontact::Credentials::api_user("apiuser", "wrong"),
        &client_config(),
    )
    .unwrap();
    let e = uc.get_user_token().unwrap_err();
    assert_eq!(e.http_status(), Some(200), "{e}");
    let r = raw("PUT", &format!("{}/x", sb.ucontact_url()), &[], b"");
    assert!(
        r.status == 404 && r.body.contains("no PUT /ucontact/x"),
        "{r:?}"
    );
    let r = raw("GET", &format!("{}/payouts", sb.yativo_url()), &[], b"");
    assert!(
        r.status == 405 && r.body.contains("takes POST, not GET"),
        "{r:?}"
    );
}

#[test]
fn the_generic_resources_echo_method_query_and_headers_but_never_credentials() {
    let sb = Sandbox::start();
    let request = |method, path: &str| {
        Request::new(method, path)
            .query("currency", "USD")
            .query("note", "a b&c")
            .header("X-Request-Id", "req-7")
    };
    let expect = |echo: &Value, method: &str| {
        assert_eq!(echo["method"], method, "{echo}");
        assert_eq!(
            echo["query"],
            json!([["currency", "USD"], ["note", "a b&c"]]),
            "{echo}"
        );
        let headers = echo["headers"].as_array().unwrap();
        assert!(
            headers.contains(&json!(["x-request-id", "req-7"])),
            "{echo}"
        );
        assert!(
            !echo
                .to_string()
                .to_ascii_lowercase()
                .contains("authorization"),
            "{echo}"
        );
    };
    let ya = ya_client(&sb);
    let r = ya.send(&request(Method::Get, "wallet/balance")).unwrap();
    expect(&r.json().unwrap()["data"]["echo"], "GET");

    let an = anna::Client::new(&sb.anna_url(), sb.anna_credentials(), &client_config()).unwrap();
    let r = an
        .send(&request(Method::Post, "REST/AnnACorporate/Ping"))
        .unwrap();
    expect(&r.json().unwrap()["data"]["echo"], "POST");

    let uc = ucontact::Client::new(
        &sb.ucontact_url(),
        sb.ucontact_credentials(),
        &client_config(),
    )
    .unwrap();
    let r = uc
        .send(&request(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
        ))
        .unwrap();
    let body = r.json().unwrap();
    expect(&body["echo"], "POST");
    assert!(!body
        .to_string()
        .contains(sb.ucontact_credentials().password.expose()));
}

/// tiny_http's thread pool can give two connections arriving at once to one thread,
/// leaving the second unanswered while the first stays open; the accept loop paces
/// new connections against it. 16 threads keep 16 connections alive through one
/// client (as the C concurrency test does): every call is answered, none waits for
/// the receive timeout. (Before the pacing, 5 runs in 8 of the C test lost a call.)
#[test]
fn sixteen_threads_keeping_connections_alive_are_all_answered() {
    let sb = Sandbox::start();
    for round in 0..3 {
        let client = yativo::Client::new(
            &sb.yativo_url(),
            sb.yativo_credentials(),
            &client_config().timeout_receive(Duration::from_secs(3)),
        )
        .unwrap();
        client.login().unwrap();
        let started = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    for i in 0..30 {
                        let r = client.call(Method::Get, "wallet/balance", Body::None);
                        assert_eq!(
                            r.map(|r| r.status).ok(),
                            Some(200),
                            "round {round}, call {i}"
                        );
                    }
                });
            }
        });
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "round {round}: {:?}",
            started.elapsed()
        );
    }
}
