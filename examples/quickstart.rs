//! # Quickstart: the three APIs in one command
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Starts the built-in sandbox (a local server that behaves like uContact, Yativo and
//! AnnA; see `docs/sandbox-contract.md`) and walks through all 13 operations with the
//! public Rust API, printing a short transcript with secrets masked:
//!
//! * uContact: log in an API user (U1), call a protected resource, end the session
//!   (U3); log in an agent (U2) and end its session; a wrong password and the error
//!   a user sees.
//! * Yativo: log in (Y1), refresh (Y2), call a protected resource, then wait until
//!   the token is due and watch the client refresh it silently on the next call.
//! * AnnA: get a token (A1), create or update a user (A3), its hash (A2), the
//!   messenger's structure (A5), alert counter (A6), requests (A7) and link (A8);
//!   inactivate the user (A4), see `UserHash` refused, re-activate it with A3.
//!
//! It exits with status 0 when everything went as expected, 1 when anything did not
//! (the reason is printed on stderr), 2 when the environment variables are
//! inconsistent.
//!
//! ## Against real servers
//!
//! An API whose variables are set is called on the real server; the others still use
//! the sandbox. Set all the variables of a group, or none.
//!
//! | variable | meaning |
//! |---|---|
//! | `TOKENBRIDGE_UCONTACT_SERVER` | cloud domain (`mycompany` → `https://mycompany.ucontactcloud.com`) or full base URL |
//! | `TOKENBRIDGE_UCONTACT_USER`, `TOKENBRIDGE_UCONTACT_PASSWORD` | the API user (U1) |
//! | `TOKENBRIDGE_UCONTACT_AGENT`, `TOKENBRIDGE_UCONTACT_AGENT_PASSWORD` | optional: an agent for U2 (logged into the SIP side too); U2 is skipped without them |
//! | `TOKENBRIDGE_YATIVO_URL` | `production`, `sandbox` (Yativo's online sandbox) or a base URL |
//! | `TOKENBRIDGE_YATIVO_ACCOUNT`, `TOKENBRIDGE_YATIVO_SECRET` | account id and app secret |
//! | `TOKENBRIDGE_ANNA_URL` | the customer's base URL |
//! | `TOKENBRIDGE_ANNA_HASH`, `TOKENBRIDGE_ANNA_USER`, `TOKENBRIDGE_ANNA_PASS` | company hash, API user and password |
//! | `TOKENBRIDGE_ANNA_TEST_USER_ID`, `TOKENBRIDGE_ANNA_TEST_USER_NAME` | a **test** user: the walkthrough creates or updates it, inactivates it and re-activates it |
//! | `TOKENBRIDGE_ALLOW_HTTP` | `1` to allow plain `http://` base URLs (on-premise labs, or a sandbox run with `tokenbridge-sandbox`) |
//!
//! Against real servers, the uContact wrong-password step still goes to the local
//! sandbox (so that your account's failed-login counter is left alone), the generic
//! uContact call is skipped (it could start a dialer task), and the Yativo client is
//! given a [`tokenbridge::ManualClock`] that is moved forward to the refresh point
//! instead of waiting ten minutes.
//!
//! `tokenbridge-sandbox` prints these variables for itself (after its first
//! line): exporting them with `TOKENBRIDGE_ALLOW_HTTP=1` and a test user runs this
//! walkthrough against that separate sandbox process as if it were a real server.
use std::collections::BTreeSet;
use std::fmt::Display;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokenbridge::anna::{self, MessengerFilter};
use tokenbridge::sandbox::{client_config, Sandbox, SandboxOptions};
use tokenbridge::{ucontact, yativo, Body, Clock, Config, Date, ErrorKind, ManualClock, Method};

/// The 13 operations, in API.md's order.
const OPERATIONS: [&str; 13] = [
    "U1", "U2", "U3", "Y1", "Y2", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8",
];

/// How long the sandbox's Yativo tokens live here: short, to show a refresh.
const SANDBOX_YATIVO_LIFETIME: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let started = Instant::now();
    let sb = match Sandbox::try_start_with(quickstart_sandbox_options()) {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("quickstart: cannot start the sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let plan = match Plan::from_env(&sb) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("quickstart: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = io::stdout().lock();
    let out: &mut dyn Write = &mut stdout;
    let _ = writeln!(
        out,
        "tokenbridge {} quickstart; local sandbox at {}\n",
        tokenbridge::VERSION,
        sb.url()
    );
    match run(&plan, out) {
        Ok(summary) => {
            let _ = writeln!(out, "\n{summary}");
            let counts: Vec<String> = sb
                .stats()
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(k, n)| format!("{k}={n}"))
                .collect();
            let _ = writeln!(out, "The local sandbox saw: {}", counts.join(" "));
            let _ = writeln!(out, "Done in {:.1} s.", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = out.flush();
            eprintln!("\nquickstart FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The sandbox this walkthrough expects: the contract's defaults, with short-lived
/// Yativo tokens.
pub fn quickstart_sandbox_options() -> SandboxOptions {
    SandboxOptions {
        yativo_token_lifetime: SANDBOX_YATIVO_LIFETIME,
        ..Default::default()
    }
}

/// Runs the whole walkthrough against a fresh sandbox (for tests).
pub fn run_in_sandbox(out: &mut dyn Write) -> Result<Summary, String> {
    let sb = Sandbox::start_with(quickstart_sandbox_options());
    let summary = run(&Plan::sandbox(&sb), out)?;
    let stats = sb.stats();
    // Every operation reached the server; the silent refresh is the second one.
    for key in [
        "ucontact.getUserToken",
        "ucontact.AgentLogin",
        "ucontact.EndSession",
        "yativo.login",
        "anna.GetToken",
        "anna.UserHash",
        "anna.UserHashForced",
        "anna.Inactivate",
        "anna.Structure",
        "anna.AlertCounter",
        "anna.Requests",
        "anna.Link",
    ] {
        if stats.get(key).copied().unwrap_or(0) == 0 {
            return Err(format!("the sandbox never saw {key}"));
        }
    }
    if stats.get("yativo.refresh").copied() != Some(2) {
        return Err(format!(
            "expected 2 Yativo refreshes (one asked for, one silent), the sandbox saw {:?}",
            stats.get("yativo.refresh")
        ));
    }
    Ok(summary)
}

// ---------------------------------------------------------------------------
// Where each API is called, from the environment or the sandbox.

struct UContactTarget {
    server: String,
    user: ucontact::Credentials,
    agent: Option<ucontact::Credentials>,
    config: Config,
    in_sandbox: bool,
}

struct YativoTarget {
    url: String,
    credentials: yativo::Credentials,
    config: Config,
    in_sandbox: bool,
}

struct AnnaTarget {
    url: String,
    credentials: anna::Credentials,
    test_user_id: String,
    test_user_name: String,
    config: Config,
    in_sandbox: bool,
}

/// The wrong-password step: always the local sandbox.
struct WrongPassword {
    server: String,
    user: String,
    config: Config,
}

pub struct Plan {
    ucontact: UContactTarget,
    yativo: YativoTarget,
    anna: AnnaTarget,
    wrong_password: WrongPassword,
}

/// The value of a variable, if set and not blank.
fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// All the variables of a group, or none of them.
fn group(names: &[&str]) -> Result<Option<Vec<String>>, String> {
    let values: Vec<Option<String>> = names.iter().map(|n| var(n)).collect();
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    let missing: Vec<&str> = names
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| *n)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "set all of {} or none of them; missing: {}",
            names.join(", "),
            missing.join(", ")
        ));
    }
    Ok(Some(values.into_iter().flatten().collect()))
}

impl Plan {
    /// Everything in the sandbox.
    pub fn sandbox(sb: &Sandbox) -> Plan {
        let o = sb.options();
        let config = client_config();
        Plan {
            ucontact: UContactTarget {
                server: sb.ucontact_url(),
                user: sb.ucontact_credentials(),
                agent: Some(sb.agent_credentials()),
                config: config.clone(),
                in_sandbox: true,
            },
            yativo: YativoTarget {
                url: sb.yativo_url(),
                credentials: sb.yativo_credentials(),
                config: config.clone(),
                in_sandbox: true,
            },
            anna: AnnaTarget {
                url: sb.anna_url(),
                credentials: sb.anna_credentials(),
                test_user_id: "42".to_owned(),
                test_user_name: "Ana Souza".to_owned(),
                config: config.clone(),
                in_sandbox: true,
            },
            wrong_password: WrongPassword {
                server: sb.ucontact_url(),
                user: o.ucontact_user,
                config,
            },
        }
    }

    /// The sandbox, with each API whose variables are set replaced by its real server.
    pub fn from_env(sb: &Sandbox) -> Result<Plan, String> {
        let mut plan = Plan::sandbox(sb);
        let allow_http = matches!(
            var("TOKENBRIDGE_ALLOW_HTTP").as_deref(),
            Some("1" | "true" | "yes")
        );
        let real = Config::default().allow_http(allow_http);

        let agent = group(&[
            "TOKENBRIDGE_UCONTACT_AGENT",
            "TOKENBRIDGE_UCONTACT_AGENT_PASSWORD",
        ])?;
        match group(&[
            "TOKENBRIDGE_UCONTACT_SERVER",
            "TOKENBRIDGE_UCONTACT_USER",
            "TOKENBRIDGE_UCONTACT_PASSWORD",
        ])? {
            Some(v) => {
                plan.ucontact = UContactTarget {
                    server: v[0].clone(),
                    user: ucontact::Credentials::api_user(v[1].clone(), v[2].clone()),
                    agent: agent.map(|a| ucontact::Credentials::agent(a[0].clone(), a[1].clone())),
                    config: real.clone(),
                    in_sandbox: false,
                }
            }
            None if agent.is_some() => {
                return Err("TOKENBRIDGE_UCONTACT_AGENT needs TOKENBRIDGE_UCONTACT_SERVER, _USER and _PASSWORD too".into())
            }
            None => {}
        }
        if let Some(v) = group(&[
            "TOKENBRIDGE_YATIVO_URL",
            "TOKENBRIDGE_YATIVO_ACCOUNT",
            "TOKENBRIDGE_YATIVO_SECRET",
        ])? {
            let url = match v[0].to_ascii_lowercase().as_str() {
                "production" => yativo::Environment::Production.base_url().to_owned(),
                "sandbox" => yativo::Environment::Sandbox.base_url().to_owned(),
                _ => v[0].clone(),
            };
            plan.yativo = YativoTarget {
                url,
                credentials: yativo::Credentials::new(v[1].clone(), v[2].clone()),
                config: real.clone(),
                in_sandbox: false,
            };
        }
        if let Some(v) = group(&[
            "TOKENBRIDGE_ANNA_URL",
            "TOKENBRIDGE_ANNA_HASH",
            "TOKENBRIDGE_ANNA_USER",
            "TOKENBRIDGE_ANNA_PASS",
            "TOKENBRIDGE_ANNA_TEST_USER_ID",
            "TOKENBRIDGE_ANNA_TEST_USER_NAME",
        ])? {
            plan.anna = AnnaTarget {
                url: v[0].clone(),
                credentials: anna::Credentials::new(v[1].clone(), v[2].clone(), v[3].clone()),
                test_user_id: v[4].clone(),
                test_user_name: v[5].clone(),
                config: real,
                in_sandbox: false,
            };
        }
        Ok(plan)
    }
}

// ---------------------------------------------------------------------------
// The transcript.

/// What the walkthrough did.
pub struct Summary {
    pub done: BTreeSet<&'static str>,
    pub skipped: Vec<String>,
    pub silent_refresh: bool,
    pub expected_errors: usize,
}

impl Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "All {} of {} operations succeeded",
            self.done.len(),
            OPERATIONS.len()
        )?;
        if !self.skipped.is_empty() {
            write!(f, " ({} skipped)", self.skipped.join("; "))?;
        }
        write!(
            f,
            "; the Yativo token was refreshed silently{}; {} expected errors were reported as such.",
            if self.silent_refresh { "" } else { " (NOT)" },
            self.expected_errors
        )
    }
}

