//! Issue 3, "Done when", proved on the wire against a local mockito server: the token
//! cache (one login for many calls, refresh ahead of expiry, one refresher for many
//! threads, the old token kept while a refresh fails), one re-login after a 401,
//! retries of transient failures, no retry of a rejected credential, uContact's
//! `EndSession` on drop, and manual token control.
//!
//! Every count is taken from the server (`Mock::expect(n)` + `Mock::assert()`), not
//! from the client. Expiry is driven by a `ManualClock`: nothing here sleeps to let a
//! token age.

use std::io::{self, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use tokenbridge::{
    anna, ucontact, yativo, Body, Clock, Config, Error, ErrorKind, ManualClock, Method,
    ProxySetting, RetryPolicy, TransportKind,
};

/// How long a "slow" login takes on the server, so that concurrent callers overlap.
const SLOW: Duration = Duration::from_millis(300);
/// Threads calling at once in the concurrency tests.
const THREADS: usize = 16;

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

fn config(clock: &Arc<ManualClock>) -> Config {
    Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .clock(clock.clone())
}

/// A retry policy that keeps failure tests fast: 2 retries, 20 ms base, 50 ms cap.
fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(50),
    }
}

/// Runs `f` on [`THREADS`] threads released together by a barrier; `entered` counts
/// the threads released so far (see [`slow_body`]).
fn all_at_once<T: Send>(entered: &AtomicUsize, f: impl Fn() -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    entered.fetch_add(1, Ordering::SeqCst);
                    f()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// A chunked response body for the n-th request (1-based): `make(n)`, written after
/// a delay. Once the threads of [`all_at_once`] have been released, it first waits
/// (at most 5 s) until all of them have, then [`SLOW`], so that every thread really
/// calls while this answer is pending; before that, it waits [`SLOW`] only. It runs on
/// its own thread in mockito, so the server keeps answering other requests meanwhile.
/// `seen` gets the number of released threads at the moment the answer is written.
fn slow_body(
    entered: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
    make: impl Fn(usize) -> String + Send + Sync + 'static,
) -> impl Fn(&mut dyn Write) -> io::Result<()> + Send + Sync + 'static {
    let n = AtomicUsize::new(0);
    move |w| {
        let i = n.fetch_add(1, Ordering::SeqCst) + 1;
        if entered.load(Ordering::SeqCst) > 0 {
            let deadline = Instant::now() + Duration::from_secs(5);
            while entered.load(Ordering::SeqCst) < THREADS && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        std::thread::sleep(SLOW);
        seen.store(entered.load(Ordering::SeqCst), Ordering::SeqCst);
        w.write_all(make(i).as_bytes())
    }
}

/// A body callback answering `make(n)` for the n-th request (1-based).
fn numbered(
    make: impl Fn(usize) -> String + Send + Sync + 'static,
) -> impl Fn(&mockito::Request) -> Vec<u8> + Send + Sync + 'static {
    let n = AtomicUsize::new(0);
    move |_| make(n.fetch_add(1, Ordering::SeqCst) + 1).into_bytes()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn assert_kind<T: std::fmt::Debug>(r: Result<T, Error>, kind: ErrorKind) -> Error {
    let e = r.expect_err("the call should fail");
    assert_eq!(e.kind(), kind, "{e}");
    e
}

// uContact ------------------------------------------------------------------------

const UC_LOGIN: &str = "/Integra/resources/auth/getUserToken";
const UC_AGENT: &str = "/Integra/resources/auth/AgentLogin";
const UC_END: &str = "/Integra/resources/auth/EndSession";
const UC_TASK: &str = "/Integra/resources/Dialers/DialerTask";
const UC_USER: &str = "api user";
const UC_PASS: &str = "p&ss=w rd+é";

/// The n-th uContact token: base64 of `user:uuid`, as the server makes them.
fn uc_token(n: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{UC_USER}:uuid-{n}"))
}

fn uc_client(server: &ServerGuard, config: &Config) -> ucontact::Client {
    ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user(UC_USER, UC_PASS),
        config,
    )
    .unwrap()
}

/// `getUserToken` with the right form fields (percent-encoded by the client).
fn uc_login(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", UC_LOGIN)
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("user".into(), UC_USER.into()),
            Matcher::UrlEncoded("password".into(), UC_PASS.into()),
        ]))
}

/// `EndSession` for `token`: form fields user + token, `Authorization: Basic {token}`.
fn uc_end(server: &mut ServerGuard, token: &str) -> Mock {
    server
        .mock("POST", UC_END)
        .match_header("authorization", format!("Basic {token}").as_str())
        .match_header(
            "content-type",
            Matcher::Regex("^application/x-www-form-urlencoded".into()),
        )
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("user".into(), UC_USER.into()),
            Matcher::UrlEncoded("token".into(), token.into()),
        ]))
}

fn uc_task(server: &mut ServerGuard, token: &str) -> Mock {
    server
        .mock("POST", UC_TASK)
        .match_header("authorization", format!("Basic {token}").as_str())
}

fn uc_call(client: &ucontact::Client) -> Result<tokenbridge::Response, Error> {
    client.call(
        Method::Post,
        "Integra/resources/Dialers/DialerTask",
        Body::Form(vec![("campaign".into(), "Sales".into())]),
    )
}

// Yativo --------------------------------------------------------------------------

const YT_LOGIN: &str = "/api/v1/auth/login";
const YT_REFRESH: &str = "/api/v1/auth/refresh-token";
const YT_WALLET: &str = "/api/v1/wallet/balance";

