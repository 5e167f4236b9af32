//! Logging: one record per request, retry and login, and no secret in any record at
//! any level that reaches a logger wrapped in `tokenbridge::logging::Redacting` (as
//! the C ABI's callback is) — ours or a dependency's.
//!
//! The test captures every record of every target at TRACE with a logger that is
//! *not* wrapped, so it sees what ureq logs: ureq-proto logs every byte it writes
//! and reads at TRACE (16 bytes a row, hex and ASCII), and the test rebuilds those
//! byte streams from the hex and searches them too. It checks that every record
//! holding a secret is one that `may_hold_secrets` names (so a ureq upgrade that
//! logs secrets under another target or level fails here), replays the records
//! through `Redacting`, and finds none there.
//!
//! One test in this file: the logger is global to the process.

mod common;

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use common::server::{Reply, Seen, Server};
use log::Log;
use serde_json::json;
use tokenbridge::logging::{may_hold_secrets, Redacting};
use tokenbridge::{anna, ucontact, yativo, Config, Method, ProxySetting, Request, RetryPolicy};

struct Capture(Mutex<Vec<(log::Level, String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        self.0.lock().unwrap().push((
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let c: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(c).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        c
    })
}

const UC_PASSWORD: &str = "uc-pass-w0rd-!";
const UC_TOKEN: &str = "dWNVc2VyOjEyMzQ1Njc4OTA=";
const YT_SECRET: &str = "yativo-app-secret-42";
const YT_TOKEN_1: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.first-token-sig";
const YT_TOKEN_2: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIyIn0.second-token-sig";
const AN_HASH: &str = "COMPANY-HASH-9f8e7d";
const AN_PASS: &str = "anna-pass-secret";
const AN_TOKEN: &str = "anna-jwt-token-abcdef123456";
const AN_USER_HASH: &str = "user-access-hash-777";

fn yativo_ok(data: serde_json::Value) -> Reply {
    Reply::json(
        200,
        json!({"status": "success", "message": "ok", "data": data}),
    )
}

fn metadata(level: log::Level, target: &str) -> log::Metadata<'_> {
    log::Metadata::builder().level(level).target(target).build()
}

/// What a logger wrapped in `Redacting` gets of `records`.
fn through_redacting(
    records: &[(log::Level, String, String)],
) -> Vec<(log::Level, String, String)> {
    let wrapped = Redacting::new(Capture(Mutex::new(Vec::new())));
    for (level, target, msg) in records {
        wrapped.log(
            &log::Record::builder()
                .level(*level)
                .target(target)
                .args(format_args!("{msg}"))
                .build(),
        );
    }
    let passed = wrapped.inner().0.lock().unwrap().clone();
    passed
}

fn server() -> Server {
    let flaky = std::sync::atomic::AtomicUsize::new(0);
    Server::start(move |seen: &Seen| match seen.path.as_str() {
        "/uc/Integra/resources/auth/getUserToken" => {
            if seen
                .form()
                .iter()
                .any(|(k, v)| k == "password" && v == UC_PASSWORD)
            {
                Reply::json(200, json!(UC_TOKEN))
            } else {
                Reply::text(200, "0")
            }
        }
        "/uc/Integra/resources/auth/EndSession" => Reply::text(200, "1"),
        "/uc/Integra/resources/Other" => Reply::text(200, "[]"),
        "/yt/auth/login" => {
            if seen.json()["app_secret"] == YT_SECRET {
                yativo_ok(json!({"access_token": YT_TOKEN_1, "expires_in": 600}))
            } else {
                Reply::json(
                    401,
                    json!({"status": "failed", "message": "Request failed.", "data": {"error": "Invalid login credentials"}}),
                )
            }
        }
        "/yt/auth/refresh-token" => {
            yativo_ok(json!({"access_token": YT_TOKEN_2, "expires_in": 600}))
        }
        "/yt/wallet" => {
            // Every other call first gets a 503: a retry in the log.
            if flaky
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                .is_multiple_of(2)
            {
                Reply::text(503, "busy")
            } else {
                Reply::Chunked {
                    status: 200,
                    headers: vec![],
                    body: format!(
                        "{{\"status\":\"success\",\"data\":{{\"echo\":\"{YT_TOKEN_2}\"}}}}"
                    )
                    .into_bytes(),
                }
            }
        }
        "/an/REST/Credentials/GetToken" => Reply::json(
            200,
            json!({"success": true, "message": "", "data": {"Token": AN_TOKEN, "ExpiresIn": "3600"}}),
        ),
        "/an/REST/AnnACorporate/User/UserHash" => Reply::json(
            200,
            json!({"success": true, "message": "", "accessData": {"Hash": AN_USER_HASH, "ChatURL": "https://chat/x", "EmbeddedURL": "", "Expires": "20991231235959"}}),
        ),
        _ => Reply::text(404, "no"),
    })
}

