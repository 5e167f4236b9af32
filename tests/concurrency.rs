//! 16 threads × 500 calls on one shared client per API, with the token expiring in
//! the middle: no call fails, and exactly the expected logins and refreshes reach
//! the wire (counted by mockito).
//!
//! Expiry is made deterministic with a [`ManualClock`]: every thread stops at a
//! [`Barrier`] after the same number of calls, one of them moves the clock (or, for
//! uContact, whose tokens expire only on the server, revokes the token there), and
//! all go on together.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use mockito::{Matcher, Server, ServerGuard};
use serde_json::json;
use tokenbridge::{
    anna, ucontact, yativo, Body, Config, ManualClock, Method, ProxySetting, RetryPolicy,
};

const THREADS: usize = 16;
const CALLS: usize = 500;
/// The whole run of one API must end well within this.
const TIME_LIMIT: Duration = Duration::from_secs(120);

fn config(clock: &Arc<ManualClock>) -> Config {
    Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .retry(RetryPolicy::none())
        .timeout_receive(Duration::from_secs(10))
        .end_session_on_close(false)
        .clock(clock.clone())
}

/// Runs `call` `CALLS` times on each of `THREADS` threads. Before call number `c`
/// of each checkpoint, all threads meet; one of them runs `at_checkpoint(index)`
/// while the others wait, then all go on. Returns the errors, as text. Nothing in
/// the threads panics (a panicking thread would leave the others at the barrier):
/// every failure is collected, and the loops always run to their end.
fn hammer(
    checkpoints: &[usize],
    at_checkpoint: impl Fn(usize) + Sync,
    call: impl Fn() -> Result<(), String> + Sync,
) -> Vec<String> {
    let barrier = Barrier::new(THREADS);
    let errors = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                for i in 0..CALLS {
                    if let Some(k) = checkpoints.iter().position(|&c| c == i) {
                        if barrier.wait().is_leader() {
                            at_checkpoint(k);
                        }
                        barrier.wait();
                    }
                    if let Err(e) = call() {
                        errors.lock().unwrap().push(e);
                    }
                    if started.elapsed() > TIME_LIMIT {
                        errors
                            .lock()
                            .unwrap()
                            .push(format!("call {i} after {TIME_LIMIT:?}"));
                    }
                }
            });
        }
    });
    errors.into_inner().unwrap()
}

fn assert_no_errors(errors: &[String]) {
    assert!(
        errors.is_empty(),
        "{} calls failed, e.g. {:?}",
        errors.len(),
        errors.first()
    );
}

/// A mock body that hands out `{prefix}1`, `{prefix}2`... in turn.
fn numbered(prefix: &'static str, wrap: fn(String) -> String) -> impl Fn() -> Vec<u8> {
    let n = AtomicUsize::new(0);
    move || wrap(format!("{prefix}{}", n.fetch_add(1, Ordering::SeqCst) + 1)).into_bytes()
}