fn yt_envelope(token: &str, expires_in: u64) -> String {
    json!({
        "status": "success", "status_code": 200, "message": "ok",
        "data": {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
    })
    .to_string()
}

fn yt_client(server: &ServerGuard, config: &Config) -> yativo::Client {
    yativo::Client::new(
        &format!("{}/api/v1", server.url()),
        yativo::Credentials::new("acct_1", "app-secret"),
        config,
    )
    .unwrap()
}

fn yt_login(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", YT_LOGIN)
        .match_header("authorization", Matcher::Missing)
        .match_body(Matcher::Json(
            json!({"account_id": "acct_1", "app_secret": "app-secret"}),
        ))
}

fn yt_refresh(server: &mut ServerGuard, current: &str) -> Mock {
    server
        .mock("GET", YT_REFRESH)
        .match_header("authorization", bearer(current).as_str())
}

fn yt_wallet(server: &mut ServerGuard, token: &str) -> Mock {
    server
        .mock("GET", YT_WALLET)
        .match_header("authorization", bearer(token).as_str())
}

fn yt_call(client: &yativo::Client) -> Result<tokenbridge::Response, Error> {
    client.call(Method::Get, "wallet/balance", Body::None)
}

// AnnA ----------------------------------------------------------------------------

const AN_TOKEN: &str = "/anna/REST/Credentials/GetToken";
const AN_LINK: &str = "/anna/REST/AnnACorporate/Messenger/Link";
const AN_CUSTOM: &str = "/anna/REST/Custom/Thing";

fn an_token_body(token: &str, expires_in: Option<&str>) -> String {
    let mut data = json!({ "Token": token });
    if let Some(e) = expires_in {
        data["ExpiresIn"] = json!(e);
    }
    json!({"success": true, "message": "", "data": data}).to_string()
}

fn an_client(server: &ServerGuard, config: &Config) -> anna::Client {
    anna::Client::new(
        // A trailing slash on purpose: joining must work with it.
        &format!("{}/anna/", server.url()),
        anna::Credentials::new("COMPANYHASH", "integration", "s3cret"),
        config,
    )
    .unwrap()
}

fn an_get_token(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", AN_TOKEN)
        .match_header("authorization", Matcher::Missing)
        .match_body(Matcher::Json(
            json!({"hash": "COMPANYHASH", "user": "integration", "pass": "s3cret"}),
        ))
}

fn an_link(server: &mut ServerGuard, token: &str) -> Mock {
    server
        .mock("POST", AN_LINK)
        .match_header("authorization", bearer(token).as_str())
        .match_body(Matcher::PartialJson(
            json!({"hash": "COMPANYHASH", "userId": "42"}),
        ))
        .with_body(
            json!({"success": true, "message": "", "messengerLink": "https://chat.example/42"})
                .to_string(),
        )
}

fn an_custom(server: &mut ServerGuard, token: &str) -> Mock {
    server
        .mock("POST", AN_CUSTOM)
        .match_header("authorization", bearer(token).as_str())
}

fn an_link_call(client: &anna::Client) -> Result<String, Error> {
    client.messenger_link(&anna::User::id("42"))
}

fn an_call(client: &anna::Client) -> Result<tokenbridge::Response, Error> {
    client.call(
        Method::Post,
        "REST/Custom/Thing",
        Body::Json(json!({"hash": "COMPANYHASH"})),
    )
}

/// An unsigned JWT carrying `exp` (AnnA's fallback when `ExpiresIn` is missing).
fn jwt_with_exp(exp: std::time::SystemTime) -> String {
    use base64::Engine;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let secs = exp.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    format!(
        "{}.{}.sig",
        e.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        e.encode(json!({"sub": "integration", "exp": secs}).to_string())
    )
}

// ---------------------------------------------------------------------------------
// 1,000 protected calls with a valid token → exactly 1 login on the wire
// ---------------------------------------------------------------------------------

#[test]
fn ucontact_thousand_calls_one_login() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = uc_login(&mut server)
        .with_body(format!("\"{}\"", uc_token(1)))
        .expect(1)
        .create();
    let task = uc_task(&mut server, &uc_token(1))
        .match_body(Matcher::UrlEncoded("campaign".into(), "Sales".into()))
        .with_body("[]")
        .expect(1000)
        .create();
    let client = uc_client(&server, &config(&clock).end_session_on_close(false));
    for i in 0..1000 {
        let r = uc_call(&client).unwrap();
        assert_eq!((r.status, r.text().unwrap()), (200, "[]"), "call {i}");
        if i % 100 == 0 {
            // uContact tokens do not expire on the client side.
            clock.advance(Duration::from_secs(3600));
        }
    }
    login.assert();
    task.assert();
}

#[test]
fn yativo_thousand_calls_one_login() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 600))
        .expect(1)
        .create();
    let refresh = server.mock("GET", YT_REFRESH).expect(0).create();
    let wallet = yt_wallet(&mut server, "tok-1")
        .with_body(r#"{"status":"success","data":{"balance":1}}"#)
        .expect(1000)
        .create();
    let client = yt_client(&server, &config(&clock));
    for i in 0..1000 {
        let r = yt_call(&client).unwrap();
        assert_eq!(r.status, 200, "call {i}");
        if i % 100 == 0 {
            // 10 × 50 s = 500 s: still before the refresh window (540 s).
            clock.advance(Duration::from_secs(50));
        }
    }
    login.assert();
    refresh.assert();
    wallet.assert();
}

#[test]
fn anna_thousand_calls_one_login() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = an_get_token(&mut server)
        .with_body(an_token_body("anna-1", Some("3600")))
        .expect(1)
        .create();
    // Half typed calls (Messenger/Link), half generic calls.
    let link = an_link(&mut server, "anna-1").expect(500).create();
    let custom = an_custom(&mut server, "anna-1")
        .match_body(Matcher::Json(json!({"hash": "COMPANYHASH"})))
        .with_body(r#"{"success":true,"message":"","thing":1}"#)
        .expect(500)
        .create();
    let client = an_client(&server, &config(&clock));
    for i in 0..1000 {
        if i % 2 == 0 {
            assert_eq!(an_link_call(&client).unwrap(), "https://chat.example/42");
        } else {
            assert_eq!(an_call(&client).unwrap().status, 200);
        }
    }
    login.assert();
    link.assert();
    custom.assert();
}

// ---------------------------------------------------------------------------------
// Refresh ahead of expiry: exactly one refresh
// ---------------------------------------------------------------------------------

