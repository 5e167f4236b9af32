//! Calls through real HTTP proxies: Debian's tinyproxy (open, and with Basic
//! credentials) in front of the sandbox, directly (plain http) and behind nginx as a
//! TLS front with a test CA — the lab of `scripts/netlab.sh`, which every language's
//! tests share. Each test checks what crossed the wire: the proxy's log (client
//! connections and CONNECT tunnels), nginx's access log (which TLS connection carried
//! each request), and what the sandbox received (counts, the echoed Host header and
//! body). The lab needs tinyproxy, nginx, openssl and curl: as root it installs them,
//! otherwise the tests fail with the `sudo apt-get install` command to run.

// The lab is Linux processes (tinyproxy, nginx) that this test starts with bash; a
// Windows test binary under Wine cannot start them. The Windows DLL's proxied calls
// are scripts/cross.sh's to test.
#![cfg(not(windows))]

#[path = "common/this_test.rs"]
mod this_test;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};
use tokenbridge::anna::{self, MessengerFilter};
use tokenbridge::sandbox::{Sandbox, SandboxOptions};
use tokenbridge::{
    ucontact, yativo, Body, Config, Error, ErrorKind, Method, ProxySetting, RetryPolicy,
    TransportKind,
};

// ---------------------------------------------------------------------------
// The lab.

/// A running `scripts/netlab.sh` lab; stopped (exactly its processes) when dropped.
struct Lab {
    dir: PathBuf,
    vars: BTreeMap<String, String>,
}