fn config() -> Config {
    Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .retry(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
}

/// The bytes that hex-dump rows (of any target) show, rebuilt from their hex
/// columns, one stream per run of consecutive rows, with whether every row of the
/// stream is a record `may_hold_secrets` names.
fn wire_streams(records: &[(log::Level, String, String)]) -> Vec<(Vec<u8>, bool)> {
    let mut streams = vec![(Vec::new(), true)];
    for (level, target, msg) in records {
        let is_row = msg.len() >= 40 && {
            let hex = &msg[..msg.find("  ").unwrap_or(0)];
            !hex.is_empty()
                && hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ' ' || c == '-')
        };
        if !is_row {
            if !streams.last().unwrap().0.is_empty() {
                streams.push((Vec::new(), true));
            }
            continue;
        }
        let hex = &msg[..msg.find("  ").unwrap()];
        let digits: String = hex.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        let last = streams.last_mut().unwrap();
        last.1 &= may_hold_secrets(&metadata(*level, target));
        for pair in digits.as_bytes().chunks(2) {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16) {
                last.0.push(b);
            }
        }
    }
    streams
}

#[test]
fn no_record_at_any_level_holds_a_secret() {
    let cap = capture();
    let server = server();
    let base = server.url();

    // uContact: a login, a call, EndSession on close; and a wrong password.
    let uc = ucontact::Client::new(
        &format!("{base}/uc"),
        ucontact::Credentials::api_user("agent", UC_PASSWORD),
        &config(),
    )
    .unwrap();
    uc.send(&Request::new(Method::Post, "Integra/resources/Other").form([("x", "1")]))
        .unwrap();
    uc.close().unwrap();
    let wrong = ucontact::Client::new(
        &format!("{base}/uc"),
        ucontact::Credentials::api_user("agent", "wrong-pass-xyz"),
        &config().end_session_on_close(false),
    )
    .unwrap();
    assert!(wrong.get_user_token().is_err());

    // Yativo: a login, a refresh, calls that are retried after a 503, a bad login.
    let yt = yativo::Client::new(
        &format!("{base}/yt"),
        yativo::Credentials::new("acct", YT_SECRET),
        &config(),
    )
    .unwrap();
    yt.login().unwrap();
    yt.refresh_token().unwrap();
    for _ in 0..2 {
        yt.send_data(&Request::new(Method::Get, "wallet")).unwrap();
    }
    let bad = yativo::Client::new(
        &format!("{base}/yt"),
        yativo::Credentials::new("acct", "not-the-secret-1"),
        &config(),
    )
    .unwrap();
    assert!(bad.login().is_err());

    // AnnA: a token, a user hash whose answer is a secret.
    let an = anna::Client::new(
        &format!("{base}/an"),
        anna::Credentials::new(AN_HASH, "integration", AN_PASS),
        &config(),
    )
    .unwrap();
    an.user_hash("42", None).unwrap();

    let records = cap.0.lock().unwrap().clone();
    let secrets = [
        UC_PASSWORD,
        "wrong-pass-xyz",
        UC_TOKEN,
        YT_SECRET,
        "not-the-secret-1",
        YT_TOKEN_1,
        YT_TOKEN_2,
        AN_HASH,
        AN_PASS,
        AN_TOKEN,
        AN_USER_HASH,
    ];
    // The test would pass vacuously if nothing were logged: check what was.
    let ours: Vec<&String> = records
        .iter()
        .filter(|(_, t, _)| t.starts_with("tokenbridge"))
        .map(|(_, _, m)| m)
        .collect();
    assert!(
        ours.iter()
            .any(|m| m.contains("POST Integra/resources/Other -> 200")),
        "one record per request: {ours:#?}"
    );
    assert!(ours.iter().any(|m| m.contains("retrying in")), "{ours:#?}");
    assert!(ours.iter().any(|m| m.contains("logging in")), "{ours:#?}");
    assert!(ours.iter().any(|m| m.contains("refreshing")), "{ours:#?}");
    assert!(
        ours.iter().any(|m| m.contains("ending the session")),
        "{ours:#?}"
    );
    let rows = records
        .iter()
        .filter(|(_, t, _)| t.starts_with("ureq_proto"))
        .count();
    assert!(rows > 50, "ureq-proto's TRACE rows were captured ({rows})");

    // Every record that holds a secret is one the filter names...
    let mut named = 0;
    for (level, target, msg) in &records {
        for s in secrets {
            let form: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            if msg.contains(s) || msg.contains(&form) {
                assert!(
                    may_hold_secrets(&metadata(*level, target)),
                    "{level} {target}: a secret in a record the filter lets through: {msg}"
                );
                named += 1;
            }
        }
    }
    let streams = wire_streams(&records);
    assert!(
        streams.iter().map(|s| s.0.len()).sum::<usize>() > 1000,
        "the wire was logged"
    );
    let mut in_streams = 0;
    for (stream, all_named) in &streams {
        let text = String::from_utf8_lossy(stream);
        for s in secrets {
            if let Some(at) = text.find(s) {
                assert!(
                    all_named,
                    "a secret in a wire dump the filter lets through: ...{}...",
                    &text[at.saturating_sub(40)..]
                );
                in_streams += 1;
            }
        }
    }
    // ...and ureq does log them (else this test would prove nothing).
    assert!(
        in_streams > 5,
        "secrets in ureq-proto's wire dump: {in_streams}"
    );
    eprintln!("{named} records and {in_streams} wire dumps held a secret; all named by the filter");
    // Through Redacting: no secret, no dump row; our records and ureq's DEBUG ones
    // (with the Authorization header left out) are all there.
    let passed = through_redacting(&records);
    for (level, target, msg) in &passed {
        for s in secrets {
            let form: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
            assert!(
                !msg.contains(s) && !msg.contains(&form),
                "{level} {target}: a secret passed Redacting: {msg}"
            );
        }
    }
    assert!(wire_streams(&passed).iter().all(|s| s.0.is_empty()));
    assert_eq!(
        passed
            .iter()
            .filter(|(_, t, _)| t.starts_with("tokenbridge"))
            .count(),
        ours.len()
    );
    assert!(
        passed.iter().any(|(l, t, m)| *l == log::Level::Debug
            && t.starts_with("ureq")
            && m.contains("HEADERS ARE REDACTED")),
        "ureq's DEBUG request heads pass, the Authorization header left out"
    );

    // The logger here is not wrapped: the first client said so, once.
    let warnings = records
        .iter()
        .filter(|(l, t, m)| {
            *l == log::Level::Warn
                && t == "tokenbridge"
                && m.contains("tokenbridge::logging::Redacting")
        })
        .count();
    assert_eq!(warnings, 1);

    // And the calls themselves worked with the real values (the wire was right).
    assert!(server
        .seen()
        .iter()
        .any(|s| s.header("authorization") == Some(&format!("Bearer {YT_TOKEN_1}")[..])));
}
