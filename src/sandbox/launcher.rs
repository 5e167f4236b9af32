//! The `tokenbridge-sandbox` process: its flags, what it prints, how it stops. Shared
//! by the `tokenbridge-sandbox` executable and `tokenbridge sandbox` (feature `cli`),
//! so that both take the same flags and print the same lines. Not a stable API.
#![forbid(unsafe_code)]

use std::io::{self, BufRead, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use super::{Sandbox, SandboxOptions};

/// The flags, for `--help` and after a bad flag.
pub const FLAGS: &str = "
  --listen ADDR                 address to listen on (default 127.0.0.1:0, a free port)
  --port N                      shorthand for --listen 127.0.0.1:N
  --token-lifetime SECS         lifetime of the tokens of all three APIs
  --ucontact-token-lifetime SECS, --yativo-token-lifetime SECS, --anna-token-lifetime SECS
  --ucontact-user NAME          --ucontact-password PASS
  --ucontact-agent NAME         --ucontact-agent-password PASS
  --yativo-account ID           --yativo-secret SECRET
  --anna-hash HASH              --anna-user NAME          --anna-pass PASS
  --idle-timeout SECS           close a connection idle this long (default 30)
  --ucontact-token-as-string    answer getUserToken with a JSON string (default: the
                                array whose last element is the token)
  --exit-on-stdin-eof           also stop when standard input ends
  -h, --help                    this text
  -V, --version                 the version

The first line on stdout is TOKENBRIDGE_SANDBOX_URL=http://HOST:PORT.
Stop it with Ctrl-C or SIGTERM. See docs/sandbox-contract.md.";

fn usage(program: &str) -> String {
    format!("usage: {program} [options]\n{FLAGS}")
}

struct Args {
    options: SandboxOptions,
    exit_on_stdin_eof: bool,
}

enum Parsed {
    Run(Box<Args>),
    Print(String),
}

fn seconds(name: &str, v: &str) -> Result<Duration, String> {
    v.parse::<u64>()
        .ok()
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{name} `{v}` is not a positive number of seconds"))
}

fn parse_args(program: &str, args: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    let mut options = SandboxOptions::default();
    let mut exit_on_stdin_eof = false;
    let mut args = args.into_iter();
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
            "--listen" => {
                let v = value("an address such as 127.0.0.1:8080")?;
                options.listen = v.parse::<SocketAddr>().map_err(|_| {
                    format!("--listen `{v}` is not an IP address and port, such as 127.0.0.1:8080")
                })?;
            }
            "--port" => {
                let v = value("a port number")?;
                let port: u16 = v
                    .parse()
                    .map_err(|_| format!("--port `{v}` is not a port number (0-65535)"))?;
                options.listen = SocketAddr::from(([127, 0, 0, 1], port));
            }
            "--token-lifetime" => {
                let d = seconds(&name, &value("a number of seconds")?)?;
                options = options.token_lifetime(d);
            }
            "--ucontact-token-lifetime" => {
                options.ucontact_token_lifetime = seconds(&name, &value("a number of seconds")?)?
            }
            "--yativo-token-lifetime" => {
                options.yativo_token_lifetime = seconds(&name, &value("a number of seconds")?)?
            }
            "--anna-token-lifetime" => {
                options.anna_token_lifetime = seconds(&name, &value("a number of seconds")?)?
            }
            "--idle-timeout" => {
                options.idle_timeout = seconds(&name, &value("a number of seconds")?)?
            }
            "--ucontact-user" => options.ucontact_user = value("a user name")?,
            "--ucontact-password" => options.ucontact_password = value("a password")?,
            "--ucontact-agent" => options.ucontact_agent = value("an agent name")?,
            "--ucontact-agent-password" => options.ucontact_agent_password = value("a password")?,
            "--yativo-account" => options.yativo_account = value("an account id")?,
            "--yativo-secret" => options.yativo_secret = value("an app secret")?,
            "--anna-hash" => options.anna_company_hash = value("a company hash")?,
            "--anna-user" => options.anna_user = value("a user name")?,
            "--anna-pass" => options.anna_pass = value("a password")?,
            "--ucontact-token-as-string" => options.ucontact_token_as_array = false,
            "--exit-on-stdin-eof" => exit_on_stdin_eof = true,
            "-h" | "--help" => return Ok(Parsed::Print(usage(program))),
            "-V" | "--version" => {
                return Ok(Parsed::Print(format!("{program} {}", crate::VERSION)))
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Parsed::Run(Box::new(Args {
        options,
        exit_on_stdin_eof,
    })))
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

/// The lines after the first: where each API is and the sandbox's credentials.
fn describe(sb: &Sandbox, out: &mut impl Write, exit_on_stdin_eof: bool) -> io::Result<()> {
    let o = sb.options();
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
        writeln!(out, "{name}={}", shell_quote(&value))?;
    }
    writeln!(
        out,
        "# token lifetimes: uContact {} s, Yativo {} s, AnnA {} s; AnnA users: 42 (active, CPF 12345678900), 7 (inactive)",
        o.ucontact_token_lifetime.as_secs(),
        o.yativo_token_lifetime.as_secs(),
        o.anna_token_lifetime.as_secs()
    )?;
    writeln!(
        out,
        "# control: GET {0}/__sandbox/stats, POST {0}/__sandbox/reset, POST {0}/__sandbox/faults",
        sb.url()
    )?;
    writeln!(
        out,
        "# stop: Ctrl-C or SIGTERM{}",
        if exit_on_stdin_eof {
            ", or end of standard input"
        } else {
            ""
        }
    )?;
    out.flush()
}

/// Runs the sandbox as a process with these arguments (without the program's name):
/// `program` names it in messages and `--version`. Returns the exit status: 0 when
/// stopped, 1 when it could not start, 2 for bad flags.
pub fn run(program: &str, args: impl IntoIterator<Item = String>) -> ExitCode {
    let args = match parse_args(program, args) {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Print(text)) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{program}: {e}\n\n{}", usage(program));
            return ExitCode::from(2);
        }
    };
    let sb = match Sandbox::try_start_with(args.options) {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("{program}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let stopper = sb.stopper();
    let on_signal = stopper.clone();
    if let Err(e) = ctrlc::set_handler(move || on_signal.stop()) {
        eprintln!("{program}: cannot handle Ctrl-C / SIGTERM: {e}");
        return ExitCode::FAILURE;
    }
    {
        let mut out = io::stdout().lock();
        // The first line is the contract; flush it before anything else can block.
        let first = writeln!(out, "TOKENBRIDGE_SANDBOX_URL={}", sb.url()).and_then(|_| out.flush());
        if first.is_err() {
            // Nobody reads us: nothing to serve.
            return ExitCode::FAILURE;
        }
        // A reader that stopped after the first line is fine.
        let _ = describe(&sb, &mut out, args.exit_on_stdin_eof);
    }
    if args.exit_on_stdin_eof {
        std::thread::spawn(move || {
            let stdin = io::stdin();
            let mut line = String::new();
            // Bounded by the input: ends at EOF or on a read error.
            while matches!(stdin.lock().read_line(&mut line), Ok(n) if n > 0) {
                line.clear();
            }
            stopper.stop();
        });
    }
    sb.wait();
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        match parse_args("tokenbridge-sandbox", args.iter().map(|s| s.to_string()))? {
            Parsed::Run(a) => Ok(*a),
            Parsed::Print(_) => Err("printed".into()),
        }
    }

    #[test]
    fn flags_set_the_options() {
        let a = parse(&[
            "--listen",
            "127.0.0.1:8089",
            "--token-lifetime=5",
            "--yativo-secret",
            "other",
            "--exit-on-stdin-eof",
        ])
        .unwrap();
        assert_eq!(a.options.listen, "127.0.0.1:8089".parse().unwrap());
        assert_eq!(a.options.yativo_token_lifetime, Duration::from_secs(5));
        assert_eq!(a.options.anna_token_lifetime, Duration::from_secs(5));
        assert_eq!(a.options.yativo_secret, "other");
        assert!(a.exit_on_stdin_eof);
        assert_eq!(
            parse(&["--port", "9"]).unwrap().options.listen,
            "127.0.0.1:9".parse().unwrap()
        );
    }

    #[test]
    fn bad_flags_say_what_is_wrong() {
        for (args, needle) in [
            (&["--listen", "localhost"][..], "not an IP address and port"),
            (&["--token-lifetime", "0"][..], "positive number of seconds"),
            (&["--port"][..], "needs a port number"),
            (&["--bogus"][..], "unknown argument `--bogus`"),
        ] {
            let e = parse(args).err().unwrap();
            assert!(e.contains(needle), "{args:?}: {e}");
        }
    }

    #[test]
    fn values_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("apiuser"), "apiuser");
        assert_eq!(shell_quote("s3cret&=+ é"), "'s3cret&=+ é'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
