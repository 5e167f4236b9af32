//! The core's generic request, Yativo's Idempotency-Key and error envelope, the
//! rule never to repeat what may have happened, connection reuse, deadlines,
//! cancellation and the errors that point the right way — all against a local
//! server that keeps connections alive the way real servers do.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::server::{Reply, Seen, Server};
use serde_json::json;
use tokenbridge::{
    anna, ucontact, yativo, Body, CallOptions, CancelToken, Config, Error, ErrorKind, Method,
    ProxySetting, Request, RetryPolicy, TransportKind,
};

const SECRET: &str = "app-s3cret-value";

fn config(retries: u32) -> Config {
    Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .retry(RetryPolicy {
            max_retries: retries,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        })
}

fn yativo_client(server: &Server, retries: u32) -> yativo::Client {
    yativo::Client::new(
        &server.url(),
        yativo::Credentials::new("acct-1", SECRET),
        &config(retries),
    )
    .unwrap()
}

fn ok(data: serde_json::Value) -> Reply {
    Reply::json(
        200,
        json!({"status": "success", "status_code": 200, "message": "ok", "data": data}),
    )
}

fn failed(status: u16, data: serde_json::Value) -> Reply {
    Reply::json(
        status,
        json!({"status": "failed", "status_code": status, "message": "Request failed.", "data": data}),
    )
}

/// A Yativo as its backend behaves: logins, and payouts that need an
/// Idempotency-Key, run once per key and replay the first answer for a repeat.
/// `script` may replace the answer of the n-th payout request (1-based) after the
/// payout ran ("acted, then the gateway lost the answer") or before ("refused").
struct FakeYativo {
    executed: Mutex<Vec<String>>,
    answers: Mutex<HashMap<String, serde_json::Value>>,
    payout_requests: AtomicUsize,
}

#[derive(Clone, Copy)]
enum Script {
    None,
    /// The first payout request gets this status without the payout running.
    RefuseFirst(u16),
    /// The first payout request runs the payout, then gets this status.
    ActThenFail(u16),
}

fn fake_yativo(script: Script) -> (Server, Arc<FakeYativo>) {
    let state = Arc::new(FakeYativo {
        executed: Mutex::new(Vec::new()),
        answers: Mutex::new(HashMap::new()),
        payout_requests: AtomicUsize::new(0),
    });
    let st = state.clone();
    let server = Server::start(move |seen: &Seen| {
        match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/auth/login") => {
                let body = seen.json();
                if body["app_secret"] == SECRET {
                    ok(json!({"access_token": "tok-1", "token_type": "bearer", "expires_in": 600}))
                } else {
                    failed(401, json!({"error": "Invalid login credentials"}))
                }
            }
            ("POST", "/payouts") => {
                if seen.header("authorization") != Some("Bearer tok-1") {
                    return failed(401, json!({"error": "Unauthenticated."}));
                }
                let Some(key) = seen.header("idempotency-key").map(str::to_owned) else {
                    return failed(400, json!({"error": "Idempotency key missing"}));
                };
                let n = st.payout_requests.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(first) = st.answers.lock().unwrap().get(&key) {
                    return Reply::json(200, first.clone());
                }
                let body = seen.json();
                if body.get("amount").is_none() {
                    return failed(422, json!({"amount": ["The amount field is required."]}));
                }
                match script {
                    Script::RefuseFirst(status) if n == 1 => {
                        return failed(status, json!({"error": "try again"}))
                    }
                    _ => {}
                }
                st.executed.lock().unwrap().push(key.clone());
                let answer = json!({"status": "success", "status_code": 200, "message": "ok",
                                "data": {"id": format!("po-{n}"), "amount": body["amount"]}});
                st.answers.lock().unwrap().insert(key, answer.clone());
                match script {
                    Script::ActThenFail(status) if n == 1 => {
                        Reply::json(status, json!({"message": "gateway timeout"}))
                    }
                    _ => Reply::json(200, answer),
                }
            }
            _ => Reply::text(404, "no such route"),
        }
    });
    (server, state)
}