struct Transcript<'a> {
    out: &'a mut dyn Write,
    summary: Summary,
}

impl Transcript<'_> {
    fn section(&mut self, api: &str, url: &str, in_sandbox: bool) {
        let place = if in_sandbox { "sandbox" } else { "real server" };
        let _ = writeln!(self.out, "{api} ({place}: {url})");
    }

    /// One line for an operation (`id` is `U1`... or blank for other steps).
    fn line(&mut self, id: &str, name: &str, text: impl Display) {
        let _ = writeln!(self.out, "  {id:<3} {name:<15} {text}");
    }

    fn done(&mut self, id: &'static str, name: &str, text: impl Display) {
        self.summary.done.insert(id);
        self.line(id, name, text);
    }

    fn expected_error(&mut self, name: &str, error: &tokenbridge::Error) {
        self.summary.expected_errors += 1;
        self.line("", name, "refused, as expected. The error a user sees:");
        let _ = writeln!(self.out, "  {:19} {error}", "");
    }
}

/// The result, or the failure as the message of the run.
fn step<T>(what: &str, result: tokenbridge::Result<T>) -> Result<T, String> {
    result.map_err(|e| format!("{what} failed: {e}"))
}

fn ensure(condition: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if condition {
        Ok(())
    } else {
        Err(what())
    }
}