/// Yativo: the token is due for refresh at the first checkpoint (one refresh, while
/// the other threads keep using the still-valid token), and expired at the second
/// (one new login, the other threads waiting for it).
#[test]
fn yativo_shared_client_refreshes_and_logs_in_exactly_once_each() {
    let mut server = Server::new();
    let envelope = |t: String| {
        json!({"status": "success", "message": "ok",
               "data": {"access_token": t, "token_type": "bearer", "expires_in": 600}})
        .to_string()
    };
    let login_body = numbered("yt-login-", envelope);
    let login = server
        .mock("POST", "/auth/login")
        .with_body_from_request(move |_| login_body())
        .expect(2)
        .create();
    let refresh_body = numbered("yt-refreshed-", envelope);
    let refresh = server
        .mock("GET", "/auth/refresh-token")
        .match_header("authorization", "Bearer yt-login-1")
        .with_body_from_request(move |_| refresh_body())
        .expect(1)
        .create();
    let wallet = server
        .mock("GET", "/wallet/balance")
        .match_header(
            "authorization",
            Matcher::Regex("^Bearer yt-(login-1|refreshed-1|login-2)$".into()),
        )
        .with_body(r#"{"status":"success","data":{"balance":"1.00"}}"#)
        .expect(THREADS * CALLS)
        .create();

    let clock = Arc::new(ManualClock::new());
    let client = yativo::Client::new(
        &server.url(),
        yativo::Credentials::new("acct", "app-secret"),
        &config(&clock),
    )
    .unwrap();
    let errors = hammer(
        &[CALLS / 3, 2 * CALLS / 3],
        |k| match k {
            // 560 s into a 600 s token: inside the 60 s refresh-ahead margin.
            0 => clock.advance(Duration::from_secs(560)),
            // Past the refreshed token's 600 s.
            _ => clock.advance(Duration::from_secs(700)),
        },
        || match client.call(Method::Get, "wallet/balance", Body::None) {
            Ok(r) if r.status == 200 => Ok(()),
            Ok(r) => Err(format!(
                "HTTP {}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )),
            Err(e) => Err(e.to_string()),
        },
    );
    assert_no_errors(&errors);
    login.assert();
    refresh.assert();
    wallet.assert();
    assert_eq!(client.token().unwrap().access_token.expose(), "yt-login-2");
}

/// AnnA: GetToken is both login and refresh. Due at the first checkpoint, expired
/// at the second: three GetTokens in all.
#[test]
fn anna_shared_client_gets_exactly_one_token_per_expiry() {
    let mut server = Server::new();
    let answer = |t: String| {
        json!({"success": true, "message": "", "data": {"Token": t, "ExpiresIn": "3600"}})
            .to_string()
    };
    let token_body = numbered("anna-token-", answer);
    let get_token = server
        .mock("POST", "/REST/Credentials/GetToken")
        .with_body_from_request(move |_| token_body())
        .expect(3)
        .create();
    let link = server
        .mock("POST", "/REST/AnnACorporate/Messenger/Link")
        .match_header(
            "authorization",
            Matcher::Regex("^Bearer anna-token-[123]$".into()),
        )
        .match_body(Matcher::PartialJson(
            json!({"hash": "COMPANYHASH", "userId": "42"}),
        ))
        .with_body(
            json!({"success": true, "message": "", "messengerLink": "https://chat.example/42"})
                .to_string(),
        )
        .expect(THREADS * CALLS)
        .create();

    let clock = Arc::new(ManualClock::new());
    let client = anna::Client::new(
        &server.url(),
        anna::Credentials::new("COMPANYHASH", "annauser", "anna-pass"),
        &config(&clock),
    )
    .unwrap();
    let user = anna::User::id("42");
    let errors = hammer(
        &[CALLS / 3, 2 * CALLS / 3],
        |k| match k {
            0 => clock.advance(Duration::from_secs(3_550)),
            _ => clock.advance(Duration::from_secs(3_700)),
        },
        || match client.messenger_link(&user) {
            Ok(l) if l == "https://chat.example/42" => Ok(()),
            Ok(l) => Err(format!("link {l}")),
            Err(e) => Err(e.to_string()),
        },
    );
    assert_no_errors(&errors);
    get_token.assert();
    link.assert();
    assert_eq!(client.token().unwrap().token.expose(), "anna-token-3");
}

/// uContact tokens expire on the server only: at the checkpoint the server starts
/// answering 401 to the first token. Each thread meets at most one 401, the client
/// logs in again exactly once, and every call still succeeds.
#[test]
fn ucontact_shared_client_logs_in_again_exactly_once_after_a_revoked_token() {
    const TASK: &str = "/Integra/resources/Dialers/DialerTask";
    let server = Mutex::new(Server::new());
    let mock = |s: &Mutex<ServerGuard>| s.lock().unwrap().mock("POST", TASK);
    let token_body = numbered("VUMtVE9LRU4t", |t| serde_json::to_string(&t).unwrap());
    let login = server
        .lock()
        .unwrap()
        .mock("POST", "/Integra/resources/auth/getUserToken")
        .match_body(Matcher::UrlEncoded("password".into(), "uc-pass".into()))
        .with_body_from_request(move |_| token_body())
        .expect(2)
        .create();
    let first_ok = mock(&server)
        .match_header("authorization", "Basic VUMtVE9LRU4t1")
        .with_body(r#"{"ok":1}"#)
        .expect(THREADS * CALLS / 2)
        .create();
    let second_ok = mock(&server)
        .match_header("authorization", "Basic VUMtVE9LRU4t2")
        .with_body(r#"{"ok":2}"#)
        .expect(THREADS * CALLS / 2)
        .create();
    let revoked = Mutex::new(None);
    let first_matched = Mutex::new(false);

    let url = server.lock().unwrap().url();
    let client = ucontact::Client::new(
        &url,
        ucontact::Credentials::api_user("apiuser", "uc-pass"),
        &config(&Arc::new(ManualClock::new())),
    )
    .unwrap();
    let errors = hammer(
        &[CALLS / 2],
        |_| {
            // Every call so far used the first token: exactly half of them.
            *first_matched.lock().unwrap() = first_ok.matched();
            first_ok.remove();
            *revoked.lock().unwrap() = Some(
                mock(&server)
                    .match_header("authorization", "Basic VUMtVE9LRU4t1")
                    .with_status(401)
                    .with_body("session expired")
                    .expect_at_least(1)
                    .expect_at_most(THREADS)
                    .create(),
            );
        },
        || match client.call(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
            Body::Form(vec![("campaign".into(), "Sales".into())]),
        ) {
            Ok(r) if r.status == 200 => Ok(()),
            Ok(r) => Err(format!(
                "HTTP {}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )),
            Err(e) => Err(e.to_string()),
        },
    );
    assert_no_errors(&errors);
    assert!(
        *first_matched.lock().unwrap(),
        "the first token did not serve exactly {} calls",
        THREADS * CALLS / 2
    );
    login.assert();
    second_ok.assert();
    revoked.lock().unwrap().as_ref().unwrap().assert();
    assert_eq!(client.token().unwrap().expose(), "VUMtVE9LRU4t2");
}
