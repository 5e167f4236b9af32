//! Yativo's account id identifies a person (it is the base64 of the account's
//! e-mail address): no log record that reaches a logger tokenbridge installs or
//! wraps (`Redacting`, the C ABI's callback) holds it, raw, decoded or encoded, at
//! any level, over a login, a refresh, calls, payouts, refused calls and a bad
//! login against the sandbox; nor does any error or `Debug`. The log line says
//! which account by its fingerprint.
//!
//! Every record is captured at TRACE with a logger that is *not* wrapped: the only
//! records with the account id must be the ones `may_hold_secrets` names (ureq's
//! TRACE dump of the wire, where the login body carries it), and replayed through
//! `Redacting` none is left.
//!
//! One test in this file: the logger is global to the process.

mod common;

use std::sync::Mutex;

use common::server::{Reply, Seen, Server};

use base64::Engine;
use log::Log;
use serde_json::json;
use tokenbridge::logging::{may_hold_secrets, Redacting};
use tokenbridge::sandbox::{client_config, Fault, Sandbox, SandboxOptions};
use tokenbridge::{yativo, Method, Request};

type Records = Vec<(log::Level, String, String)>;

struct Capture(Mutex<Records>);

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

const EMAIL: &str = "jane.doe+payouts@example.com";

/// The spellings the account id could take in a text: as it is, decoded (the
/// e-mail), form-encoded, JSON-escaped, and the e-mail's local part.
fn spellings(account: &str) -> Vec<String> {
    let form: String = form_urlencoded::byte_serialize(account.as_bytes()).collect();
    let json = serde_json::to_string(account).unwrap();
    vec![
        account.to_owned(),
        EMAIL.to_owned(),
        form,
        json[1..json.len() - 1].replace('/', "\\/"),
        "jane.doe".to_owned(),
    ]
}