/// A short, one-line excerpt of a response body.
fn excerpt(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s: String = one_line.chars().take(60).collect();
    if one_line.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// A URL without its query (where the sandbox and AnnA put hashes and tokens).
fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or("")
}

fn seconds_until(at: SystemTime, now: SystemTime) -> u64 {
    at.duration_since(now)
        .unwrap_or_default()
        .as_secs_f64()
        .round() as u64
}

/// Runs the walkthrough as planned, writing the transcript.
pub fn run(plan: &Plan, out: &mut dyn Write) -> Result<Summary, String> {
    let mut t = Transcript {
        out,
        summary: Summary {
            done: BTreeSet::new(),
            skipped: Vec::new(),
            silent_refresh: false,
            expected_errors: 0,
        },
    };
    ucontact_part(plan, &mut t)?;
    yativo_part(&plan.yativo, &mut t)?;
    anna_part(&plan.anna, &mut t)?;
    let missing: Vec<&str> = OPERATIONS
        .iter()
        .filter(|op| !t.summary.done.contains(*op))
        .filter(|op| !(**op == "U2" && plan.ucontact.agent.is_none()))
        .copied()
        .collect();
    ensure(missing.is_empty(), || {
        format!("operations not done: {}", missing.join(", "))
    })?;
    ensure(t.summary.silent_refresh, || {
        "the Yativo token was not refreshed".into()
    })?;
    Ok(t.summary)
}