#[test]
fn yativo_refreshes_once_in_the_refresh_window_with_the_refresh_endpoint() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 600))
        .expect(1)
        .create();
    let refresh = yt_refresh(&mut server, "tok-1")
        .with_body(yt_envelope("tok-2", 600))
        .expect(1)
        .create();
    let old = yt_wallet(&mut server, "tok-1").expect(2).create();
    let new = yt_wallet(&mut server, "tok-2").expect(10).create();
    let client = yt_client(&server, &config(&clock));

    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(539)); // 61 s left: not yet due
    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(2)); // 59 s left: due, still valid
    for _ in 0..10 {
        yt_call(&client).unwrap();
    }
    assert_eq!(client.token().unwrap().access_token.expose(), "tok-2");
    login.assert();
    refresh.assert();
    old.assert();
    new.assert();
}

#[test]
fn yativo_short_token_is_refreshed_at_half_life() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 60))
        .expect(1)
        .create();
    let refresh = yt_refresh(&mut server, "tok-1")
        .with_body(yt_envelope("tok-2", 60))
        .expect(1)
        .create();
    let old = yt_wallet(&mut server, "tok-1").expect(2).create();
    let new = yt_wallet(&mut server, "tok-2").expect(1).create();
    let client = yt_client(&server, &config(&clock));

    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(29)); // before half-life: not due
    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(2)); // past half-life (30 s): due
    yt_call(&client).unwrap();
    login.assert();
    refresh.assert();
    old.assert();
    new.assert();
}

#[test]
fn yativo_logs_in_again_once_the_token_has_expired() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = yt_login(&mut server)
        .with_body_from_request(numbered(|n| yt_envelope(&format!("tok-{n}"), 600)))
        .expect(2)
        .create();
    // An expired token cannot be refreshed: no refresh request at all.
    let refresh = server.mock("GET", YT_REFRESH).expect(0).create();
    let old = yt_wallet(&mut server, "tok-1").expect(1).create();
    let new = yt_wallet(&mut server, "tok-2").expect(5).create();
    let client = yt_client(&server, &config(&clock));

    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(601));
    for _ in 0..5 {
        yt_call(&client).unwrap();
    }
    login.assert();
    refresh.assert();
    old.assert();
    new.assert();
}

#[test]
fn anna_gets_a_new_token_once_in_the_refresh_window() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = an_get_token(&mut server)
        .with_body_from_request(numbered(|n| {
            an_token_body(&format!("anna-{n}"), Some("600"))
        }))
        .expect(2)
        .create();
    let old = an_link(&mut server, "anna-1").expect(2).create();
    let new = an_link(&mut server, "anna-2").expect(5).create();
    let client = an_client(&server, &config(&clock));

    an_link_call(&client).unwrap();
    clock.advance(Duration::from_secs(539));
    an_link_call(&client).unwrap();
    clock.advance(Duration::from_secs(2));
    for _ in 0..5 {
        an_link_call(&client).unwrap();
    }
    login.assert();
    old.assert();
    new.assert();
}

#[test]
fn anna_without_expires_in_uses_the_jwt_exp() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let t0 = clock.now();
    let jwt1 = jwt_with_exp(t0 + Duration::from_secs(600));
    let jwt2 = jwt_with_exp(t0 + Duration::from_secs(1200));
    let (j1, j2) = (jwt1.clone(), jwt2.clone());
    let login = an_get_token(&mut server)
        .with_body_from_request(numbered(move |n| {
            an_token_body(if n == 1 { &j1 } else { &j2 }, None)
        }))
        .expect(2)
        .create();
    let old = an_custom(&mut server, &jwt1).expect(2).create();
    let new = an_custom(&mut server, &jwt2).expect(3).create();
    let client = an_client(&server, &config(&clock));

    an_call(&client).unwrap();
    clock.advance(Duration::from_secs(530));
    an_call(&client).unwrap();
    clock.advance(Duration::from_secs(20)); // 50 s before `exp`: due
    for _ in 0..3 {
        an_call(&client).unwrap();
    }
    login.assert();
    old.assert();
    new.assert();
}

// ---------------------------------------------------------------------------------
// 16 threads at the moment of expiry → still exactly one login/refresh on the wire
// ---------------------------------------------------------------------------------

#[test]
fn yativo_sixteen_threads_at_expiry_one_login() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let (entered, seen) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let login = yt_login(&mut server)
        .with_chunked_body(slow_body(entered.clone(), seen.clone(), |n| {
            yt_envelope(&format!("tok-{n}"), 600)
        }))
        .expect(2)
        .create();
    let refresh = server.mock("GET", YT_REFRESH).expect(0).create();
    let old = yt_wallet(&mut server, "tok-1").expect(1).create();
    let new = yt_wallet(&mut server, "tok-2").expect(THREADS).create();
    let client = yt_client(&server, &config(&clock));

    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(600)); // exactly the expiry instant
    let results = all_at_once(&entered, || yt_call(&client));
    for r in results {
        assert_eq!(r.unwrap().status, 200);
    }
    assert_eq!(seen.load(Ordering::SeqCst), THREADS, "all threads overlap");
    login.assert();
    refresh.assert();
    old.assert();
    new.assert();
}

#[test]
fn yativo_sixteen_threads_in_the_refresh_window_one_refresh() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let (entered, seen) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let login = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 600))
        .expect(1)
        .create();
    let refresh = yt_refresh(&mut server, "tok-1")
        .with_chunked_body(slow_body(entered.clone(), seen.clone(), |_| {
            yt_envelope("tok-2", 600)
        }))
        .expect(1)
        .create();
    // While the one refresh runs, the others keep using the still-valid old token.
    let wallet = server
        .mock("GET", YT_WALLET)
        .match_header("authorization", Matcher::Regex("^Bearer tok-[12]$".into()))
        .expect(1 + THREADS + 1)
        .create();
    let client = yt_client(&server, &config(&clock));

    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(545));
    let results = all_at_once(&entered, || yt_call(&client));
    for r in results {
        assert_eq!(r.unwrap().status, 200);
    }
    assert_eq!(seen.load(Ordering::SeqCst), THREADS, "all threads overlap");
    assert_eq!(client.token().unwrap().access_token.expose(), "tok-2");
    yt_call(&client).unwrap();
    login.assert();
    refresh.assert();
    wallet.assert();
}

