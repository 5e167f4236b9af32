//! The `tokenbridge` executable as a user runs it: the built binary, against the
//! sandbox on 127.0.0.1, its profiles from the quickstart's variables or a TOML
//! file, its tokens kept in a file store under a per-test cache folder.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokenbridge::sandbox::{Fault, Sandbox};

const EXE: &str = env!("CARGO_BIN_EXE_tokenbridge");

/// A fresh folder for one test (config and cache homes).
fn home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tb-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::create_dir_all(dir.join("cache")).unwrap();
    dir
}

/// The command, with the quickstart's variables pointing at `sb` and its config and
/// cache folders under `home`; nothing of the caller's environment that would change
/// what it does.
fn tb(sb: &Sandbox, home: &Path) -> Command {
    let mut c = Command::new(EXE);
    for (k, _) in std::env::vars() {
        if k.starts_with("TOKENBRIDGE_") || k.to_ascii_lowercase().ends_with("_proxy") {
            c.env_remove(k);
        }
    }
    let o = sb.options();
    c.env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        // Windows: the CLI reads %APPDATA% and %LOCALAPPDATA% before the known folders.
        .env("APPDATA", home.join("config"))
        .env("LOCALAPPDATA", home.join("cache"))
        .env("HOME", home)
        .env("RUST_BACKTRACE", "0")
        .env("TOKENBRIDGE_ALLOW_HTTP", "1")
        .env("TOKENBRIDGE_UCONTACT_SERVER", sb.ucontact_url())
        .env("TOKENBRIDGE_UCONTACT_USER", &o.ucontact_user)
        .env("TOKENBRIDGE_UCONTACT_PASSWORD", &o.ucontact_password)
        .env("TOKENBRIDGE_UCONTACT_AGENT", &o.ucontact_agent)
        .env(
            "TOKENBRIDGE_UCONTACT_AGENT_PASSWORD",
            &o.ucontact_agent_password,
        )
        .env("TOKENBRIDGE_YATIVO_URL", sb.yativo_url())
        .env("TOKENBRIDGE_YATIVO_ACCOUNT", &o.yativo_account)
        .env("TOKENBRIDGE_YATIVO_SECRET", &o.yativo_secret)
        .env("TOKENBRIDGE_ANNA_URL", sb.anna_url())
        .env("TOKENBRIDGE_ANNA_HASH", &o.anna_company_hash)
        .env("TOKENBRIDGE_ANNA_USER", &o.anna_user)
        .env("TOKENBRIDGE_ANNA_PASS", &o.anna_pass)
        .stdin(Stdio::null());
    c
}