fn ucontact_part(plan: &Plan, t: &mut Transcript<'_>) -> Result<(), String> {
    let target = &plan.ucontact;
    let new_client = |credentials: &ucontact::Credentials, config: &Config, server: &str| {
        step(
            "creating the uContact client",
            ucontact::Client::new(server, credentials.clone(), config),
        )
    };
    let client = new_client(&target.user, &target.config, &target.server)?;
    t.section("uContact", client.base_url(), target.in_sandbox);

    let token = step("U1 getUserToken", client.get_user_token())?;
    t.done(
        "U1",
        "getUserToken",
        format!(
            "{} logged in; session token {token} ({} chars)",
            target.user.user,
            token.expose().len()
        ),
    );

    if target.in_sandbox {
        let path = "Integra/resources/Dialers/DialerTask";
        let reply = step(
            "uContact call",
            client.call(
                Method::Post,
                path,
                Body::Form(vec![("campaign".into(), "Sales".into())]),
            ),
        )?;
        ensure(reply.status == 200, || {
            format!(
                "POST {path} answered HTTP {}: {}",
                reply.status,
                reply.text().unwrap_or("(not UTF-8)")
            )
        })?;
        t.line(
            "",
            "call",
            format!(
                "POST {path} -> HTTP {} {}",
                reply.status,
                excerpt(reply.text().unwrap_or("(not UTF-8)"))
            ),
        );
    }

    step("U3 EndSession", client.end_session())?;
    ensure(!client.has_session(), || {
        "the client still holds a session after EndSession".into()
    })?;
    t.done(
        "U3",
        "EndSession",
        "session ended; the client holds no token any more",
    );

    match &target.agent {
        Some(agent) => {
            let agent_client = new_client(agent, &target.config, &target.server)?;
            let p = step("U2 AgentLogin", agent_client.agent_login())?;
            let secret = p
                .secret
                .as_ref()
                .map_or("none".to_owned(), |s| s.to_string());
            t.done(
                "U2",
                "AgentLogin",
                format!(
                    "{} logged in: \"{}\" (id {}), context {}, transport {}; SIP secret {secret}, session token {} ({} chars)",
                    agent.user,
                    p.fullname.as_deref().unwrap_or("?"),
                    p.id.map_or("?".to_owned(), |i| i.to_string()),
                    p.context.as_deref().unwrap_or("?"),
                    p.transport.as_deref().unwrap_or("?"),
                    p.token,
                    p.token.expose().len()
                ),
            );
            step("ending the agent's session", agent_client.close())?;
            t.line("U3", "EndSession", "the agent's session ended by close()");
        }
        None => {
            t.summary
                .skipped
                .push("U2: set TOKENBRIDGE_UCONTACT_AGENT and _AGENT_PASSWORD".into());
            t.line("U2", "AgentLogin", "skipped (no agent credentials given)");
        }
    }

    let wp = &plan.wrong_password;
    let wrong = step(
        "creating the uContact client",
        ucontact::Client::new(
            &wp.server,
            ucontact::Credentials::api_user(wp.user.clone(), "not-the-password"),
            &wp.config,
        ),
    )?;
    match wrong.get_user_token() {
        Ok(_) => return Err("a wrong uContact password was accepted".into()),
        Err(e) if e.kind() == ErrorKind::Rejected => {
            let name = if target.in_sandbox {
                "wrong password"
            } else {
                "wrong password*"
            };
            t.expected_error(name, &e);
            if !target.in_sandbox {
                t.line("", "", "(* against the local sandbox, not your server)");
            }
        }
        Err(e) => return Err(format!("a wrong password gave an unexpected error: {e}")),
    }
    Ok(())
}