/// The hex-dump rows' bytes (ureq-proto logs 16 bytes a row, hex then ASCII),
/// rebuilt as one stream, so a value split across rows is found too.
fn wire(records: &[&(log::Level, String, String)]) -> String {
    let mut bytes = Vec::new();
    for (_, _, msg) in records {
        let Some(hex) = msg.split("  ").next() else {
            continue;
        };
        if msg.len() < 40
            || hex.is_empty()
            || !hex
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ' ' || c == '-')
        {
            continue;
        }
        let digits: Vec<u8> = hex.bytes().filter(u8::is_ascii_hexdigit).collect();
        for pair in digits.chunks(2) {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16) {
                bytes.push(b);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn no_record_error_or_debug_holds_the_account_id() {
    let cap: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
    log::set_logger(cap).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let account = base64::engine::general_purpose::STANDARD.encode(EMAIL);
    assert!(account.contains('+') || account.contains('/') || account.ends_with('='));
    let sb = Sandbox::start_with(SandboxOptions {
        yativo_account: account.clone(),
        ..SandboxOptions::default()
    });
    let credentials = sb.yativo_credentials();
    let fingerprint = credentials.account_fingerprint();
    let client = yativo::Client::new(&sb.yativo_url(), credentials, &client_config()).unwrap();
    let mut texts = vec![
        format!("{client:?}"),
        format!("{:?}", sb.yativo_credentials()),
    ];

    client.login().unwrap();
    client.refresh_token().unwrap();
    let balance = client
        .send_data(&Request::new(Method::Get, "wallet/balance"))
        .unwrap();
    // The sandbox's answer carries the account id (the caller's own data)...
    assert_eq!(balance["account_id"], account.as_str());
    let payout = client
        .send_data(
            &Request::new(Method::Post, "payouts")
                .json(json!({"amount": "10.00", "currency": "USD"})),
        )
        .unwrap();
    client
        .send_data(&Request::new(
            Method::Get,
            format!("payouts/{}", payout["id"].as_str().unwrap()),
        ))
        .unwrap();
    // ...and refused calls and a bad login make errors and their log records.
    sb.set_fault(Fault::new("/yativo/api/v1/wallet").status(503));
    texts.push(
        client
            .send_data(&Request::new(Method::Get, "wallet/balance"))
            .unwrap_err()
            .to_string(),
    );
    texts.push(
        client
            .send_data(&Request::new(Method::Post, "payouts").json(json!({"amount": "x"})))
            .unwrap_err()
            .to_string(),
    );
    let bad = yativo::Client::new(
        &sb.yativo_url(),
        yativo::Credentials::new(account.clone(), "not-the-app-secret"),
        &client_config(),
    )
    .unwrap();
    let e = bad.login().unwrap_err();
    texts.push(format!("{e} {e:?}"));
    // A server that echoes the account id in its refusal (as it came, and
    // JSON-escaped): scrubbed like a secret.
    let echo = Server::start(|seen: &Seen| {
        let id = seen.json()["account_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let quoted = serde_json::to_string(&id).unwrap().replace('/', "\\/");
        let escaped = &quoted[1..quoted.len() - 1];
        Reply::Answer {
            status: 401,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: format!(
                r#"{{"status":"failed","message":"Request failed.","data":{{"error":"Unknown account {id} ({escaped})"}}}}"#
            )
            .into_bytes(),
        }
    });
    let echoed = yativo::Client::new(
        &echo.url(),
        yativo::Credentials::new(account.clone(), "app-secret"),
        &client_config(),
    )
    .unwrap();
    let e = echoed.login().unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(text.contains("Unknown account ***"), "{text}");
    texts.push(text);

    let records = cap.0.lock().unwrap().clone();
    let forms = spellings(&account);
    for text in &texts {
        for f in &forms {
            assert!(
                !text.contains(f.as_str()),
                "`{f}` in an error or Debug: {text}"
            );
        }
    }
    // The log says which account by its fingerprint.
    let expected = {
        let d = ring::digest::digest(&ring::digest::SHA256, account.as_bytes());
        let hex: String = d.as_ref()[..4].iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    };
    assert_eq!(fingerprint, expected);
    let ours: Vec<&String> = records
        .iter()
        .filter(|(_, t, _)| t.starts_with("tokenbridge"))
        .map(|(_, _, m)| m)
        .collect();
    assert!(
        ours.iter()
            .any(|m| m.contains(&format!("Yativo login: logging in account {expected}"))),
        "{ours:#?}"
    );
    assert!(ours.len() >= 8, "one record per request: {ours:#?}");

    // Every record that holds the account id in any spelling is one the filter
    // names (ureq's TRACE dump of the login body)...
    let mut named = 0;
    for (level, target, msg) in &records {
        for f in &forms {
            if msg.contains(f.as_str()) {
                let meta = log::Metadata::builder()
                    .level(*level)
                    .target(target)
                    .build();
                assert!(
                    may_hold_secrets(&meta),
                    "{level} {target}: the account id (`{f}`) in a record the filter lets through: {msg}"
                );
                named += 1;
            }
        }
    }
    // ...and ureq's dump does carry it (else this test proves nothing).
    let all: Vec<&(log::Level, String, String)> = records.iter().collect();
    let dumped = wire(&all);
    assert!(
        dumped.contains(&format!("\"account_id\":\"{account}\"")),
        "the login body was dumped"
    );
    eprintln!(
        "{} records; {named} held the account id whole, and ureq's dump of the login body did across rows: all named by the filter",
        records.len()
    );

    // Through Redacting (what the C ABI's callback gets): none, not even split
    // across rows of a dump.
    let wrapped = Redacting::new(Capture(Mutex::new(Vec::new())));
    for (level, target, msg) in &records {
        wrapped.log(
            &log::Record::builder()
                .level(*level)
                .target(target)
                .args(format_args!("{msg}"))
                .build(),
        );
    }
    let passed = wrapped.inner().0.lock().unwrap().clone();
    assert!(passed.len() >= ours.len());
    for (level, target, msg) in &passed {
        for f in &forms {
            assert!(
                !msg.contains(f.as_str()),
                "{level} {target}: `{f}` passed Redacting: {msg}"
            );
        }
    }
    let passed_refs: Vec<&(log::Level, String, String)> = passed.iter().collect();
    let rest = wire(&passed_refs);
    for f in &forms {
        assert!(
            !rest.contains(f.as_str()),
            "`{f}` in a dump that passed Redacting"
        );
    }
}