#[test]
fn anna_sixteen_threads_at_expiry_one_get_token() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let (entered, seen) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let login = an_get_token(&mut server)
        .with_chunked_body(slow_body(entered.clone(), seen.clone(), |n| {
            an_token_body(&format!("anna-{n}"), Some("600"))
        }))
        .expect(2)
        .create();
    let old = an_link(&mut server, "anna-1").expect(1).create();
    let new = an_link(&mut server, "anna-2").expect(THREADS).create();
    let client = an_client(&server, &config(&clock));

    an_link_call(&client).unwrap();
    clock.advance(Duration::from_secs(600));
    let results = all_at_once(&entered, || an_link_call(&client));
    for r in results {
        assert_eq!(r.unwrap(), "https://chat.example/42");
    }
    assert_eq!(seen.load(Ordering::SeqCst), THREADS, "all threads overlap");
    login.assert();
    old.assert();
    new.assert();
}

#[test]
fn ucontact_sixteen_threads_without_a_token_one_login() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let (entered, seen) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let login = uc_login(&mut server)
        .with_chunked_body(slow_body(entered.clone(), seen.clone(), |n| {
            format!("\"{}\"", uc_token(n))
        }))
        .expect(1)
        .create();
    let task = uc_task(&mut server, &uc_token(1)).expect(THREADS).create();
    let client = uc_client(&server, &config(&clock).end_session_on_close(false));

    let results = all_at_once(&entered, || uc_call(&client));
    for r in results {
        assert_eq!(r.unwrap().status, 200);
    }
    assert_eq!(seen.load(Ordering::SeqCst), THREADS, "all threads overlap");
    login.assert();
    task.assert();
}

#[test]
fn ucontact_sixteen_threads_with_a_wrong_password_one_request() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let (entered, seen) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    // The threads waiting for the one login share its rejection: no retry storm.
    let login = uc_login(&mut server)
        .with_chunked_body(slow_body(entered.clone(), seen.clone(), |_| "0".into()))
        .expect(1)
        .create();
    let task = server.mock("POST", UC_TASK).expect(0).create();
    let client = uc_client(&server, &config(&clock));

    let results = all_at_once(&entered, || uc_call(&client));
    for r in results {
        assert_kind(r, ErrorKind::Rejected);
    }
    assert_eq!(seen.load(Ordering::SeqCst), THREADS, "all threads overlap");
    assert!(!client.has_session());
    drop(client);
    login.assert();
    task.assert();
}

#[test]
fn ucontact_sixteen_threads_hit_by_a_401_one_relogin() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let (entered, seen) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let login = uc_login(&mut server)
        .with_chunked_body(slow_body(entered.clone(), seen.clone(), |n| {
            format!("\"{}\"", uc_token(n))
        }))
        .expect(2)
        .create();
    let client = uc_client(&server, &config(&clock).end_session_on_close(false));
    client.token().unwrap();
    // The server has ended session 1 behind the client's back.
    // Every thread either sent token 1 and got a 401, or arrived after the first 401
    // dropped it and waited for the one re-login: at least one 401, at most 16.
    let dead = uc_task(&mut server, &uc_token(1))
        .with_status(401)
        .expect_at_least(1)
        .expect_at_most(THREADS)
        .create();
    let task = uc_task(&mut server, &uc_token(2)).expect(THREADS).create();

    let results = all_at_once(&entered, || uc_call(&client));
    for r in results {
        assert_eq!(r.unwrap().status, 200);
    }
    login.assert();
    dead.assert();
    task.assert();
}

// ---------------------------------------------------------------------------------
// A refresh that fails while the old token is still valid → the old token is used
// ---------------------------------------------------------------------------------

#[test]
fn yativo_failed_refresh_keeps_the_valid_token() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 600))
        .expect(1)
        .create();
    // First refresh: a server error (not a rejection, so no fallback login). Second
    // one, after the pause between attempts: success.
    let refresh_fails = yt_refresh(&mut server, "tok-1")
        .with_status(500)
        .with_body("internal error")
        .expect(1)
        .create();
    let refresh_ok = yt_refresh(&mut server, "tok-1")
        .with_body(yt_envelope("tok-2", 600))
        .expect(1)
        .create();
    let old = yt_wallet(&mut server, "tok-1").expect(1 + 3).create();
    let new = yt_wallet(&mut server, "tok-2").expect(1).create();
    let client = yt_client(&server, &config(&clock));

    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(545));
    // The refresh fails; the call goes through with tok-1. The next calls do not
    // hammer the refresh endpoint: they use tok-1 for a few seconds.
    for _ in 0..3 {
        assert_eq!(yt_call(&client).unwrap().status, 200);
    }
    refresh_fails.assert();
    clock.advance(Duration::from_secs(10)); // tok-1 still valid (45 s left)
    yt_call(&client).unwrap();
    login.assert();
    refresh_fails.assert();
    refresh_ok.assert();
    old.assert();
    new.assert();
}

#[test]
fn yativo_refused_refresh_then_failed_login_keeps_the_valid_token() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login_ok = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 600))
        .expect(1)
        .create();
    let login_down = yt_login(&mut server)
        .with_status(500)
        .with_body("down")
        .expect(1)
        .create();
    // A refused refresh falls back to a login, which fails too.
    let refresh = yt_refresh(&mut server, "tok-1")
        .with_status(401)
        .expect(1)
        .create();
    let old = yt_wallet(&mut server, "tok-1").expect(2).create();
    let client = yt_client(&server, &config(&clock));

    yt_call(&client).unwrap();
    clock.advance(Duration::from_secs(545));
    assert_eq!(yt_call(&client).unwrap().status, 200);
    login_ok.assert();
    login_down.assert();
    refresh.assert();
    old.assert();
}

#[test]
fn anna_failed_get_token_keeps_the_valid_token() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login_ok = an_get_token(&mut server)
        .with_body(an_token_body("anna-1", Some("600")))
        .expect(1)
        .create();
    let login_down = an_get_token(&mut server)
        .with_status(500)
        .with_body("down")
        .expect(1)
        .create();
    let old = an_link(&mut server, "anna-1").expect(3).create();
    let client = an_client(&server, &config(&clock));

    an_link_call(&client).unwrap();
    clock.advance(Duration::from_secs(545));
    an_link_call(&client).unwrap();
    an_link_call(&client).unwrap();
    login_ok.assert();
    login_down.assert();
    old.assert();
}