/// How time passes for the Yativo client: for real in the sandbox (tokens there
/// live a few seconds), on a manual clock against a real server.
enum Time {
    Real,
    Manual(Arc<ManualClock>),
}

impl Time {
    fn now(&self) -> SystemTime {
        match self {
            Time::Real => SystemTime::now(),
            Time::Manual(c) => c.now(),
        }
    }
    fn pass(&self, d: Duration) {
        match self {
            Time::Real => std::thread::sleep(d),
            Time::Manual(c) => c.advance(d),
        }
    }
}

fn yativo_part(target: &YativoTarget, t: &mut Transcript<'_>) -> Result<(), String> {
    let (time, config) = if target.in_sandbox {
        (Time::Real, target.config.clone())
    } else {
        let clock = Arc::new(ManualClock::new());
        (
            Time::Manual(clock.clone()),
            target.config.clone().clock(clock),
        )
    };
    let client = step(
        "creating the Yativo client",
        yativo::Client::new(&target.url, target.credentials.clone(), &config),
    )?;
    let _ = writeln!(t.out);
    t.section("Yativo", client.base_url(), target.in_sandbox);

    let first = step("Y1 login", client.login())?;
    t.done(
        "Y1",
        "login",
        format!(
            "{}: {} token {} ({} chars), expires in {} s",
            target.credentials.account_id,
            first.token_type,
            first.access_token,
            first.access_token.expose().len(),
            first.expires_in
        ),
    );

    let second = step("Y2 refresh-token", client.refresh_token())?;
    ensure(second.access_token != first.access_token, || {
        "refresh-token returned the same token".into()
    })?;
    t.done(
        "Y2",
        "refresh-token",
        format!(
            "new token {} ({} chars) replaces the first, expires in {} s",
            second.access_token,
            second.access_token.expose().len(),
            second.expires_in
        ),
    );

    let path = "wallet/balance";
    let reply = step("Yativo call", client.call(Method::Get, path, Body::None))?;
    ensure(!target.in_sandbox || reply.status == 200, || {
        format!(
            "GET {path} answered HTTP {}: {}",
            reply.status,
            reply.text().unwrap_or("(not UTF-8)")
        )
    })?;
    t.line(
        "",
        "call",
        format!(
            "GET {path} -> HTTP {} {}",
            reply.status,
            excerpt(reply.text().unwrap_or("(not UTF-8)"))
        ),
    );

    // The client refreshes a token `refresh_ahead` before expiry, or at half its
    // life for short tokens: move time to just past that point.
    let current = step("reading the cached token", client.token())?;
    let life = current
        .expires_at
        .duration_since(time.now())
        .unwrap_or_default();
    let margin = config.get_refresh_ahead().min(life / 2);
    let wait = life.saturating_sub(margin) + Duration::from_millis(150);
    match time {
        Time::Real => t.line(
            "",
            "",
            format!(
                "waiting {:.1} s, until the token is due for refresh...",
                wait.as_secs_f64()
            ),
        ),
        Time::Manual(_) => t.line(
            "",
            "",
            format!(
                "moving the client's clock {} s forward, to the refresh point (a ManualClock: no real waiting)",
                wait.as_secs()
            ),
        ),
    }
    time.pass(wait);
    let reply = step("Yativo call", client.call(Method::Get, path, Body::None))?;
    let after = step("reading the cached token", client.token())?;
    t.summary.silent_refresh = after.access_token != current.access_token;
    ensure(t.summary.silent_refresh, || {
        "the client did not refresh the token that was due".into()
    })?;
    t.line(
        "",
        "call",
        format!(
            "GET {path} -> HTTP {}; the client first refreshed the token, silently: new token {} ({} chars), expires in {} s",
            reply.status,
            after.access_token,
            after.access_token.expose().len(),
            seconds_until(after.expires_at, time.now())
        ),
    );
    Ok(())
}