fn payout() -> Request {
    Request::new(Method::Post, "payouts").json(json!({"amount": "10.00", "currency": "USD"}))
}

fn payout_requests(server: &Server) -> Vec<Seen> {
    server
        .seen()
        .into_iter()
        .filter(|s| s.path == "/payouts")
        .collect()
}

#[test]
fn a_yativo_post_carries_a_fresh_uuid_v4_idempotency_key_per_call() {
    let (server, state) = fake_yativo(Script::None);
    let client = yativo_client(&server, 2);
    let a = client.send_data(&payout()).unwrap();
    let b = client.send_data(&payout()).unwrap();
    assert_ne!(a["id"], b["id"], "two calls are two payouts");
    let seen = payout_requests(&server);
    assert_eq!(seen.len(), 2);
    let keys: Vec<&str> = seen
        .iter()
        .map(|s| s.header("idempotency-key").expect("every POST has a key"))
        .collect();
    assert_ne!(keys[0], keys[1], "a fresh key per call");
    for k in &keys {
        let u = uuid::Uuid::parse_str(k).unwrap();
        assert_eq!(u.get_version_num(), 4, "{k}");
    }
    assert_eq!(state.executed.lock().unwrap().len(), 2);
    // The login is a POST too, and carries a key.
    let login = server
        .seen()
        .into_iter()
        .find(|s| s.path == "/auth/login")
        .unwrap();
    assert!(login.header("idempotency-key").is_some());
}

#[test]
fn the_callers_key_is_sent_as_given() {
    let (server, _) = fake_yativo(Script::None);
    let client = yativo_client(&server, 0);
    client
        .send_data(&payout().idempotency_key("order-4711"))
        .unwrap();
    assert_eq!(
        payout_requests(&server)[0].header("idempotency-key"),
        Some("order-4711")
    );
}

#[test]
fn the_same_key_on_the_retry_after_a_503() {
    let (server, state) = fake_yativo(Script::RefuseFirst(503));
    let client = yativo_client(&server, 2);
    let data = client.send_data(&payout()).unwrap();
    assert_eq!(data["amount"], "10.00");
    let seen = payout_requests(&server);
    assert_eq!(seen.len(), 2, "retried once");
    assert_eq!(
        seen[0].header("idempotency-key"),
        seen[1].header("idempotency-key")
    );
    assert_eq!(state.executed.lock().unwrap().len(), 1);
}

#[test]
fn a_504_after_the_server_acted_is_retried_with_the_same_key_and_runs_once() {
    let (server, state) = fake_yativo(Script::ActThenFail(504));
    let client = yativo_client(&server, 2);
    let data = client.send_data(&payout()).unwrap();
    assert_eq!(data["id"], "po-1", "the replayed first answer");
    let seen = payout_requests(&server);
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[0].header("idempotency-key"),
        seen[1].header("idempotency-key")
    );
    assert_eq!(state.executed.lock().unwrap().len(), 1, "executed once");
}

#[test]
fn a_keyless_generic_post_is_not_resent_after_a_503() {
    let server = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/Integra/resources/auth/getUserToken" => Reply::json(200, json!("dG9rZW4=")),
        _ => Reply::text(503, "busy"),
    });
    let client = ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user("u", "pw-secret"),
        &config(3).end_session_on_close(false),
    )
    .unwrap();
    let answer = client
        .send(
            &Request::new(Method::Post, "Integra/resources/Dialers/DialerTask")
                .form([("call", "{}")]),
        )
        .unwrap();
    assert_eq!(answer.status, 503);
    let posts = server
        .seen()
        .into_iter()
        .filter(|s| s.path.ends_with("DialerTask"))
        .count();
    assert_eq!(posts, 1, "a POST without a key is sent once");
    // With a key it is retried.
    client
        .send(
            &Request::new(Method::Post, "Integra/resources/Dialers/DialerTask")
                .form([("call", "{}")])
                .idempotency_key("k-1"),
        )
        .unwrap();
    let posts = server
        .seen()
        .into_iter()
        .filter(|s| s.path.ends_with("DialerTask"))
        .count();
    assert_eq!(posts, 1 + 4, "with a key: first attempt and 3 retries");
}