// ---------------------------------------------------------------------------------
// 401 → one re-login and one retry; a second 401 → Unauthorized, no loop
// ---------------------------------------------------------------------------------

#[test]
fn ucontact_401_relogs_once() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = uc_login(&mut server)
        .with_body_from_request(numbered(|n| format!("\"{}\"", uc_token(n))))
        .expect(3)
        .create();
    let cfg = config(&clock).end_session_on_close(false);

    // Token 1 refused, token 2 accepted: one re-login, one retry, success.
    let refused = uc_task(&mut server, &uc_token(1))
        .with_status(401)
        .expect(1)
        .create();
    let accepted = uc_task(&mut server, &uc_token(2)).expect(1).create();
    let client = uc_client(&server, &cfg);
    assert_eq!(uc_call(&client).unwrap().status, 200);
    refused.assert();
    accepted.assert();

    // A server that refuses every token: one re-login, then Unauthorized.
    let always = server
        .mock("POST", "/Integra/resources/Other")
        .with_status(401)
        .expect(2)
        .create();
    let e = assert_kind(
        client.call(Method::Post, "Integra/resources/Other", Body::None),
        ErrorKind::Unauthorized,
    );
    assert_eq!(e.http_status(), Some(401));
    always.assert();
    login.assert(); // 1 + 1 re-login + 1 re-login of the second call
}

#[test]
fn yativo_401_relogs_once() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = yt_login(&mut server)
        .with_body_from_request(numbered(|n| yt_envelope(&format!("tok-{n}"), 600)))
        .expect(2)
        .create();
    let refused = yt_wallet(&mut server, "tok-1")
        .with_status(401)
        .expect(1)
        .create();
    let accepted = yt_wallet(&mut server, "tok-2").expect(1).create();
    let client = yt_client(&server, &config(&clock));
    assert_eq!(yt_call(&client).unwrap().status, 200);
    login.assert();
    refused.assert();
    accepted.assert();

    // Second client: every call refused. One login, one re-login, two calls, done.
    let mut server = Server::new();
    let login = yt_login(&mut server)
        .with_body_from_request(numbered(|n| yt_envelope(&format!("tok-{n}"), 600)))
        .expect(2)
        .create();
    let refresh = server.mock("GET", YT_REFRESH).expect(0).create();
    let always = server
        .mock("GET", YT_WALLET)
        .with_status(401)
        .with_body(r#"{"status":"error","message":"Unauthenticated."}"#)
        .expect(2)
        .create();
    let client = yt_client(&server, &config(&clock));
    assert_kind(yt_call(&client), ErrorKind::Unauthorized);
    login.assert();
    refresh.assert();
    always.assert();
}

#[test]
fn anna_401_relogs_once_typed_and_generic() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = an_get_token(&mut server)
        .with_body_from_request(numbered(|n| {
            an_token_body(&format!("anna-{n}"), Some("3600"))
        }))
        // anna-1, anna-2 (re-login after one 401), anna-3 (re-login, refused again),
        // anna-4 (the second 401 dropped anna-3) and anna-5 (its one re-login).
        .expect(5)
        .create();
    let refused = server
        .mock("POST", AN_LINK)
        .match_header("authorization", bearer("anna-1").as_str())
        .with_status(401)
        .expect(1)
        .create();
    let accepted = an_link(&mut server, "anna-2").expect(1).create();
    let client = an_client(&server, &config(&clock));
    assert_eq!(an_link_call(&client).unwrap(), "https://chat.example/42");
    refused.assert();
    accepted.assert();

    // Typed call refused twice: Unauthorized after one re-login (anna-3).
    let always = server
        .mock("POST", "/anna/REST/AnnACorporate/Messenger/Structure")
        .with_status(401)
        .with_body(r#"{"success":false,"message":"Token expired"}"#)
        .expect(2)
        .create();
    assert_kind(client.messenger_structure(), ErrorKind::Unauthorized);
    always.assert();

    // Generic call refused twice: Unauthorized after one re-login (anna-4, anna-5).
    let generic = server
        .mock("POST", AN_CUSTOM)
        .with_status(401)
        .expect(2)
        .create();
    assert_kind(an_call(&client), ErrorKind::Unauthorized);
    generic.assert();
    login.assert();
}

// ---------------------------------------------------------------------------------
// Retries: Retry-After, 503 every time, wrong password, connection refused
// ---------------------------------------------------------------------------------

#[test]
fn retry_after_one_second_is_honoured() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = server.mock("POST", YT_LOGIN).expect(0).create();
    let busy = yt_wallet(&mut server, "manual")
        .with_status(503)
        .with_header("Retry-After", "1")
        .expect(1)
        .create();
    let ok = yt_wallet(&mut server, "manual").expect(1).create();
    let client = yt_client(&server, &config(&clock));
    client.set_token("manual", None).unwrap();

    let started = Instant::now();
    let r = yt_call(&client).unwrap();
    let elapsed = started.elapsed();
    eprintln!("Retry-After: 1 → success after {elapsed:?}");
    assert_eq!(r.status, 200);
    assert!(
        elapsed >= Duration::from_millis(900) && elapsed <= Duration::from_secs(3),
        "{elapsed:?}"
    );
    login.assert();
    busy.assert();
    ok.assert();
}

#[test]
fn retry_after_is_capped_by_the_policy() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let busy = yt_wallet(&mut server, "manual")
        .with_status(429)
        .with_header("Retry-After", "3600")
        .expect(1)
        .create();
    let ok = yt_wallet(&mut server, "manual").expect(1).create();
    let client = yt_client(&server, &config(&clock).retry(fast_retries()));
    client.set_token("manual", None).unwrap();
    let started = Instant::now();
    assert_eq!(yt_call(&client).unwrap().status, 200);
    let elapsed = started.elapsed();
    eprintln!("Retry-After: 3600 with a 50 ms cap → success after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    busy.assert();
    ok.assert();
}

