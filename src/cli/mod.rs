//! The `tokenbridge` command (feature `cli`): tokens and calls for the three APIs from
//! the shell, through the library's clients, token store, cancel token and redacted
//! log. `src/bin/tokenbridge.rs` calls [`main`]. Not a stable API: the command line
//! is (README.md, "Command line").
#![forbid(unsafe_code)]

mod args;
mod clients;
mod commands;
mod exit;
mod profile;
mod secret_source;
mod show;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::logging::Redacting;
use crate::CancelToken;
use clap::CommandFactory;

use args::{Cli, Command, SECRET_FLAGS};
use clients::Limits;
use commands::Outcome;
use exit::{Failure, CANCELLED};

/// After Ctrl-C, how long the command has to return its own `cancelled` error before
/// the process exits anyway.
const CANCEL_GRACE: Duration = Duration::from_millis(500);

/// Log records to stderr, one line each, up to the process's maximum level.
struct Stderr;

impl log::Log for Stderr {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!(
                "tokenbridge: [{} {}] {}",
                record.level(),
                record.target(),
                record.args()
            );
        }
    }
    fn flush(&self) {}
}

/// The library's records at the level `-v` asks for, through the library's
/// [`Redacting`] filter (no record that may hold a secret reaches stderr).
fn install_logger(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    static LOGGER: Redacting<Stderr> = Redacting::new(Stderr);
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}

/// A flag that would put a secret on the command line, refused before anything else.
fn secret_on_command_line(args: &[String]) -> Option<Failure> {
    let arg = args.iter().skip(1).take_while(|a| *a != "--").find(|a| {
        SECRET_FLAGS
            .iter()
            .any(|f| *a == f || a.strip_prefix(f).is_some_and(|r| r.starts_with('=')))
    })?;
    let flag = arg.split('=').next().unwrap_or(arg);
    let field = if flag == "--company-hash" || flag == "--hash" {
        "company_hash"
    } else {
        "password"
    };
    Some(Failure::usage(if flag == "--token" {
        "--token: a token on the command line is visible in ps and the shell history, and tokenbridge gets and keeps the profile's token itself; use `tokenbridge call PROFILE …`".to_owned()
    } else {
        format!(
            "{flag}: a secret on the command line is visible in ps and the shell history; put it in the profile as {field}_env (a variable), {field}_file (a file only you can read) or {field}_command (a command that prints it); see `tokenbridge profiles --help`"
        )
    }))
}

/// The arguments parsed, as `Cli::try_parse_from` parses them, except that the tree of
/// commands clap builds to parse them is not freed: a process that makes one call and
/// exits would spend 120k instructions (3 % of a `tokenbridge call` with a kept token)
/// taking it apart.
fn parse(args: &[String]) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let command = Box::leak(Box::new(Cli::command()));
    let mut matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(command))
}

fn finish(failure: Option<Failure>) -> ExitCode {
    match failure {
        None => ExitCode::SUCCESS,
        Some(f) => {
            eprintln!("tokenbridge: {}", f.one_line());
            ExitCode::from(f.code)
        }
    }
}

/// Runs the command line of this process.
pub fn main() -> ExitCode {
    let args: Vec<String> = match std::env::args_os()
        .map(|a| a.into_string())
        .collect::<Result<_, _>>()
    {
        Ok(a) => a,
        Err(bad) => {
            return finish(Some(Failure::usage(format!(
                "an argument is not UTF-8: {}",
                bad.to_string_lossy()
            ))))
        }
    };
    if let Some(f) = secret_on_command_line(&args) {
        return finish(Some(f));
    }
    let cli = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    install_logger(cli.verbose);
    match &cli.command {
        Command::Sandbox { flags } => {
            return crate::sandbox::launcher::run("tokenbridge sandbox", flags.clone())
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "tokenbridge", &mut out);
            return finish(write_out(&out));
        }
        _ => {}
    }
    let cancel = CancelToken::new();
    let on_signal = cancel.clone();
    let handler = ctrlc::set_handler(move || {
        on_signal.cancel();
        std::thread::sleep(CANCEL_GRACE);
        eprintln!("tokenbridge: cancelled");
        std::process::exit(i32::from(CANCELLED));
    });
    if let Err(e) = handler {
        return finish(Some(Failure::new(
            exit::OTHER,
            format!("cannot handle Ctrl-C: {e}"),
        )));
    }
    let outcome = run(&cli, cancel);
    let outcome = match outcome {
        Ok(o) => o,
        Err(f) => Outcome {
            stdout: Vec::new(),
            failure: Some(f),
        },
    };
    let written = write_out(&outcome.stdout);
    finish(outcome.failure.or(written))
}

fn write_out(bytes: &[u8]) -> Option<Failure> {
    if bytes.is_empty() {
        return None;
    }
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .err()
        .and_then(|e| commands::write_failure(&e))
}

fn run(cli: &Cli, cancel: CancelToken) -> Result<Outcome, Failure> {
    let profiles = profile::load(cli.config.as_deref())?;
    let limits = |keep_session| Limits {
        timeout: cli.timeout,
        cancel: cancel.clone(),
        no_cache: cli.no_cache,
        keep_session,
    };
    match &cli.command {
        Command::Token {
            profile,
            format,
            name,
        } => commands::token(&profiles, profile, *format, name, &limits(true)),
        Command::Call(a) => commands::call(&profiles, a, &limits(false)),
        Command::Ucontact(op) => {
            // The logins print a token for later use: the session stays open.
            let keep = !matches!(op, args::UContactOp::EndSession { .. });
            commands::ucontact(&profiles, op, &limits(keep))
        }
        Command::Yativo(op) => commands::yativo(&profiles, op, &limits(true)),
        Command::Anna(op) => commands::anna(&profiles, op, &limits(false)),
        Command::Logout { profile } => commands::logout(&profiles, profile, &limits(false)),
        Command::Profiles { json } => commands::list(&profiles, *json),
        Command::Sandbox { .. } | Command::Completions { .. } => {
            unreachable!("handled before the profiles are read")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn secret_flags_are_refused_wherever_they_are() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let f = secret_on_command_line(&args(&["tb", "token", "p", "--password=hunter2"])).unwrap();
        assert!(f.message.contains("password_env") && !f.message.contains("hunter2"));
        assert!(secret_on_command_line(&args(&[
            "tb",
            "call",
            "p",
            "GET",
            "x",
            "--",
            "--password"
        ]))
        .is_none());
        assert!(secret_on_command_line(&args(&["tb", "token", "--passwordless"])).is_none());
    }
}