#[test]
fn a_keyless_post_reset_after_sending_says_it_was_not_retried() {
    let server = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/REST/Credentials/GetToken" => Reply::json(
            200,
            json!({"success": true, "message": "", "data": {"Token": "tok", "ExpiresIn": "3600"}}),
        ),
        _ => Reply::Reset,
    });
    let client = anna::Client::new(
        &server.url(),
        anna::Credentials::new("HASH-123", "user", "pass-secret"),
        &config(3),
    )
    .unwrap();
    let err = client
        .send(&Request::new(Method::Post, "REST/Other/Thing").json(json!({})))
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Reset),
        "{err}"
    );
    assert!(err.to_string().contains("not retried"), "{err}");
    assert!(err.to_string().contains("Idempotency-Key"), "{err}");
    let tries = server
        .seen()
        .iter()
        .filter(|s| s.path == "/REST/Other/Thing")
        .count();
    assert_eq!(tries, 1);
}

#[test]
fn yativo_login_401_and_422_give_the_reason_from_data() {
    let (server, _) = fake_yativo(Script::None);
    let wrong = yativo::Client::new(
        &server.url(),
        yativo::Credentials::new("acct-1", "wrong-secret"),
        &config(0),
    )
    .unwrap();
    let err = wrong.login().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    assert_eq!(err.vendor_message(), Some("Invalid login credentials"));
    assert!(
        err.to_string().contains("Invalid login credentials"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong-secret"));

    let client = yativo_client(&server, 0);
    let err = client
        .send_data(&Request::new(Method::Post, "payouts").json(json!({"currency": "USD"})))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    assert_eq!(err.http_status(), Some(422));
    assert_eq!(
        err.vendor_message(),
        Some("amount: The amount field is required.")
    );
}

#[test]
fn a_reason_that_echoes_the_secret_or_the_token_is_scrubbed() {
    let server = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/auth/login" => ok(json!({"access_token": "tok-echoed-123", "expires_in": 600})),
        _ => failed(
            400,
            json!({"error": format!("bad request from {SECRET} with tok-echoed-123")}),
        ),
    });
    let client = yativo_client(&server, 0);
    let err = client.send_data(&payout()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains("tok-echoed-123"), "{text}");
    assert!(text.contains("bad request from ***"), "{text}");
}

#[test]
fn a_yativo_429_after_the_retries_is_an_http_status_error() {
    let server = Server::start(|_: &Seen| failed(429, json!({"error": "Too Many Attempts."})));
    let client = yativo_client(&server, 1);
    let err = client.login().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus, "{err}");
    assert_eq!(err.http_status(), Some(429));
    assert_eq!(err.vendor_message(), Some("Too Many Attempts."));
    assert_eq!(server.seen().len(), 2, "first attempt and one retry");
}

#[test]
fn a_yativo_401_on_a_call_after_the_relogin_names_the_reason() {
    let server = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/auth/login" => ok(json!({"access_token": "tok-1", "expires_in": 600})),
        _ => failed(401, json!({"error": "Token has been revoked"})),
    });
    let client = yativo_client(&server, 0);
    let err = client
        .send_data(&Request::new(Method::Get, "wallet"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err}");
    assert_eq!(err.vendor_message(), Some("Token has been revoked"));
    let logins = server
        .seen()
        .iter()
        .filter(|s| s.path == "/auth/login")
        .count();
    assert_eq!(logins, 2, "logged in again once");
}