#[test]
fn every_transient_status_is_retried_and_others_are_not() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let client = an_client(&server, &config(&clock).retry(fast_retries()));
    client.set_token("anna-1", None).unwrap();
    for status in [408, 429, 502, 503, 504] {
        let path = format!("/anna/REST/Transient/{status}");
        let busy = server
            .mock("POST", path.as_str())
            .with_status(status)
            .expect(1)
            .create();
        let ok = server
            .mock("POST", path.as_str())
            .with_body(r#"{"success":true}"#)
            .expect(1)
            .create();
        // A POST is repeated only with an idempotency key (see core_calls.rs for
        // the keyless one, sent once).
        let r = client
            .send(
                &tokenbridge::Request::new(Method::Post, &path["/anna/".len()..])
                    .idempotency_key(format!("key-{status}")),
            )
            .unwrap();
        assert_eq!(r.status, 200, "after a {status}");
        busy.assert();
        ok.assert();
    }
    for status in [400, 403, 404, 500, 501] {
        let path = format!("/anna/REST/Final/{status}");
        let once = server
            .mock("POST", path.as_str())
            .with_status(status)
            .expect(1)
            .create();
        let r = client
            .call(Method::Post, &path["/anna/".len()..], Body::None)
            .unwrap();
        assert_eq!(r.status, status as u16);
        once.assert();
    }
}

#[test]
fn always_503_fails_after_three_attempts() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    // A typed protected call (AnnA Messenger/Link), default policy: 2 retries, 200 ms.
    let login = an_get_token(&mut server)
        .with_body(an_token_body("anna-1", Some("600")))
        .expect(1)
        .create();
    let busy = server
        .mock("POST", AN_LINK)
        .match_header("authorization", bearer("anna-1").as_str())
        .with_status(503)
        .with_body("busy")
        .expect(3)
        .create();
    let client = an_client(&server, &config(&clock));
    let started = Instant::now();
    let e = assert_kind(an_link_call(&client), ErrorKind::HttpStatus);
    eprintln!(
        "503 x 3 (AnnA Messenger/Link) after {:?}",
        started.elapsed()
    );
    assert_eq!(e.http_status(), Some(503));
    assert!(e.is_transient());
    login.assert();
    busy.assert();

    // A login (uContact getUserToken) that always gets 503.
    let login503 = uc_login(&mut server).with_status(503).expect(3).create();
    let task = server.mock("POST", UC_TASK).expect(0).create();
    let uc = uc_client(&server, &config(&clock));
    let started = Instant::now();
    let e = assert_kind(uc_call(&uc), ErrorKind::HttpStatus);
    eprintln!("503 x 3 (uContact login) after {:?}", started.elapsed());
    assert_eq!(e.http_status(), Some(503));
    drop(uc); // no session: no EndSession
    login503.assert();
    task.assert();

    // A generic call hands any status but 401 back as it came (docs/c-api.md: "Any
    // HTTP status other than 401 is returned as TB_OK"): still exactly 3 attempts,
    // then the last 503 as the answer.
    let yt_login_mock = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 600))
        .expect(1)
        .create();
    let wallet = yt_wallet(&mut server, "tok-1")
        .with_status(503)
        .with_body("busy")
        .expect(3)
        .create();
    let yt = yt_client(&server, &config(&clock));
    let started = Instant::now();
    let r = yt_call(&yt).unwrap();
    eprintln!(
        "503 x 3 (Yativo generic call) after {:?}",
        started.elapsed()
    );
    assert_eq!((r.status, r.text().unwrap()), (503, "busy"));
    yt_login_mock.assert();
    wallet.assert();
}

#[test]
fn wrong_password_is_one_request_and_rejected() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let cfg = config(&clock);
    let protected = server.mock("POST", UC_TASK).expect(0).create();
    let end = server.mock("POST", UC_END).expect(0).create();
    let protected_yt = server.mock("GET", YT_WALLET).expect(0).create();
    let protected_an = server.mock("POST", AN_LINK).expect(0).create();

    // uContact: HTTP 200 with body `0`.
    let uc_bad = uc_login(&mut server).with_body("0").expect(1).create();
    let uc = uc_client(&server, &cfg);
    let e = assert_kind(uc_call(&uc), ErrorKind::Rejected);
    assert!(!e.to_string().contains(UC_PASS), "{e}");
    drop(uc);
    uc_bad.assert();

    // Yativo: an error envelope (with HTTP 401).
    let yt_bad = yt_login(&mut server)
        .with_status(401)
        .with_body(
            r#"{"status":"error","status_code":401,"message":"Invalid credentials","data":null}"#,
        )
        .expect(1)
        .create();
    let yt = yt_client(&server, &cfg);
    let e = assert_kind(yt_call(&yt), ErrorKind::Rejected);
    assert_eq!(e.vendor_message(), Some("Invalid credentials"));
    yt_bad.assert();

    // AnnA: success: false inside an HTTP 200.
    let an_bad = an_get_token(&mut server)
        .with_body(r#"{"success":false,"message":"User COMPANY@integration is inactive."}"#)
        .expect(1)
        .create();
    let an = an_client(&server, &cfg);
    let e = assert_kind(an_link_call(&an), ErrorKind::Rejected);
    assert_eq!(
        e.vendor_message(),
        Some("User COMPANY@integration is inactive.")
    );
    an_bad.assert();

    protected.assert();
    end.assert();
    protected_yt.assert();
    protected_an.assert();
}

/// A local port with nothing listening on it.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