/// Runs it with these arguments.
fn run(sb: &Sandbox, home: &Path, args: &[&str]) -> Output {
    tb(sb, home).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The exit code, or a panic showing what the command said.
fn code(o: &Output) -> i32 {
    o.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal; stderr: {}", stderr(o)))
}

/// Runs it, expects exit 0, and returns stdout.
fn ok(sb: &Sandbox, home: &Path, args: &[&str]) -> String {
    let o = run(sb, home, args);
    assert_eq!(code(&o), 0, "{args:?}: stderr: {}", stderr(&o));
    stdout(&o)
}

/// Runs it, expects JSON on stdout.
fn json(sb: &Sandbox, home: &Path, args: &[&str]) -> Value {
    let out = ok(sb, home, args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// Every secret of the sandbox's three profiles.
fn secrets(sb: &Sandbox) -> Vec<String> {
    let o = sb.options();
    vec![
        o.ucontact_password,
        o.ucontact_agent_password,
        o.yativo_secret,
        o.yativo_account,
        o.anna_pass,
        o.anna_company_hash,
    ]
}

#[test]
fn token_in_every_format_from_one_login() {
    let sb = Sandbox::start();
    let h = home("formats");
    let raw = ok(&sb, &h, &["token", "yativo"]);
    let t = raw.trim_end_matches('\n');
    assert!(t.starts_with("eyJ") && raw.ends_with('\n') && !t.contains('\n'));
    let j = json(&sb, &h, &["token", "yativo", "--format", "json"]);
    assert_eq!(j["token"], t);
    assert_eq!(j["scheme"], "Bearer");
    assert_eq!(j["authorization"], format!("Bearer {t}"));
    let left = j["expires_in"].as_u64().unwrap();
    assert!((590..=600).contains(&left), "{j}");
    let expires = j["expires_at"].as_str().unwrap().to_owned();
    assert!(expires.ends_with('Z') && expires.starts_with("20"), "{j}");
    assert_eq!(
        ok(&sb, &h, &["token", "yativo", "-f", "header"]),
        format!("Authorization: Bearer {t}\n")
    );
    assert_eq!(
        ok(&sb, &h, &["token", "yativo", "-f", "env"]),
        format!(
            "export TOKENBRIDGE_TOKEN='{t}'\nexport TOKENBRIDGE_TOKEN_EXPIRES_AT='{expires}'\n"
        )
    );
    assert_eq!(
        ok(
            &sb,
            &h,
            &["token", "yativo", "-f", "powershell", "--name", "YA"]
        ),
        format!("$env:YA = '{t}'\n$env:YA_EXPIRES_AT = '{expires}'\n")
    );
    assert_eq!(
        ok(&sb, &h, &["token", "yativo", "-f", "cmd"]),
        format!(
            "set \"TOKENBRIDGE_TOKEN={t}\"\r\nset \"TOKENBRIDGE_TOKEN_EXPIRES_AT={expires}\"\r\n"
        )
    );
    // Six runs, one login: the token was kept between them.
    assert_eq!(sb.count("yativo.login"), 1);
    assert_eq!(sb.count("yativo.refresh"), 0);

    // uContact's token is sent as Basic and has no expiry.
    let uc = json(&sb, &h, &["token", "ucontact", "-f", "json"]);
    assert_eq!(uc["scheme"], "Basic");
    assert!(uc["expires_at"].is_null());
    let header = ok(&sb, &h, &["token", "ucontact", "-f", "header"]);
    assert_eq!(
        header,
        format!("Authorization: Basic {}\n", uc["token"].as_str().unwrap())
    );
    let env = ok(&sb, &h, &["token", "ucontact", "-f", "env"]);
    assert_eq!(env.lines().count(), 1, "{env}");
    assert_eq!(sb.count("ucontact.getUserToken"), 1);
    let o = run(&sb, &h, &["token", "yativo", "--name", "1BAD"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a variable name"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn the_env_format_is_what_a_shell_evaluates() {
    let sb = Sandbox::start();
    let h = home("eval");
    let raw = ok(&sb, &h, &["token", "anna"]);
    let script = format!(
        "eval \"$('{EXE}' token anna --format env)\" && printf '%s\\n' \"$TOKENBRIDGE_TOKEN\""
    );
    // The same environment as `tb` gives the command, for the shell that runs it.
    let env = tb(&sb, &h);
    let o = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .envs(
            env.get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), raw);
    assert_eq!(sb.count("anna.GetToken"), 1);
}

#[test]
fn two_calls_log_in_once_and_no_cache_logs_in_each_time() {
    let sb = Sandbox::start();
    let h = home("once");
    for _ in 0..2 {
        let body: Value =
            serde_json::from_str(&ok(&sb, &h, &["call", "yativo", "GET", "wallet/balance"]))
                .unwrap();
        assert_eq!(body["status"], "success");
    }
    let stats: Value = ureq_stats(&sb);
    assert_eq!(stats["yativo.login"], 1, "{stats}");
    assert_eq!(stats["yativo.call"], 2, "{stats}");
    for _ in 0..2 {
        ok(
            &sb,
            &h,
            &["--no-cache", "call", "yativo", "GET", "wallet/balance"],
        );
    }
    assert_eq!(sb.count("yativo.login"), 3);
    // uContact: the kept session is used by later calls and not ended by them...
    for _ in 0..2 {
        ok(
            &sb,
            &h,
            &[
                "call",
                "ucontact",
                "POST",
                "Integra/resources/Dialers/DialerTask",
            ],
        );
    }
    assert_eq!(sb.count("ucontact.getUserToken"), 1);
    assert_eq!(sb.count("ucontact.EndSession"), 0);
    // ...while a --no-cache call ends the session it opened, as the vendor asks.
    ok(
        &sb,
        &h,
        &[
            "--no-cache",
            "call",
            "ucontact",
            "POST",
            "Integra/resources/Dialers/DialerTask",
        ],
    );
    assert_eq!(sb.count("ucontact.getUserToken"), 2);
    assert_eq!(sb.count("ucontact.EndSession"), 1);
}

/// The statistics as the control endpoint gives them to any process.
fn ureq_stats(sb: &Sandbox) -> Value {
    let mut stream = std::net::TcpStream::connect(sb.url().trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET /__sandbox/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    serde_json::from_str(body).unwrap()
}

#[test]
fn call_sends_query_headers_and_each_kind_of_body() {
    let sb = Sandbox::start();
    let h = home("call");
    let ping = "REST/AnnACorporate/Ping";
    let data = |out: &str| -> Value { serde_json::from_str::<Value>(out).unwrap()["data"].clone() };

    let d = data(&ok(
        &sb,
        &h,
        &[
            "call",
            "anna",
            "POST",
            ping,
            "-q",
            "a=1 2",
            "-q",
            "b=x&y",
            "-H",
            "X-Request-Id: req-7",
            "--json",
            r#"{"n": 1}"#,
        ],
    ));
    assert_eq!(d["received"], serde_json::json!({"n": 1}));
    assert_eq!(
        d["echo"]["query"],
        serde_json::json!([["a", "1 2"], ["b", "x&y"]])
    );
    assert!(d["echo"]["headers"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(["x-request-id", "req-7"])));

    let file = h.join("body.json");
    std::fs::write(&file, r#"{"from": "file"}"#).unwrap();
    let at_file = format!("@{}", file.display());
    let d = data(&ok(
        &sb,
        &h,
        &["call", "anna", "POST", ping, "--json", &at_file],
    ));
    assert_eq!(d["received"]["from"], "file");

    let mut child = tb(&sb, &h)
        .args(["call", "anna", "POST", ping, "--json", "@-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"from": "stdin"}"#)
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(data(&stdout(&o))["received"]["from"], "stdin");

    let d = data(&ok(
        &sb,
        &h,
        &[
            "call",
            "anna",
            "POST",
            ping,
            "--form",
            "campaign=Sales & more",
            "--form",
            "n=2",
        ],
    ));
    assert_eq!(
        d["received"],
        serde_json::json!({"campaign": "Sales & more", "n": "2"})
    );

    let d = data(&ok(
        &sb,
        &h,
        &[
            "call",
            "anna",
            "POST",
            ping,
            "--data",
            &at_file,
            "--content-type",
            "application/json",
        ],
    ));
    assert_eq!(d["received"]["from"], "file");

    // -i: the status line and headers first, then the body, as curl -i.
    let out = ok(&sb, &h, &["call", "yativo", "GET", "wallet/balance", "-i"]);
    let (head, body) = out.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("content-type: application/json"), "{head}");
    assert_eq!(
        serde_json::from_str::<Value>(body).unwrap()["status"],
        "success"
    );

    // An idempotency key is sent and a repeated POST is answered from the first run.
    let payout = r#"{"amount": "10.00", "currency": "USD", "beneficiary_id": "ben_1"}"#;
    let first = ok(
        &sb,
        &h,
        &[
            "call",
            "yativo",
            "POST",
            "payouts",
            "--json",
            payout,
            "--idempotency-key",
            "order-4711",
        ],
    );
    let again = ok(
        &sb,
        &h,
        &[
            "call",
            "yativo",
            "POST",
            "payouts",
            "--json",
            payout,
            "--idempotency-key",
            "order-4711",
        ],
    );
    assert_eq!(first, again);
    assert_eq!(sb.count("yativo.payouts_executed"), 1);
    assert_eq!(sb.count("yativo.payout"), 2);

    // A refusal inside an HTTP 200 (AnnA's success: false) is exit 4 with the reason,
    // scrubbed of the company hash; the body is printed as it came.
    let o = sb.options();
    let refused = h.join("inactive.json");
    std::fs::write(
        &refused,
        format!(
            r#"{{"hash": "{}", "userId": "7", "startService": ""}}"#,
            o.anna_company_hash
        ),
    )
    .unwrap();
    let at_refused = format!("@{}", refused.display());
    let r = run(
        &sb,
        &h,
        &[
            "call",
            "anna",
            "POST",
            "REST/AnnACorporate/User/UserHash",
            "--json",
            &at_refused,
        ],
    );
    assert_eq!(code(&r), 4, "{}", stderr(&r));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout(&r)).unwrap()["success"],
        false
    );
    let e = stderr(&r);
    assert!(
        e.contains("AnnA rejected the request: User ***@7 is inactive"),
        "{e}"
    );
    assert!(!e.contains(&o.anna_company_hash), "{e}");
    // A 4xx with the vendor's reason: exit 5, the reason on stderr.
    let r = run(
        &sb,
        &h,
        &["call", "yativo", "POST", "payouts", "--json", "{}"],
    );
    assert_eq!(code(&r), 5, "{}", stderr(&r));
    assert!(
        stderr(&r).contains("HTTP 422: amount: The amount field is required."),
        "{}",
        stderr(&r)
    );

    // Mistakes name the flag.
    for (args, needle) in [
        (
            &["call", "anna", "POST", ping, "--json", "{nope"][..],
            "--json: not valid JSON",
        ),
        (
            &[
                "call",
                "anna",
                "POST",
                ping,
                "--data",
                "inline",
                "--content-type",
                "text/plain",
            ][..],
            "--data takes @FILE",
        ),
        (
            &["call", "anna", "POST", ping, "-q", "novalue"][..],
            "-q `novalue` is not NAME=VALUE",
        ),
        (&["call", "anna", "FETCH", ping][..], "is not one of GET"),
        (&["call", "nosuch", "GET", "x"][..], "no profile `nosuch`"),
    ] {
        let o = run(&sb, &h, args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn every_operation_prints_its_typed_answer() {
    let sb = Sandbox::start();
    let h = home("ops");
    let t = json(&sb, &h, &["ucontact", "get-user-token", "ucontact"]);
    assert!(!t["token"].as_str().unwrap().is_empty());
    let p = json(&sb, &h, &["ucontact", "agent-login", "ucontact-agent"]);
    assert!(!p["token"].as_str().unwrap().is_empty(), "{p}");
    assert!(
        p.get("secret").is_none() && p.get("md5secret").is_none(),
        "{p}"
    );
    // end-session ends the kept session (the one `token` and `call` use).
    let kept = ok(&sb, &h, &["token", "ucontact"]);
    assert_ne!(kept.trim(), t["token"].as_str().unwrap());
    let e = json(&sb, &h, &["ucontact", "end-session", "ucontact"]);
    assert_eq!(e["ended"], true);
    assert_eq!(sb.count("ucontact.EndSession"), 1);
    let o = run(&sb, &h, &["ucontact", "agent-login", "ucontact"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("login = \"agent\""), "{}", stderr(&o));

    let y = json(&sb, &h, &["yativo", "login", "yativo"]);
    assert_eq!(y["token_type"], "bearer");
    assert_eq!(y["expires_in"], 600);
    let r = json(&sb, &h, &["yativo", "refresh-token", "yativo"]);
    assert!(r["access_token"].as_str().unwrap().starts_with("eyJ"));
    assert_ne!(r["access_token"], y["access_token"]);
    let o = run(&sb, &h, &["yativo", "login", "anna"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("is a AnnA profile; this command needs a Yativo one"),
        "{}",
        stderr(&o)
    );

    let a = json(&sb, &h, &["anna", "get-token", "anna"]);
    assert!(a["expires_at"].as_str().unwrap().ends_with('Z'), "{a}");
    let hash = json(&sb, &h, &["anna", "user-hash", "anna", "42"]);
    assert!(hash["chat_url"]
        .as_str()
        .unwrap()
        .contains(hash["hash"].as_str().unwrap()));
    assert_eq!(hash["expires_raw"].as_str().unwrap().len(), 14);
    let forced = json(
        &sb,
        &h,
        &[
            "anna",
            "user-hash-forced",
            "anna",
            "99",
            "Nova Pessoa",
            "--start-service",
            "support",
        ],
    );
    assert!(!forced["hash"].as_str().unwrap().is_empty());
    let s = json(&sb, &h, &["anna", "structure", "anna"]);
    assert!(!s["departments"].as_array().unwrap().is_empty(), "{s}");
    assert!(s.get("companies_hash").is_none());
    let year = ["--from", "01/01/2024", "--to", "2024-12-31"];
    let n = json(
        &sb,
        &h,
        &[&["anna", "alert-counter", "anna", "42"][..], &year].concat(),
    );
    assert_eq!(n["alert_counter"], 1);
    let by_doc = json(
        &sb,
        &h,
        &[
            &[
                "anna",
                "alert-counter",
                "anna",
                "--doc-type",
                "CPF",
                "--doc-value",
                "12345678900",
            ][..],
            &year,
        ]
        .concat(),
    );
    assert_eq!(by_doc["alert_counter"], 1);
    let reqs = json(
        &sb,
        &h,
        &[&["anna", "requests", "anna", "42"][..], &year].concat(),
    );
    assert_eq!(reqs.as_array().unwrap().len(), 2, "{reqs}");
    assert!(reqs[0]["raw"].is_object());
    let pending = json(
        &sb,
        &h,
        &[
            &[
                "anna",
                "requests",
                "anna",
                "42",
                "--pending",
                "yes",
                "--status",
                "open",
            ][..],
            &year,
        ]
        .concat(),
    );
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    let link = json(&sb, &h, &["anna", "link", "anna", "42"]);
    assert!(link["link"].as_str().unwrap().starts_with("http://"));
    let gone = json(&sb, &h, &["anna", "inactivate", "anna", "99"]);
    assert!(!gone["message"].as_str().unwrap().is_empty());
    for key in [
        "ucontact.getUserToken",
        "ucontact.AgentLogin",
        "ucontact.EndSession",
        "yativo.login",
        "yativo.refresh",
        "anna.GetToken",
        "anna.UserHash",
        "anna.UserHashForced",
        "anna.Inactivate",
        "anna.Structure",
        "anna.AlertCounter",
        "anna.Requests",
        "anna.Link",
    ] {
        assert!(sb.count(key) >= 1, "the sandbox never saw {key}");
    }
    // The AnnA operations shared one token across eight runs (get-token is a fresh one).
    assert_eq!(sb.count("anna.GetToken"), 2);
    // A rejected request: exit 4 with AnnA's reason.
    let o = run(&sb, &h, &["anna", "user-hash", "anna", "99"]);
    assert_eq!(code(&o), 4);
    assert!(stderr(&o).contains("is inactive"), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1);
}

#[test]
fn logout_ends_the_session_and_forgets_the_token() {
    let sb = Sandbox::start();
    let h = home("logout");
    let before = ok(&sb, &h, &["token", "ucontact"]);
    assert_eq!(ok(&sb, &h, &["logout", "ucontact"]), "");
    assert_eq!(sb.count("ucontact.EndSession"), 1);
    let after = ok(&sb, &h, &["token", "ucontact"]);
    assert_ne!(before, after);
    assert_eq!(sb.count("ucontact.getUserToken"), 2);

    ok(&sb, &h, &["token", "yativo"]);
    ok(&sb, &h, &["logout", "yativo"]);
    ok(&sb, &h, &["token", "yativo"]);
    assert_eq!(sb.count("yativo.login"), 2);
    ok(&sb, &h, &["logout", "anna"]);
    ok(&sb, &h, &["token", "anna"]);
    assert_eq!(sb.count("anna.GetToken"), 1);
}

#[test]
fn profiles_list_names_apis_and_urls_but_no_secret() {
    let sb = Sandbox::start();
    let h = home("profiles");
    let text = ok(&sb, &h, &["profiles"]);
    for name in ["ucontact ", "ucontact-agent ", "yativo ", "anna "] {
        assert!(text.contains(name), "{text}");
    }
    assert!(
        text.contains(&sb.yativo_url()) && text.contains("variable TOKENBRIDGE_YATIVO_SECRET"),
        "{text}"
    );
    let j = json(&sb, &h, &["profiles", "--json"]);
    assert_eq!(j["profiles"].as_array().unwrap().len(), 4);
    let store = j["profiles"][0]["token_store"].as_str().unwrap();
    assert!(
        store.starts_with("file://") && store.contains("tb-cli-"),
        "{store}"
    );
    let all = format!("{text}{j}");
    for s in secrets(&sb) {
        assert!(!all.contains(&s), "{s} in {all}");
    }
}

/// A profiles file for the sandbox's Yativo account, with `extra` lines.
fn profiles_file(sb: &Sandbox, h: &Path, extra: &str) -> PathBuf {
    let o = sb.options();
    let path = h.join("profiles.toml");
    std::fs::write(
        &path,
        format!(
            "[profiles.ya]\napi = \"yativo\"\nurl = \"{}\"\naccount_id = \"{}\"\nallow_http = true\ntimeout_connect = 5\n{extra}\n",
            sb.yativo_url(),
            o.yativo_account
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_profiles_file_replaces_the_environment_and_refuses_secret_values() {
    let sb = Sandbox::start();
    let h = home("file");
    let path = profiles_file(&sb, &h, "password_env = \"MY_YATIVO_SECRET\"");
    let cfg = path.to_str().unwrap();
    let o = tb(&sb, &h)
        .args(["--config", cfg, "token", "ya"])
        .env("MY_YATIVO_SECRET", sb.options().yativo_secret)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // TOKENBRIDGE_CONFIG names it too; the environment's profiles are gone then.
    let o = tb(&sb, &h)
        .env("TOKENBRIDGE_CONFIG", cfg)
        .args(["token", "yativo"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no profile `yativo` in") && stderr(&o).contains("known: ya"),
        "{}",
        stderr(&o)
    );
    // The variable unset: exit 9, naming it.
    let o = run(&sb, &h, &["--config", cfg, "token", "ya"]);
    assert_eq!(code(&o), 9);
    assert!(
        stderr(&o).contains("MY_YATIVO_SECRET is not set"),
        "{}",
        stderr(&o)
    );
    // The platform's place: XDG_CONFIG_HOME/tokenbridge/profiles.toml.
    let xdg = h.join("config").join("tokenbridge");
    std::fs::create_dir_all(&xdg).unwrap();
    std::fs::copy(&path, xdg.join("profiles.toml")).unwrap();
    let listed = ok(&sb, &h, &["profiles"]);
    assert!(
        listed.contains("profiles.toml") && listed.contains("ya "),
        "{listed}"
    );
    // A secret written into the file is refused, and not repeated.
    let bad = profiles_file(&sb, &h, "password = \"hunter2-in-file\"");
    let o = run(&sb, &h, &["--config", bad.to_str().unwrap(), "token", "ya"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("must not hold the secret itself") && !stderr(&o).contains("hunter2"),
        "{}",
        stderr(&o)
    );
    // A misspelt setting is named.
    let typo = profiles_file(&sb, &h, "pasword_env = \"X\"");
    let o = run(&sb, &h, &["--config", typo.to_str().unwrap(), "profiles"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("pasword_env"), "{}", stderr(&o));
    assert_eq!(sb.count("yativo.login"), 1);
}

#[test]
fn secrets_given_as_arguments_are_refused() {
    let sb = Sandbox::start();
    let h = home("argsecret");
    for (args, needle) in [
        (
            &["token", "yativo", "--password", "hunter2"][..],
            "password_env",
        ),
        (
            &["token", "anna", "--company-hash=hunter2"][..],
            "company_hash_env",
        ),
        (
            &["--secret", "hunter2", "yativo", "login", "yativo"][..],
            "password_command",
        ),
        (
            &["call", "yativo", "GET", "x", "--token=hunter2"][..],
            "gets and keeps the profile's token itself",
        ),
        (
            &[
                "call",
                "yativo",
                "GET",
                "x",
                "-H",
                "Authorization: Bearer hunter2",
            ][..],
            "sends the profile's token itself",
        ),
        (
            &[
                "call",
                "ucontact",
                "POST",
                "x",
                "--form",
                "password=hunter2",
            ][..],
            "--data @FILE",
        ),
        (
            &["call", "ucontact", "POST", "x", "-q", "token=hunter2"][..],
            "visible in ps",
        ),
    ] {
        let o = run(&sb, &h, args);
        assert_eq!(code(&o), 2, "{args:?}");
        let e = stderr(&o);
        assert!(e.contains(needle), "{args:?}: {e}");
        assert!(!e.contains("hunter2"), "{args:?}: {e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }
    assert_eq!(sb.stats()["requests"], 0);
}

#[test]
fn exit_codes_for_a_wrong_password_an_http_500_and_a_timeout() {
    let sb = Sandbox::start();
    let h = home("codes");
    for (var, profile, reason) in [
        (
            "TOKENBRIDGE_YATIVO_SECRET",
            "yativo",
            "Invalid login credentials",
        ),
        (
            "TOKENBRIDGE_UCONTACT_PASSWORD",
            "ucontact",
            "uContact getUserToken",
        ),
        ("TOKENBRIDGE_ANNA_PASS", "anna", "AnnA GetToken"),
    ] {
        let o = tb(&sb, &h)
            .env(var, "wrong")
            .args(["token", profile])
            .output()
            .unwrap();
        assert_eq!(code(&o), 3, "{profile}: {}", stderr(&o));
        assert!(stderr(&o).contains(reason), "{profile}: {}", stderr(&o));
        assert_eq!(stdout(&o), "");
    }
    // An HTTP 500: exit 5; call still prints the body, the operation names the status.
    sb.set_fault(Fault::new("/yativo/api/v1/wallet").status(500));
    let o = run(&sb, &h, &["call", "yativo", "GET", "wallet/balance"]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(stderr(&o).contains("HTTP 500"), "{}", stderr(&o));
    assert!(!stdout(&o).is_empty());
    sb.set_fault(Fault::new("/anna/REST/AnnACorporate/Messenger/Structure").status(500));
    let o = run(&sb, &h, &["anna", "structure", "anna"]);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    // AnnA's answer in its own shape, with a 500: a server failure, not a refusal.
    let e = stderr(&o);
    assert!(
        e.starts_with("tokenbridge: AnnA Messenger/Structure:") && e.contains("500"),
        "{e}"
    );
    // A timeout: exit 7, well before the sandbox would answer.
    sb.set_fault(Fault::new("/yativo/api/v1/wallet").delay(Duration::from_secs(5)));
    let started = Instant::now();
    let o = run(
        &sb,
        &h,
        &[
            "--timeout",
            "0.5",
            "call",
            "yativo",
            "GET",
            "wallet/balance",
        ],
    );
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(stderr(&o).contains("timed out"), "{}", stderr(&o));
    // Nothing listening: exit 6.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let o = tb(&sb, &h)
        .env(
            "TOKENBRIDGE_YATIVO_URL",
            format!("http://127.0.0.1:{port}/api/v1"),
        )
        .args(["--no-cache", "token", "yativo"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 6, "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn ctrl_c_cancels_the_call_and_exits_130_at_once() {
    let sb = Sandbox::start();
    let h = home("sigint");
    ok(&sb, &h, &["token", "yativo"]);
    sb.set_fault(Fault::new("/yativo/api/v1/wallet").delay(Duration::from_secs(30)));
    let child = tb(&sb, &h)
        .args(["call", "yativo", "GET", "wallet/balance"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded) until the request is at the server, then interrupt.
    let until = Instant::now() + Duration::from_secs(10);
    while sb.count("yativo.call") == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(sb.count("yativo.call"), 1);
    let sent = Instant::now();
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    assert_eq!(code(&o), 130, "{}", stderr(&o));
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert!(stderr(&o).contains("cancelled"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn password_command_and_password_file_with_their_failures() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::start();
    let h = home("sources");
    let secret = sb.options().yativo_secret;
    let cmd = profiles_file(
        &sb,
        &h,
        &format!("password_command = \"printf '%s\\\\n' '{secret}'\""),
    );
    let cfg = cmd.to_str().unwrap();
    let t = ok(&sb, &h, &["--config", cfg, "--no-cache", "token", "ya"]);
    assert!(t.starts_with("eyJ"));
    let failing = profiles_file(
        &sb,
        &h,
        "password_command = \"echo 'vault: permission denied for secret/yativo' >&2; exit 3\"",
    );
    let o = run(
        &sb,
        &h,
        &["--config", failing.to_str().unwrap(), "token", "ya"],
    );
    assert_eq!(code(&o), 9);
    let e = stderr(&o);
    assert!(
        e.contains("password_command")
            && e.contains("exited 3: vault: permission denied for secret/yativo"),
        "{e}"
    );

    let file = h.join("yativo.secret");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let with_file = profiles_file(&sb, &h, &format!("password_file = \"{}\"", file.display()));
    let o = run(
        &sb,
        &h,
        &["--config", with_file.to_str().unwrap(), "token", "ya"],
    );
    assert_eq!(code(&o), 9);
    assert!(
        stderr(&o).contains("mode 0644") && stderr(&o).contains("chmod 600"),
        "{}",
        stderr(&o)
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let t2 = ok(
        &sb,
        &h,
        &["--config", with_file.to_str().unwrap(), "token", "ya"],
    );
    assert!(t2.starts_with("eyJ"));
    assert_eq!(sb.count("yativo.login"), 2);
}

#[test]
fn verbose_shows_the_wire_and_no_secret() {
    let sb = Sandbox::start();
    let h = home("verbose");
    let mut seen = String::new();
    let mut tokens = Vec::new();
    for args in [
        &[
            "-v",
            "--no-cache",
            "call",
            "yativo",
            "GET",
            "wallet/balance",
        ][..],
        &[
            "-vv",
            "--no-cache",
            "call",
            "anna",
            "POST",
            "REST/AnnACorporate/Ping",
            "--json",
            "{}",
        ][..],
        &[
            "-vv",
            "--no-cache",
            "call",
            "ucontact",
            "POST",
            "Integra/resources/Dialers/DialerTask",
        ][..],
        &["-vv", "ucontact", "agent-login", "ucontact-agent"][..],
        &["-vv", "token", "yativo"][..],
    ] {
        let o = run(&sb, &h, args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        seen.push_str(&stderr(&o));
        if args.contains(&"token") {
            tokens.push(stdout(&o).trim().to_owned());
        }
    }
    assert!(
        seen.contains("[DEBUG tokenbridge::http] Yativo call: GET wallet/balance -> 200"),
        "{seen}"
    );
    assert!(seen.contains("ureq"), "{seen}");
    assert!(
        seen.contains("Yativo login: logging in account sha256:"),
        "{seen}"
    );
    for s in secrets(&sb).into_iter().chain(tokens) {
        assert!(!seen.contains(&s), "{s} in {seen}");
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = Command::new(EXE)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{shell}");
        let s = stdout(&o);
        assert!(
            s.contains("tokenbridge") && s.contains("user-hash-forced") && s.len() > 1000,
            "{shell}: {s}"
        );
    }
    let o = Command::new(EXE)
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
}

#[test]
fn help_documents_the_exit_codes_and_usage_errors_exit_2() {
    let o = Command::new(EXE).arg("--help").output().unwrap();
    assert_eq!(code(&o), 0);
    let help = stdout(&o);
    for line in [
        "3    the credentials were refused",
        "7    timeout",
        "130  cancelled",
    ] {
        assert!(help.contains(line), "{help}");
    }
    let o = Command::new(EXE).args(["token"]).output().unwrap();
    assert_eq!(code(&o), 2);
    let o = Command::new(EXE).arg("--version").output().unwrap();
    assert_eq!(
        stdout(&o),
        format!("tokenbridge {}\n", tokenbridge::VERSION)
    );
}

#[test]
fn the_sandbox_subcommand_takes_the_flags_of_tokenbridge_sandbox() {
    let h = home("sandbox");
    let o = Command::new(EXE)
        .args(["sandbox", "--help"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).starts_with("usage: tokenbridge sandbox [options]"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("--exit-on-stdin-eof"));
    let o = Command::new(EXE)
        .args(["sandbox", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown argument `--bogus`"));

    let mut child = Command::new(EXE)
        .args([
            "sandbox",
            "--exit-on-stdin-eof",
            "--yativo-secret",
            "other-secret",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut vars = Vec::new();
    for line in lines.by_ref().take(13) {
        let line = line.unwrap();
        let (k, v) = line.split_once('=').unwrap();
        vars.push((k.to_owned(), v.trim_matches('\'').to_owned()));
    }
    assert_eq!(vars[0].0, "TOKENBRIDGE_SANDBOX_URL");
    assert!(vars.contains(&(
        "TOKENBRIDGE_YATIVO_SECRET".to_owned(),
        "other-secret".to_owned()
    )));
    // The printed variables are the environment profiles: the walkthrough's way in.
    let mut c = Command::new(EXE);
    c.args(["token", "yativo"])
        .env("XDG_CACHE_HOME", h.join("cache"))
        .env("XDG_CONFIG_HOME", h.join("config"))
        .env("TOKENBRIDGE_ALLOW_HTTP", "1");
    for (k, v) in vars
        .iter()
        .filter(|(k, _)| k.starts_with("TOKENBRIDGE_YATIVO"))
    {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    drop(child.stdin.take());
    let until = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < until,
            "the sandbox did not stop at the end of its stdin"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
}