#[test]
fn a_generic_call_sends_query_headers_and_a_raw_body_and_reads_response_headers() {
    let (server, _) = fake_yativo(Script::None);
    let server2 = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/auth/login" => ok(json!({"access_token": "tok-1", "expires_in": 600})),
        _ => Reply::text(201, "created")
            .with_header("X-Request-Id", "req-77")
            .with_header("Location", "/things/9"),
    });
    drop(server);
    let client = yativo_client(&server2, 0);
    let answer = client
        .send(
            &Request::new(Method::Put, "things/9")
                .query("dry run", "yes&no")
                .query("n", "1")
                .header("X-Source", "erp")
                .raw("application/octet-stream", vec![0u8, 1, 2, 255]),
        )
        .unwrap();
    assert_eq!(answer.status, 201);
    assert_eq!(answer.header("x-request-id"), Some("req-77"));
    assert_eq!(answer.header("LOCATION"), Some("/things/9"));
    assert_eq!(answer.text().unwrap(), "created");
    let seen = server2
        .seen()
        .into_iter()
        .find(|s| s.path == "/things/9")
        .unwrap();
    assert_eq!(seen.method, "PUT");
    assert_eq!(
        seen.query,
        vec![
            ("dry run".into(), "yes&no".into()),
            ("n".into(), "1".into())
        ]
    );
    assert_eq!(seen.header("x-source"), Some("erp"));
    assert_eq!(
        seen.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(seen.header("authorization"), Some("Bearer tok-1"));
    assert_eq!(seen.body, vec![0u8, 1, 2, 255]);
    assert_eq!(seen.header("idempotency-key"), None, "only POSTs get a key");

    // HEAD and OPTIONS go out as such.
    let head = client
        .send(&Request::new(Method::Head, "things/9"))
        .unwrap();
    assert_eq!(head.status, 201);
    assert!(head.body.is_empty());
    client
        .send(&Request::new(Method::Options, "things"))
        .unwrap();
    let methods: Vec<String> = server2.seen().iter().map(|s| s.method.clone()).collect();
    assert!(methods.contains(&"HEAD".to_owned()) && methods.contains(&"OPTIONS".to_owned()));
}

#[test]
fn bad_headers_are_refused_before_anything_is_sent() {
    let (server, _) = fake_yativo(Script::None);
    let client = yativo_client(&server, 0);
    for (name, value, needle) in [
        ("Host", "elsewhere", "`Host`"),
        ("X-Evil", "a\r\nX-Injected: 1", "CR, LF"),
        (
            "Authorization",
            "Bearer someone-else",
            "allow_authorization_header",
        ),
        ("Transfer-Encoding", "chunked", "`Transfer-Encoding`"),
    ] {
        let err = client
            .send(&Request::new(Method::Get, "wallet").header(name, value))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains(needle), "{name}: {err}");
    }
    assert!(server.seen().is_empty(), "nothing went out");
    // Deliberately: the caller's own Authorization replaces the token.
    client
        .send(
            &Request::new(Method::Get, "payouts")
                .header("Authorization", "Bearer tok-1")
                .allow_authorization_header(true),
        )
        .unwrap();
    let last = server.seen().pop().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer tok-1"));
    assert!(
        server.seen().iter().all(|s| s.path != "/auth/login"),
        "no login needed"
    );
}

#[test]
fn one_clients_sequential_calls_use_one_connection() {
    let (server, _) = fake_yativo(Script::None);
    let client = yativo_client(&server, 0);
    for _ in 0..5 {
        client.send_data(&payout()).unwrap();
    }
    assert_eq!(server.seen().len(), 6, "a login and five payouts");
    assert_eq!(
        server.connections(),
        1,
        "all over one kept-alive connection"
    );
    assert!(server.seen().iter().all(|s| s.connection == 1));
}

#[test]
fn an_unresolvable_host_is_a_dns_error() {
    let client = yativo::Client::new(
        "http://no-such-host.invalid",
        yativo::Credentials::new("a", "s"),
        &config(0),
    )
    .unwrap();
    let err = client.login().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Dns),
        "{err}"
    );
    assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
}