fn anna_part(target: &AnnaTarget, t: &mut Transcript<'_>) -> Result<(), String> {
    let client = step(
        "creating the AnnA client",
        anna::Client::new(&target.url, target.credentials.clone(), &target.config),
    )?;
    let _ = writeln!(t.out);
    t.section("AnnA", client.base_url(), target.in_sandbox);
    let (id, name) = (&target.test_user_id, &target.test_user_name);
    let user = anna::User::id(id.clone());

    let token = step("A1 GetToken", client.get_token())?;
    t.done(
        "A1",
        "GetToken",
        format!(
            "JWT {} ({} chars), expires in {}",
            token.token,
            token.token.expose().len(),
            token
                .expires_at
                .map_or("(unknown)".to_owned(), |at| format!(
                    "{} s",
                    seconds_until(at, SystemTime::now())
                ))
        ),
    );

    let access = step("A3 UserHashForced", client.user_hash_forced(id, name, None))?;
    t.done(
        "A3",
        "UserHashForced",
        format!(
            "user {id} \"{name}\" created or updated; hash {}",
            access.hash
        ),
    );

    let access = step("A2 UserHash", client.user_hash(id, None))?;
    t.done(
        "A2",
        "UserHash",
        format!(
            "hash {}, chat {}, valid until {}",
            access.hash,
            without_query(&access.chat_url),
            access
                .expires
                .map_or(access.expires_raw.clone(), |e| e.to_string())
        ),
    );

    let s = step("A5 Messenger/Structure", client.messenger_structure())?;
    let departments: Vec<String> = s
        .departments
        .iter()
        .map(|d| {
            let channels: Vec<&str> = d.channels.iter().map(|c| c.name.as_str()).collect();
            format!("{} [{}]", d.name, channels.join(", "))
        })
        .collect();
    t.done(
        "A5",
        "Structure",
        format!("\"{}\": {}", s.companies_name, departments.join("; ")),
    );

    let year_2024 = MessengerFilter {
        date_from: Some(step("a date", Date::new(2024, 1, 1))?),
        date_to: Some(step("a date", Date::new(2024, 12, 31))?),
        ..Default::default()
    };
    let n = step(
        "A6 Messenger/AlertCounter",
        client.messenger_alert_counter(&user, &year_2024),
    )?;
    t.done(
        "A6",
        "AlertCounter",
        format!("{n} open request(s) of 2024 await user {id}'s answer"),
    );

    let requests = step(
        "A7 Messenger/Requests",
        client.messenger_requests(&user, &year_2024),
    )?;
    let listed: Vec<String> = requests
        .items
        .iter()
        .map(|r| {
            format!(
                "#{} {}/{} {}{}",
                r.protocol.as_deref().unwrap_or("?"),
                r.department.as_deref().unwrap_or("?"),
                r.channel.as_deref().unwrap_or("?"),
                match r.status_kind {
                    Some(anna::RequestStatus::Open) => "open",
                    Some(anna::RequestStatus::Closed) => "closed",
                    None => "?",
                },
                if r.pending == Some(true) {
                    ", awaiting answer"
                } else {
                    ""
                }
            )
        })
        .collect();
    t.done(
        "A7",
        "Requests",
        if listed.is_empty() {
            "none in 2024".to_owned()
        } else {
            format!("{} in 2024: {}", listed.len(), listed.join("; "))
        },
    );
    if target.in_sandbox {
        ensure(n == 1 && listed.len() == 2, || {
            format!(
                "the sandbox's user 42 has 1 pending of 2 requests in 2024, got {n} of {}",
                listed.len()
            )
        })?;
    }

    let link = step("A8 Messenger/Link", client.messenger_link(&user))?;
    t.done("A8", "Link", without_query(&link));

    let message = step("A4 Inactivate", client.inactivate_user(id))?;
    t.done("A4", "Inactivate", message);
    match client.user_hash(id, None) {
        Ok(_) => return Err(format!("UserHash worked for the inactive user {id}")),
        Err(e) if e.kind() == ErrorKind::Rejected => t.expected_error("UserHash", &e),
        Err(e) => {
            return Err(format!(
                "UserHash of an inactive user: unexpected error: {e}"
            ))
        }
    }
    step("A3 UserHashForced", client.user_hash_forced(id, name, None))?;
    step("A2 UserHash", client.user_hash(id, None))?;
    t.line(
        "A3",
        "UserHashForced",
        format!("re-activated user {id}; UserHash works again"),
    );
    Ok(())
}
