//! The sandbox of all three APIs as a process, for tests in other languages (C, C#,
//! Java, Python) and for trying integrations by hand.
//!
//! ```text
//! cargo run --example sandbox [-- --token-lifetime SECS] [--port N] [--ignore-stdin]
//! ```
//!
//! The first line on stdout is exactly `TOKENBRIDGE_SANDBOX_URL=http://127.0.0.1:PORT`
//! (flushed at once); the lines after it give each API's base URL and the sandbox
//! credentials as `NAME=value` (shell-quoted when needed; they are sandbox values, not
//! secrets). The process runs until it is killed (SIGTERM, SIGINT / Ctrl-C) or its
//! stdin reaches end of file, so a parent that holds a pipe to it stops it by closing
//! the pipe, or by dying. With `--ignore-stdin` it runs until killed (for shells that
//! give background jobs `/dev/null` as stdin).
//!
//! Options:
//! * `--token-lifetime SECS`: how long tokens of all three APIs live (default:
//!   uContact 3600 s, Yativo 600 s, AnnA 3600 s).
//! * `--port N`: listen on this port of 127.0.0.1 (default: a free one).
//! * `--ignore-stdin`: do not stop at end of stdin.
//!
//! The wire behaviour is described in `docs/sandbox-contract.md`.
#[path = "../tests/sandbox/mod.rs"]
mod sandbox;

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use sandbox::{Sandbox, SandboxOptions};

const USAGE: &str =
    "usage: cargo run --example sandbox [-- --token-lifetime SECS] [--port N] [--ignore-stdin]";

struct Args {
    options: SandboxOptions,
    ignore_stdin: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut options = SandboxOptions::default();
    let mut ignore_stdin = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs {what}"))
        };
        match name.as_str() {
            "--token-lifetime" => {
                let v = value("a number of seconds")?;
                let secs: u64 = v.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("--token-lifetime `{v}` is not a positive number of seconds")
                })?;
                options = options.token_lifetime(Duration::from_secs(secs));
            }
            "--port" => {
                let v = value("a port number")?;
                options.port = v
                    .parse()
                    .map_err(|_| format!("--port `{v}` is not a port number (0-65535)"))?;
            }
            "--ignore-stdin" => ignore_stdin = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        options,
        ignore_stdin,
    })
}

/// `value`, single-quoted for a POSIX shell when it holds anything unusual.
fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("sandbox: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sb = match Sandbox::try_start_with(args.options) {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let o = sb.options();
    let mut out = io::stdout().lock();
    // The first line is the contract; flush it before anything else can block.
    let _ = writeln!(out, "TOKENBRIDGE_SANDBOX_URL={}", sb.url());
    let _ = out.flush();
    let lines = [
        ("TOKENBRIDGE_UCONTACT_SERVER", sb.ucontact_url()),
        ("TOKENBRIDGE_UCONTACT_USER", o.ucontact_user.clone()),
        ("TOKENBRIDGE_UCONTACT_PASSWORD", o.ucontact_password.clone()),
        ("TOKENBRIDGE_UCONTACT_AGENT", o.ucontact_agent.clone()),
        (
            "TOKENBRIDGE_UCONTACT_AGENT_PASSWORD",
            o.ucontact_agent_password.clone(),
        ),
        ("TOKENBRIDGE_YATIVO_URL", sb.yativo_url()),
        ("TOKENBRIDGE_YATIVO_ACCOUNT", o.yativo_account.clone()),
        ("TOKENBRIDGE_YATIVO_SECRET", o.yativo_secret.clone()),
        ("TOKENBRIDGE_ANNA_URL", sb.anna_url()),
        ("TOKENBRIDGE_ANNA_HASH", o.anna_company_hash.clone()),
        ("TOKENBRIDGE_ANNA_USER", o.anna_user.clone()),
        ("TOKENBRIDGE_ANNA_PASS", o.anna_pass.clone()),
    ];
    for (name, value) in lines {
        let _ = writeln!(out, "{name}={}", shell_quote(&value));
    }
    let _ = writeln!(
        out,
        "# token lifetimes: uContact {} s, Yativo {} s, AnnA {} s; AnnA users: 42 (active, CPF 12345678900), 7 (inactive)",
        o.ucontact_token_lifetime.as_secs(),
        o.yativo_token_lifetime.as_secs(),
        o.anna_token_lifetime.as_secs()
    );
    let _ = writeln!(
        out,
        "# statistics: GET {}/__sandbox/stats; stop: Ctrl-C, SIGTERM{}",
        sb.url(),
        if args.ignore_stdin {
            ""
        } else {
            " or end of stdin"
        }
    );
    let _ = out.flush();
    drop(out);

    if args.ignore_stdin {
        loop {
            std::thread::park();
        }
    }
    // Runs until stdin ends (or fails); the signals' default action ends the
    // process otherwise.
    let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
    drop(sb);
    ExitCode::SUCCESS
}