impl Lab {
    /// Starts the lab in front of `upstream` (`HOST:PORT`). Panics with the script's
    /// output (e.g. the apt-get command to run) when it cannot start.
    fn start(upstream: &str) -> Lab {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!("tb-netlab-{}-{nanos}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/netlab.sh");
        let started = Instant::now();
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&dir)
            .arg(upstream)
            .output()
            .expect("bash runs scripts/netlab.sh");
        assert!(
            out.status.success(),
            "scripts/netlab.sh start failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "lab started in {} ms: {}",
            started.elapsed().as_millis(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        let env = std::fs::read_to_string(dir.join("env")).expect("the lab wrote DIR/env");
        let vars = env
            .lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Lab { dir, vars }
    }

    fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing from the lab's env"))
    }
    fn https_url(&self) -> &str {
        self.var("TB_LAB_HTTPS_URL")
    }
    fn https_port(&self) -> u16 {
        port_of(self.https_url())
    }
    fn ca_file(&self) -> &str {
        self.var("TB_LAB_CA_FILE")
    }
    fn open_proxy(&self) -> &str {
        self.var("TB_LAB_PROXY")
    }
    fn open_log(&self) -> Log {
        Log::at(self.var("TB_LAB_PROXY_LOG"))
    }
    fn auth_log(&self) -> Log {
        Log::at(self.var("TB_LAB_PROXY_AUTH_LOG"))
    }
    fn https_log(&self) -> Log {
        Log::at(self.var("TB_LAB_HTTPS_LOG"))
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/netlab.sh");
        let _ = Command::new("bash")
            .arg(script)
            .arg("stop")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

/// A log file read from a mark on: what was written since.
struct Log {
    path: PathBuf,
    from: usize,
}

impl Log {
    fn at(path: &str) -> Log {
        let path = PathBuf::from(path);
        let from = std::fs::metadata(&path).map_or(0, |m| m.len() as usize);
        Log { path, from }
    }
    /// The text written since the mark.
    fn since(&self) -> String {
        let all = std::fs::read(&self.path).unwrap_or_default();
        String::from_utf8_lossy(&all[self.from.min(all.len())..]).into_owned()
    }
}

/// What a tinyproxy log says happened since a mark.
#[derive(Debug, PartialEq, Eq)]
struct ProxySaw {
    /// Client connections accepted.
    connections: usize,
    /// CONNECT requests to 127.0.0.1:port.
    tunnels: usize,
    /// Absolute-form requests (`GET http://127.0.0.1:port/...`) to that port.
    forwarded: usize,
}

fn proxy_saw(log: &Log, port: u16) -> ProxySaw {
    let text = log.since();
    ProxySaw {
        connections: text.matches("Connect (file descriptor").count(),
        tunnels: text
            .matches(&format!("): CONNECT 127.0.0.1:{port} HTTP/1."))
            .count(),
        forwarded: text
            .lines()
            .filter(|l| l.contains("Request (file descriptor"))
            .filter(|l| l.contains(&format!(" http://127.0.0.1:{port}/")))
            .count(),
    }
}

/// One line of the TLS front's access log: `CONNECTION REQUESTS TLS "LINE" STATUS`.
#[derive(Debug)]
struct FrontLine {
    connection: u64,
    tls: String,
    request: String,
    status: u16,
}

/// The front's log lines, once there are `n` (nginx writes a request's line after
/// its answer, so the last one may come a moment after the call returned; at most
/// 2 s). Fewer when they do not come.
fn front_lines_when(log: &Log, n: usize) -> Vec<FrontLine> {
    let until = Instant::now() + Duration::from_secs(2);
    let mut lines = front_lines(log);
    while lines.len() < n && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
        lines = front_lines(log);
    }
    lines
}

fn front_lines(log: &Log) -> Vec<FrontLine> {
    log.since()
        .lines()
        .map(|l| {
            let (head, rest) = l.split_once(" \"").expect("a lab access log line");
            let (request, status) = rest.rsplit_once("\" ").expect("a lab access log line");
            let mut head = head.split(' ');
            FrontLine {
                connection: head.next().unwrap().parse().unwrap(),
                tls: head.nth(1).unwrap_or("").to_owned(),
                request: request.to_owned(),
                status: status.trim().parse().unwrap(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Clients.

struct World {
    // Dropped in this order: the lab, then the sandbox it fronts.
    lab: Lab,
    sb: Sandbox,
}

fn world() -> World {
    let sb = Sandbox::start();
    let lab = Lab::start(sb.url().trim_start_matches("http://"));
    World { lab, sb }
}

/// Where a client goes: the TLS front or the sandbox itself (plain http).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Https,
    Http,
}

impl World {
    fn base(&self, target: Target) -> String {
        match target {
            Target::Https => self.lab.https_url().to_owned(),
            Target::Http => self.sb.url().to_owned(),
        }
    }
    fn port(&self, target: Target) -> u16 {
        match target {
            Target::Https => self.lab.https_port(),
            Target::Http => self.sb.port(),
        }
    }
    /// The Host header the sandbox receives for that target.
    fn host(&self, target: Target) -> String {
        format!("127.0.0.1:{}", self.port(target))
    }
    /// The settings for a target through `proxy`: https trusts the lab's CA and
    /// nothing in plain http; plain http is allowed only for the plain target.
    fn config(&self, target: Target, proxy: ProxySetting) -> Config {
        Config::default()
            .allow_http(target == Target::Http)
            .extra_ca_file(self.lab.ca_file())
            .proxy(proxy)
            .retry(RetryPolicy::none())
            .timeout_connect(Duration::from_secs(5))
            .timeout_receive(Duration::from_secs(10))
    }
    fn yativo(&self, target: Target, proxy: ProxySetting) -> yativo::Client {
        yativo::Client::new(
            &format!("{}/yativo/api/v1", self.base(target)),
            self.sb.yativo_credentials(),
            &self.config(target, proxy),
        )
        .unwrap()
    }
    fn anna(&self, target: Target, proxy: ProxySetting) -> anna::Client {
        anna::Client::new(
            &format!("{}/anna/", self.base(target)),
            self.sb.anna_credentials(),
            &self.config(target, proxy),
        )
        .unwrap()
    }
    fn ucontact(&self, target: Target, proxy: ProxySetting) -> ucontact::Client {
        ucontact::Client::new(
            &format!("{}/ucontact", self.base(target)),
            self.sb.ucontact_credentials(),
            &self.config(target, proxy),
        )
        .unwrap()
    }
}

fn url(proxy: &str) -> ProxySetting {
    ProxySetting::Url(proxy.to_owned())
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// The value of a header in a sandbox echo (`[[name, value], ...]`).
fn echoed_header(echo: &Value, name: &str) -> Option<String> {
    echo["headers"]
        .as_array()?
        .iter()
        .find_map(|h| (h[0] == name).then(|| h[1].as_str().unwrap_or_default().to_owned()))
}

/// A JSON body of about `n` bytes with what a byte-rewriting layer would break:
/// multi-byte UTF-8, quotes, CR/LF, and text that looks like HTTP.
fn payload(n: usize) -> Value {
    let unit = "ação ü € \"quoted\" \r\nPOST /x HTTP/1.1\r\nHost: y\r\n\r\n";
    let mut s = String::new();
    while s.len() < n {
        s.push_str(unit);
    }
    json!({"text": s, "n": 12345, "nested": {"ok": true}})
}

/// Logs in to all three APIs through `proxy` and makes an authenticated call on each,
/// checking what the sandbox received and answered. Returns the number of API
/// requests made (logins included).
fn three_apis(w: &World, target: Target, proxy: &str) -> u64 {
    let host = w.host(target);
    let body = payload(40_000); // more than two TLS records

    let ya = w.yativo(target, url(proxy));
    let token = ya.login().unwrap();
    assert!(!token.access_token.expose().is_empty());
    let r = ya.call(Method::Get, "wallet/balance", Body::None).unwrap();
    assert_eq!(r.status, 200);
    let v = json_of(&r.body);
    assert_eq!(
        v["data"]["account_id"],
        w.sb.options().yativo_account,
        "{v}"
    );
    assert_eq!(v["data"]["balances"][0]["currency"], "USD", "{v}");
    assert_eq!(
        echoed_header(&v["data"]["echo"], "host").as_deref(),
        Some(host.as_str()),
        "{v}"
    );

    let an = w.anna(target, url(proxy));
    an.get_token().unwrap();
    let r = an
        .call(
            Method::Post,
            "REST/AnnACorporate/Ping",
            Body::Json(body.clone()),
        )
        .unwrap();
    let v = json_of(&r.body);
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(v["data"]["user"], w.sb.options().anna_user);
    assert!(v["data"]["received"] == body, "the body arrived changed");
    assert_eq!(
        echoed_header(&v["data"]["echo"], "host").as_deref(),
        Some(host.as_str())
    );
    let count = an
        .messenger_alert_counter(&anna::User::id("42"), &MessengerFilter::default())
        .unwrap();
    assert!(count > 0, "user 42 has open requests in the sandbox");

    let uc = w.ucontact(target, url(proxy));
    uc.get_user_token().unwrap();
    let r = uc
        .call(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
            Body::Json(body.clone()),
        )
        .unwrap();
    let v = json_of(&r.body);
    assert_eq!(v["user"], w.sb.options().ucontact_user, "{v}");
    assert!(v["received"] == body, "the body arrived changed");
    assert_eq!(
        echoed_header(&v["echo"], "host").as_deref(),
        Some(host.as_str())
    );
    uc.close().unwrap(); // EndSession, through the proxy too

    let stats = w.sb.stats();
    for key in [
        "yativo.login",
        "yativo.call",
        "anna.GetToken",
        "anna.call",
        "anna.AlertCounter",
        "ucontact.getUserToken",
        "ucontact.call",
        "ucontact.EndSession",
    ] {
        assert_eq!(stats[key], 1, "{key}: {stats:?}");
    }
    8
}

/// Checks that one proxy carried the calls to `target` and that the other saw none.
fn assert_carried(w: &World, target: Target, used: &Log, other: &Log, front: &Log, clients: usize) {
    let port = w.port(target);
    let saw = proxy_saw(used, port);
    // ureq tunnels plain http too; an absolute-form request would be fine as well.
    assert!(
        saw.tunnels + saw.forwarded > 0,
        "the proxy carried nothing to port {port}: {saw:?}\n{}",
        used.since()
    );
    if saw.tunnels > 0 {
        // One tunnel per client at most (each has its own pool).
        assert!(saw.tunnels <= clients, "{saw:?}\n{}", used.since());
    }
    assert!(saw.connections <= clients, "{saw:?}\n{}", used.since());
    assert_eq!(other.since(), "", "the other proxy was used");
    let lines = front_lines_when(front, if target == Target::Https { 8 } else { 0 });
    match target {
        Target::Https => {
            assert_eq!(saw.forwarded, 0, "https is always a tunnel");
            assert_eq!(lines.len(), 8, "{lines:?}");
            for l in &lines {
                assert!(l.tls.starts_with("TLSv1."), "{l:?}");
                assert!(l.status == 200, "{l:?}");
            }
            assert!(lines
                .iter()
                .any(|l| l.request == "POST /anna/REST/AnnACorporate/Ping HTTP/1.1"));
        }
        Target::Http => assert!(
            lines.is_empty(),
            "plain http went to the TLS front: {lines:?}"
        ),
    }
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn the_three_apis_work_through_the_open_proxy_to_https_and_plain_http() {
    let w = world();
    for target in [Target::Https, Target::Http] {
        w.sb.reset();
        let (open, auth, front) = (w.lab.open_log(), w.lab.auth_log(), w.lab.https_log());
        let started = Instant::now();
        let n = three_apis(&w, target, w.lab.open_proxy());
        eprintln!(
            "{target:?} through the open proxy: {n} requests in {} ms",
            started.elapsed().as_millis()
        );
        assert_carried(&w, target, &open, &auth, &front, 3);
        eprintln!(
            "{target:?}: the proxy saw {:?}",
            proxy_saw(&open, w.port(target))
        );
    }
}

#[test]
fn the_three_apis_work_through_the_basic_auth_proxy() {
    let w = world();
    for target in [Target::Https, Target::Http] {
        w.sb.reset();
        let (open, auth, front) = (w.lab.open_log(), w.lab.auth_log(), w.lab.https_log());
        three_apis(&w, target, w.lab.var("TB_LAB_PROXY_AUTH"));
        assert_carried(&w, target, &auth, &open, &front, 3);
        // The credentials went to the proxy only: the sandbox never echoes them, so
        // check the proxy did not refuse anything either.
        let text = auth.since();
        assert!(!text.contains("401") && !text.contains("407"), "{text}");
    }
}

/// What a user reads when the proxy refuses the tunnel: kind Proxy, the proxy named
/// without credentials, the status it answered, and neither the user name nor a
/// password (plain or as the Basic header's base64).
fn assert_proxy_refusal(e: &Error, proxy_hostport: &str, status: &str, secrets: &[&str]) {
    assert_eq!(
        e.kind(),
        ErrorKind::Transport(TransportKind::Proxy),
        "{e} / {e:?}"
    );
    let text = e.to_string();
    let debug = format!("{e:?}");
    assert!(
        text.contains(&format!("http://{proxy_hostport}")),
        "the message does not name the proxy http://{proxy_hostport}: {text}"
    );
    assert!(
        text.contains(status),
        "the message does not say {status}: {text}"
    );
    for s in secrets {
        assert!(!text.contains(s), "the message holds {s:?}: {text}");
        assert!(!debug.contains(s), "the Debug form holds {s:?}: {debug}");
    }
}

#[test]
fn a_refused_proxy_login_is_a_proxy_error_naming_the_proxy_and_status_without_credentials() {
    let w = world();
    let user = w.lab.var("TB_LAB_PROXY_USER").to_owned();
    let password = w.lab.var("TB_LAB_PROXY_PASSWORD").to_owned();
    let bad = w.lab.var("TB_LAB_PROXY_BAD_PASSWORD").to_owned();
    let hostport = w
        .lab
        .var("TB_LAB_PROXY_AUTH_URL")
        .trim_start_matches("http://")
        .to_owned();
    let basic = |p: &str| base64::engine::general_purpose::STANDARD.encode(format!("{user}:{p}"));
    let secrets = [
        user.as_str(),
        password.as_str(),
        bad.as_str(),
        &basic(&bad),
        &basic(&password),
    ];
    let none_status = w.lab.var("TB_LAB_PROXY_AUTH_NONE_STATUS").to_owned();
    let bad_status = w.lab.var("TB_LAB_PROXY_AUTH_BAD_STATUS").to_owned();
    assert_eq!(
        none_status, "407",
        "tinyproxy asks for credentials with a 407"
    );

    for target in [Target::Https, Target::Http] {
        w.sb.reset();
        let auth = w.lab.auth_log();
        // No credentials: the proxy answers 407.
        let e = w
            .yativo(target, url(w.lab.var("TB_LAB_PROXY_AUTH_URL")))
            .login()
            .unwrap_err();
        eprintln!("{target:?}, no credentials: {e}");
        assert_proxy_refusal(&e, &hostport, &none_status, &secrets);
        // A wrong password (tinyproxy 1.11 answers it 401, which the lab measured).
        let e = w
            .anna(target, url(w.lab.var("TB_LAB_PROXY_AUTH_BAD")))
            .get_token()
            .unwrap_err();
        eprintln!("{target:?}, wrong password: {e}");
        assert_proxy_refusal(&e, &hostport, &bad_status, &secrets);
        // The proxy was asked (the CONNECTs are in its log) and refused: nothing
        // reached the sandbox.
        let saw = proxy_saw(&auth, w.port(target));
        assert_eq!(saw.tunnels + saw.forwarded, 2, "{saw:?}\n{}", auth.since());
        assert_eq!(w.sb.count("requests"), 0, "{:?}", w.sb.stats());
    }
}

#[test]
fn a_hundred_sequential_calls_through_the_proxy_use_one_tunnel() {
    let w = world();
    for target in [Target::Https, Target::Http] {
        w.sb.reset();
        let (open, front) = (w.lab.open_log(), w.lab.https_log());
        let ya = w.yativo(target, url(w.lab.open_proxy()));
        let started = Instant::now();
        ya.login().unwrap();
        for i in 0..100 {
            let r = ya.call(Method::Get, "wallet/balance", Body::None).unwrap();
            assert_eq!(r.status, 200, "call {i}");
        }
        eprintln!(
            "{target:?}: login + 100 calls through the proxy in {} ms",
            started.elapsed().as_millis()
        );
        assert_eq!(w.sb.count("yativo.login"), 1);
        assert_eq!(w.sb.count("yativo.call"), 100);
        let saw = proxy_saw(&open, w.port(target));
        eprintln!("{target:?}: the proxy saw {saw:?}");
        // One client connection to the proxy carried all 101 requests...
        assert_eq!(saw.connections, 1, "{saw:?}\n{}", open.since());
        match target {
            Target::Https => {
                // ...in one tunnel, to one TLS connection of the front.
                assert_eq!(saw.tunnels, 1, "{saw:?}\n{}", open.since());
                let lines = front_lines_when(&front, 101);
                assert_eq!(lines.len(), 101);
                assert!(
                    lines.iter().all(|l| l.connection == lines[0].connection),
                    "{lines:?}"
                );
                assert!(lines
                    .iter()
                    .all(|l| l.status == 200 && l.tls.starts_with("TLSv1.")));
            }
            Target::Http => {
                // ...as one tunnel, or as absolute-form requests on one connection.
                assert!(
                    saw.tunnels == 1 || (saw.tunnels == 0 && saw.forwarded == 101),
                    "{saw:?}\n{}",
                    open.since()
                );
                assert!(front_lines(&front).is_empty());
            }
        }
        // And the sandbox saw one connection (the tunnel's, or nginx's kept-alive one).
        assert_eq!(w.sb.count("connections"), 1, "{:?}", w.sb.stats());
    }
}

// ---------------------------------------------------------------------------
// The proxy from the environment, in child processes (setting the environment of a
// running multi-threaded test process is not safe).

const CHILD: &str = "TB_PROXY_TEST_CHILD";
const PROXY_VARS: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// In the child: a Yativo login and an authenticated call to `TB_PROXY_TEST_URL`
/// with the proxy setting left to the environment. Prints what the sandbox echoed.
fn child_calls() {
    let base = std::env::var("TB_PROXY_TEST_URL").unwrap();
    // The default proxy setting: from the environment.
    let mut config = Config::default()
        .retry(RetryPolicy::none())
        .timeout_connect(Duration::from_secs(5))
        .timeout_receive(Duration::from_secs(10));
    if base.starts_with("http://") {
        config = config.allow_http(true);
    } else {
        config = config.extra_ca_file(std::env::var("TB_LAB_CA_FILE").unwrap());
    }
    let o = SandboxOptions::default();
    let ya = yativo::Client::new(
        &format!("{base}/yativo/api/v1"),
        yativo::Credentials::new(o.yativo_account, o.yativo_secret),
        &config,
    )
    .unwrap();
    ya.login().unwrap();
    let r = ya.call(Method::Get, "wallet/balance", Body::None).unwrap();
    let v = json_of(&r.body);
    println!(
        "CHILD-OK host={}",
        echoed_header(&v["data"]["echo"], "host").unwrap_or_default()
    );
}

#[test]
fn the_proxy_from_the_environment_and_no_proxy() {
    if std::env::var_os(CHILD).is_some() {
        return child_calls();
    }
    let w = world();
    let open = w.lab.open_proxy().to_owned();
    let auth = w.lab.var("TB_LAB_PROXY_AUTH").to_owned();
    // (environment, target, which proxy carries the calls)
    type Case<'a> = (Vec<(&'a str, &'a str)>, Target, Via);
    let cases: Vec<Case> = vec![
        (vec![("HTTPS_PROXY", &open)], Target::Https, Via::Open),
        (vec![("https_proxy", &auth)], Target::Https, Via::Auth),
        (
            vec![("HTTPS_PROXY", &open), ("NO_PROXY", "127.0.0.1")],
            Target::Https,
            Via::Direct,
        ),
        (
            vec![("https_proxy", &open), ("no_proxy", "localhost,127.0.0.1")],
            Target::Https,
            Via::Direct,
        ),
        (vec![("http_proxy", &open)], Target::Http, Via::Open),
        (vec![("ALL_PROXY", &open)], Target::Https, Via::Open),
        (
            vec![("HTTP_PROXY", &open), ("NO_PROXY", "127.0.0.1")],
            Target::Http,
            Via::Direct,
        ),
        // As curl reads them: HTTPS_PROXY is for https targets only, http_proxy for
        // plain http only.
        (vec![("HTTPS_PROXY", &open)], Target::Http, Via::Direct),
        (vec![("http_proxy", &open)], Target::Https, Via::Direct),
    ];
    // Every case runs, and the failures are listed together at the end.
    let mut failed = Vec::new();
    for (vars, target, via) in cases {
        let case = format!("{vars:?} to {target:?} should go {via:?}");
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            environment_case(&w, &vars, target, via)
        }));
        if run.is_err() {
            failed.push(case);
        }
    }
    assert!(failed.is_empty(), "failed cases:\n{}", failed.join("\n"));
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Via {
    Open,
    Auth,
    Direct,
}

/// One environment case: a child process with `vars` calls `target`; the proxy logs,
/// the TLS front's log and the sandbox say which way the requests went.
fn environment_case(w: &World, vars: &[(&str, &str)], target: Target, via: Via) {
    {
        w.sb.reset();
        let (open_log, auth_log, front) = (w.lab.open_log(), w.lab.auth_log(), w.lab.https_log());
        let mut cmd = this_test::command();
        cmd.args([
            "the_proxy_from_the_environment_and_no_proxy",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ]);
        for v in PROXY_VARS {
            cmd.env_remove(v);
        }
        cmd.env(CHILD, "1")
            .env("TB_PROXY_TEST_URL", w.base(target))
            .env("TB_LAB_CA_FILE", w.lab.ca_file())
            .envs(vars.iter().copied());
        let started = Instant::now();
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("CHILD-OK"),
            "{vars:?} to {target:?}: the child failed:\n{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!(
            "{vars:?} {target:?} -> {via:?}: {} ms",
            started.elapsed().as_millis()
        );
        assert!(
            stdout.contains(&format!("CHILD-OK host={}", w.host(target))),
            "{stdout}"
        );
        assert_eq!(w.sb.count("yativo.login"), 1);
        assert_eq!(w.sb.count("yativo.call"), 1);
        let port = w.port(target);
        let (o, a) = (proxy_saw(&open_log, port), proxy_saw(&auth_log, port));
        let none = ProxySaw {
            connections: 0,
            tunnels: 0,
            forwarded: 0,
        };
        match via {
            Via::Open => {
                assert!(o.tunnels + o.forwarded > 0, "{vars:?}: {o:?}");
                assert_eq!(a, none, "{vars:?}");
            }
            Via::Auth => {
                assert!(a.tunnels == 1, "{vars:?}: {a:?}\n{}", auth_log.since());
                assert_eq!(o, none, "{vars:?}");
            }
            Via::Direct => {
                assert_eq!(
                    o,
                    none,
                    "{vars:?}: went through the open proxy\n{}",
                    open_log.since()
                );
                assert_eq!(a, none, "{vars:?}: went through the auth proxy");
            }
        }
        // (Waiting for an https case's two lines, so none comes late into the next.)
        let lines = front_lines_when(&front, if target == Target::Https { 2 } else { 0 });
        match target {
            // The requests reached the TLS front, directly or through the tunnel.
            Target::Https => assert_eq!(lines.len(), 2, "{vars:?}: {lines:?}"),
            Target::Http => assert!(lines.is_empty(), "{vars:?}: {lines:?}"),
        }
    }
}