#[test]
fn connection_refused_is_retried_then_a_connect_error() {
    let clock = Arc::new(ManualClock::new());
    let url = format!("http://127.0.0.1:{}", closed_port());
    // 2 retries, delays of 50–100 ms each (base = cap = 100 ms): at least 100 ms.
    let slow = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(100),
    };
    let client = yativo::Client::new(
        &url,
        yativo::Credentials::new("acct_1", "app-secret"),
        &config(&clock).retry(slow),
    )
    .unwrap();
    let started = Instant::now();
    let e = assert_kind(client.login(), ErrorKind::Transport(TransportKind::Connect));
    let retried = started.elapsed();
    assert!(e.is_transient());
    assert!(!e.to_string().contains("app-secret"), "{e}");

    // The same without retries: one attempt, no backoff. Above, the 100 ms at least
    // can only come from two backoffs of 50-100 ms each.
    let client = yativo::Client::new(
        &url,
        yativo::Credentials::new("acct_1", "app-secret"),
        &config(&clock).retry(RetryPolicy::none()),
    )
    .unwrap();
    let started = Instant::now();
    assert_kind(client.login(), ErrorKind::Transport(TransportKind::Connect));
    let once = started.elapsed();
    eprintln!("connection refused: {retried:?} with 2 retries, {once:?} without");
    assert!(retried >= Duration::from_millis(100), "{retried:?}");
    assert!(retried < Duration::from_secs(2), "{retried:?}");
    assert!(once < Duration::from_secs(1), "{once:?}");
}

#[test]
fn connection_reset_before_an_answer_is_retried() {
    // A server that accepts connections, reads the request and hangs up without a
    // word. It counts the connections until it is told to stop.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let acceptor = {
        let (accepted, stop) = (accepted.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().take(100) {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { break };
                accepted.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = io::Read::read(&mut stream, &mut buf);
                drop(stream);
            }
        })
    };
    let clock = Arc::new(ManualClock::new());
    let client = anna::Client::new(
        &format!("http://127.0.0.1:{port}"),
        anna::Credentials::new("COMPANYHASH", "integration", "s3cret"),
        &config(&clock).retry(fast_retries()),
    )
    .unwrap();
    let e = client.get_token().unwrap_err();
    eprintln!("reset before an answer: {e}");
    // Wake the acceptor with one last connection so that it stops.
    stop.store(true, Ordering::SeqCst);
    drop(std::net::TcpStream::connect(("127.0.0.1", port)));
    acceptor.join().unwrap();
    assert_eq!(e.kind(), ErrorKind::Transport(TransportKind::Reset), "{e}");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    assert_eq!(accepted.load(Ordering::SeqCst), 3, "1 attempt + 2 retries");
}

// ---------------------------------------------------------------------------------
// uContact: EndSession on drop / close
// ---------------------------------------------------------------------------------

#[test]
fn dropping_the_last_clone_ends_the_session_once() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = uc_login(&mut server)
        .with_body(format!("\"{}\"", uc_token(1)))
        .expect(1)
        .create();
    let task = uc_task(&mut server, &uc_token(1))
        .expect(1 + 4 * 5)
        .create();
    let end = uc_end(&mut server, &uc_token(1))
        .with_body("1")
        .expect(1)
        .create();
    let client = uc_client(&server, &config(&clock));
    uc_call(&client).unwrap();
    let clones: Vec<_> = (0..4).map(|_| client.clone()).collect();
    drop(client);
    std::thread::scope(|s| {
        for c in clones {
            s.spawn(move || {
                for _ in 0..5 {
                    uc_call(&c).unwrap();
                }
                // Each clone is dropped here, on its own thread.
            });
        }
    });
    login.assert();
    task.assert();
    end.assert();
}

#[test]
fn dropping_without_end_session_on_close_sends_none() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = uc_login(&mut server)
        .with_body(format!("\"{}\"", uc_token(1)))
        .expect(1)
        .create();
    let end = server.mock("POST", UC_END).expect(0).create();
    let client = uc_client(&server, &config(&clock).end_session_on_close(false));
    client.token().unwrap();
    assert!(client.has_session());
    let clone = client.clone();
    drop(client);
    drop(clone);
    // close() with the setting off sends nothing either.
    let client = uc_client(&server, &config(&clock).end_session_on_close(false));
    client.set_token(uc_token(9), None).unwrap();
    client.close().unwrap();
    login.assert();
    end.assert();
}

#[test]
fn dropping_without_a_session_sends_none() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let end = server.mock("POST", UC_END).expect(0).create();
    let client = uc_client(&server, &config(&clock));
    assert!(!client.has_session());
    drop(client);
    end.assert();
}

#[test]
fn close_reports_a_failing_end_session() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    // uContact's `0`: the server did not end the session.
    let end = uc_end(&mut server, &uc_token(1))
        .with_body("0")
        .expect(1)
        .create();
    let client = uc_client(&server, &config(&clock));
    client.set_token(uc_token(1), None).unwrap();
    let e = assert_kind(client.close(), ErrorKind::Rejected);
    assert!(!e.to_string().contains(&uc_token(1)), "{e}");
    end.assert();

    // A server error: reported as such.
    let end = uc_end(&mut server, &uc_token(2))
        .with_status(500)
        .expect(1)
        .create();
    let client = uc_client(&server, &config(&clock));
    client.set_token(uc_token(2), None).unwrap();
    assert_kind(client.close(), ErrorKind::HttpStatus);
    end.assert();

    // Nothing listening: a transport error, not a panic, and no retry storm.
    let clock2 = clock.clone();
    let client = ucontact::Client::new(
        &format!("http://127.0.0.1:{}", closed_port()),
        ucontact::Credentials::api_user(UC_USER, UC_PASS),
        &config(&clock2).retry(fast_retries()),
    )
    .unwrap();
    client.set_token(uc_token(3), None).unwrap();
    assert_kind(client.close(), ErrorKind::Transport(TransportKind::Connect));
}

#[test]
fn close_with_a_transient_failure_is_not_repeated_by_the_drop() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    // 503 every time: close() tries 3 times (1 + 2 retries), reports the error, and
    // the drop that follows does not send a second round.
    let end = uc_end(&mut server, &uc_token(1))
        .with_status(503)
        .expect(3)
        .create();
    let client = uc_client(&server, &config(&clock).retry(fast_retries()));
    client.set_token(uc_token(1), None).unwrap();
    let e = assert_kind(client.close(), ErrorKind::HttpStatus);
    assert_eq!(e.http_status(), Some(503));
    end.assert();
}