#[test]
fn an_unreachable_proxy_is_named_as_the_proxy() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = yativo::Client::new(
        "http://api.example.test",
        yativo::Credentials::new("a", "s"),
        &config(0).proxy(ProxySetting::Url(format!(
            "http://proxyuser:proxypw@127.0.0.1:{port}"
        ))),
    )
    .unwrap();
    let err = client.login().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Proxy),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(!text.contains("proxypw"), "{text}");
}

#[test]
fn oversized_or_broken_tokens_are_refused_at_set_token() {
    let (server, _) = fake_yativo(Script::None);
    let client = yativo_client(&server, 0);
    let err = client.set_token("t".repeat(10_000), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("`token`"), "{err}");
    let err = client.set_token("tok\r\nX-Evil: 1", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        !err.to_string().contains("X-Evil"),
        "the value is never shown: {err}"
    );
    let uc = ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user("u", "p"),
        &config(0).end_session_on_close(false),
    )
    .unwrap();
    assert!(uc.set_token("x".repeat(9000), None).is_err());
    assert!(server.seen().is_empty());
}

#[test]
fn a_cancelled_call_returns_promptly_and_the_client_stays_usable() {
    let server = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/auth/login" => ok(json!({"access_token": "tok-1", "expires_in": 600})),
        "/slow" => Reply::Silent,
        _ => ok(json!({"fine": true})),
    });
    let client = yativo_client(&server, 2);
    client.login().unwrap();
    let cancel = CancelToken::new();
    let limited = client.with_options(CallOptions::new().cancel_token(cancel.clone()));
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        })
    };
    let started = Instant::now();
    let err = limited
        .send(&Request::new(Method::Get, "slow"))
        .unwrap_err();
    let waited = started.elapsed();
    canceller.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert!(
        waited < Duration::from_millis(300 + 200),
        "returned {waited:?} after the start, cancelled at 300 ms"
    );
    // The same client goes on; the cancelled exchange's connection was not reused.
    let fine = client
        .send_data(&Request::new(Method::Get, "other"))
        .unwrap();
    assert_eq!(fine["fine"], true);
    // A token once cancelled fails at once.
    let err = limited
        .send(&Request::new(Method::Get, "other"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
}

#[test]
fn a_one_second_deadline_holds_against_a_trickling_server() {
    let server = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/auth/login" => ok(json!({"access_token": "tok-1", "expires_in": 600})),
        "/trickle" => Reply::Trickle {
            status: 200,
            body: vec![b'x'; 30],
            every: Duration::from_secs(1),
        },
        _ => ok(json!({"fine": true})),
    });
    let client = yativo_client(&server, 2);
    client.login().unwrap();
    let limited = client.with_options(CallOptions::new().deadline(Duration::from_secs(1)));
    let started = Instant::now();
    let err = limited
        .send(&Request::new(Method::Get, "trickle"))
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Timeout),
        "{err}"
    );
    assert!(err.to_string().contains("deadline of 1 s"), "{err}");
    assert!(waited < Duration::from_millis(1400), "took {waited:?}");
    assert!(client
        .send_data(&Request::new(Method::Get, "other"))
        .is_ok());
}

#[test]
fn the_deadline_covers_the_login_too() {
    let server = Server::start(|seen: &Seen| match seen.path.as_str() {
        "/auth/login" => Reply::After(
            Duration::from_secs(3),
            Box::new(ok(json!({"access_token": "tok-1", "expires_in": 600}))),
        ),
        _ => ok(json!({})),
    });
    let client = yativo_client(&server, 0)
        .with_options(CallOptions::new().deadline(Duration::from_millis(500)));
    let started = Instant::now();
    let err = client
        .send(&Request::new(Method::Get, "wallet"))
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Timeout),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[test]
fn the_old_shorthand_still_reads() {
    let (server, _) = fake_yativo(Script::None);
    let client = yativo_client(&server, 0);
    let r = client
        .call(
            Method::Post,
            "payouts",
            Body::Json(json!({"amount": "1.00"})),
        )
        .unwrap();
    assert_eq!(r.status, 200);
    let _: Error = client
        .call(Method::Get, "https://elsewhere/x", Body::None)
        .unwrap_err();
}