#[test]
fn explicit_end_session_then_drop_sends_one_end_session() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let login = uc_login(&mut server)
        .with_body(format!("\"{}\"", uc_token(1)))
        .expect(1)
        .create();
    let end = uc_end(&mut server, &uc_token(1))
        .with_body("1")
        .expect(1)
        .create();
    let client = uc_client(&server, &config(&clock));
    let token = client.get_user_token().unwrap();
    assert_eq!(token.expose(), uc_token(1));
    client.end_session().unwrap();
    assert!(!client.has_session());
    client.end_session().unwrap(); // nothing left to end: no request
    let clone = client.clone();
    drop(client);
    drop(clone);
    login.assert();
    end.assert();
}

// ---------------------------------------------------------------------------------
// Manual control: set_token, explicit login/refresh
// ---------------------------------------------------------------------------------

#[test]
fn set_token_is_used_as_is_without_login() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());
    let uc_login_mock = server.mock("POST", UC_LOGIN).expect(0).create();
    let uc_agent_mock = server.mock("POST", UC_AGENT).expect(0).create();
    let yt_login_mock = server.mock("POST", YT_LOGIN).expect(0).create();
    let yt_refresh_mock = server.mock("GET", YT_REFRESH).expect(0).create();
    let an_login_mock = server.mock("POST", AN_TOKEN).expect(0).create();

    let uc_task_mock = uc_task(&mut server, "RnJvbUVsc2V3aGVyZQ==")
        .expect(2)
        .create();
    let uc = uc_client(&server, &config(&clock).end_session_on_close(false));
    uc.set_token("RnJvbUVsc2V3aGVyZQ==", None).unwrap();
    uc_call(&uc).unwrap();
    uc_call(&uc).unwrap();
    assert_eq!(uc.token().unwrap().expose(), "RnJvbUVsc2V3aGVyZQ==");

    let yt_wallet_mock = yt_wallet(&mut server, "elsewhere.jwt").expect(2).create();
    let yt = yt_client(&server, &config(&clock));
    yt.set_token(
        "elsewhere.jwt",
        Some(clock.now() + Duration::from_secs(3600)),
    )
    .unwrap();
    yt_call(&yt).unwrap();
    clock.advance(Duration::from_secs(1800));
    yt_call(&yt).unwrap();

    let an_mock = an_link(&mut server, "anna-elsewhere").expect(1).create();
    let an_custom_mock = an_custom(&mut server, "anna-elsewhere").expect(1).create();
    let an = an_client(&server, &config(&clock));
    an.set_token("anna-elsewhere", None).unwrap();
    an_link_call(&an).unwrap();
    an_call(&an).unwrap();

    // An empty token is refused before anything is sent.
    assert_kind(uc.set_token("", None), ErrorKind::InvalidInput);
    assert_kind(yt.set_token("", None), ErrorKind::InvalidInput);
    assert_kind(an.set_token("", None), ErrorKind::InvalidInput);

    uc_login_mock.assert();
    uc_agent_mock.assert();
    yt_login_mock.assert();
    yt_refresh_mock.assert();
    an_login_mock.assert();
    uc_task_mock.assert();
    yt_wallet_mock.assert();
    an_mock.assert();
    an_custom_mock.assert();
}

#[test]
fn explicit_login_and_refresh_return_the_token() {
    let mut server = Server::new();
    let clock = Arc::new(ManualClock::new());

    // uContact: getUserToken and AgentLogin return the token, which is then used.
    let uc_login_mock = uc_login(&mut server)
        .with_body(format!("[1, \"{}\"]", uc_token(1)))
        .expect(1)
        .create();
    let agent = server
        .mock("POST", UC_AGENT)
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("agent".into(), UC_USER.into()),
            Matcher::UrlEncoded("password".into(), UC_PASS.into()),
        ]))
        .with_body(
            json!({"id": 7, "name": "agent", "token": uc_token(2), "secret": "sip"}).to_string(),
        )
        .expect(1)
        .create();
    let uc_task1 = uc_task(&mut server, &uc_token(1)).expect(1).create();
    let uc_task2 = uc_task(&mut server, &uc_token(2)).expect(1).create();
    let uc = uc_client(&server, &config(&clock).end_session_on_close(false));
    assert_eq!(uc.get_user_token().unwrap().expose(), uc_token(1));
    uc_call(&uc).unwrap();
    let profile = uc.agent_login().unwrap();
    assert_eq!(profile.token.expose(), uc_token(2));
    uc_call(&uc).unwrap();
    uc_login_mock.assert();
    agent.assert();
    uc_task1.assert();
    uc_task2.assert();

    // Yativo: login() and refresh_token() return the token, which is then used.
    let yt_login_mock = yt_login(&mut server)
        .with_body(yt_envelope("tok-1", 600))
        .expect(1)
        .create();
    let yt_refresh_mock = yt_refresh(&mut server, "tok-1")
        .with_body(
            json!({"status": "success", "data": {"access_token": "tok-2", "expires_in": 600}})
                .to_string(),
        )
        .expect(1)
        .create();
    let yt_new = yt_wallet(&mut server, "tok-2").expect(1).create();
    let yt = yt_client(&server, &config(&clock));
    let t = yt.login().unwrap();
    assert_eq!(t.access_token.expose(), "tok-1");
    assert_eq!(t.expires_in, 600);
    let t = yt.refresh_token().unwrap();
    assert_eq!(t.access_token.expose(), "tok-2");
    assert_eq!(t.token_type, "bearer");
    yt_call(&yt).unwrap();
    yt_login_mock.assert();
    yt_refresh_mock.assert();
    yt_new.assert();

    // AnnA: get_token() returns the token, which is then used.
    let an_login_mock = an_get_token(&mut server)
        .with_body(an_token_body("anna-1", Some("600")))
        .expect(1)
        .create();
    let an_mock = an_link(&mut server, "anna-1").expect(1).create();
    let an = an_client(&server, &config(&clock));
    let t = an.get_token().unwrap();
    assert_eq!(t.token.expose(), "anna-1");
    assert_eq!(t.expires_at, Some(clock.now() + Duration::from_secs(600)));
    an_link_call(&an).unwrap();
    an_login_mock.assert();
    an_mock.assert();
}
