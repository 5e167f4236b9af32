//! Reading a secret from where a profile says it is: an environment variable, a
//! file that only its owner can read, or a command (as AWS's `credential_process`
//! and git's credential helpers do), whose stderr goes into the error when it fails.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Secret;

use super::exit::{Failure, SECRET_SOURCE};

/// How long a `*_command` may run.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Where a secret is.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// An environment variable.
    Env(String),
    /// A file (its content, without the final line break).
    File(PathBuf),
    /// A command run by the shell (`sh -c` / `cmd /C`): its stdout.
    Command(String),
}

fn failed(profile: &str, field: &str, why: impl std::fmt::Display) -> Failure {
    Failure::new(
        SECRET_SOURCE,
        format!("profile `{profile}`: {field}: {why}"),
    )
}

/// The text without one final `\n` or `\r\n`.
fn chomp(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

impl SecretSource {
    /// Where it is, for `tokenbridge profiles`.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Env(v) => format!("variable {v}"),
            SecretSource::File(p) => format!("file {}", p.display()),
            SecretSource::Command(c) => format!("command `{c}`"),
        }
    }

    /// The secret, or why it could not be read. `field` names the setting.
    pub fn read(&self, profile: &str, field: &str) -> Result<Secret, Failure> {
        let value = match self {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(v) => v,
                Err(_) => {
                    return Err(failed(
                        profile,
                        &format!("{field}_env"),
                        format!("the variable {name} is not set (or not UTF-8)"),
                    ))
                }
            },
            SecretSource::File(path) => {
                private_file(path).map_err(|why| failed(profile, &format!("{field}_file"), why))?;
                let text = std::fs::read_to_string(path).map_err(|e| {
                    failed(
                        profile,
                        &format!("{field}_file"),
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?;
                chomp(text)
            }
            SecretSource::Command(cmd) => {
                run(cmd).map_err(|why| failed(profile, &format!("{field}_command"), why))?
            }
        };
        if value.is_empty() {
            return Err(failed(
                profile,
                field,
                format!("{} gave an empty value", self.describe()),
            ));
        }
        Ok(Secret::new(value))
    }
}

/// Refuses a file that its group or others can read or write (Unix modes).
#[cfg(unix)]
fn private_file(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "{} is open to its group or others (mode {mode:04o}): refused; run chmod 600 {}",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

/// Windows has no modes: a file under the user's profile is private to the user by
/// its inherited ACL, which is what the file must rely on there.
#[cfg(not(unix))]
fn private_file(path: &Path) -> Result<(), String> {
    std::fs::metadata(path)
        .map(|_| ())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn shell(cmd: &str) -> Command {
    #[cfg(unix)]
    {
        let mut c = Command::new("sh");
        c.arg("-c").arg(cmd);
        c
    }
    #[cfg(not(unix))]
    {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(cmd);
        c
    }
}

/// Runs the command: its stdout (without the final line break), or its exit status
/// and stderr.
fn run(cmd: &str) -> Result<String, String> {
    let mut child = shell(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{cmd}`: {e}"))?;
    // Read both pipes on threads, so that a talkative command cannot block on a full one.
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_thread = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = (&mut out).take(64 * 1024).read_to_end(&mut b);
        b
    });
    let err_thread = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = (&mut err).take(64 * 1024).read_to_end(&mut b);
        b
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < COMMAND_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{cmd}` did not finish within {} s",
                    COMMAND_TIMEOUT.as_secs()
                ));
            }
            Err(e) => return Err(format!("cannot wait for `{cmd}`: {e}")),
        }
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    if !status.success() {
        let said = String::from_utf8_lossy(&stderr);
        let said: String = said.split_whitespace().collect::<Vec<_>>().join(" ");
        let said: String = said.chars().take(300).collect();
        let code = status
            .code()
            .map_or("was killed by a signal".to_owned(), |c| {
                format!("exited {c}")
            });
        return Err(if said.is_empty() {
            format!("`{cmd}` {code} (nothing on stderr)")
        } else {
            format!("`{cmd}` {code}: {said}")
        });
    }
    String::from_utf8(stdout)
        .map(chomp)
        .map_err(|_| format!("`{cmd}` printed something that is not UTF-8"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn commands_give_their_stdout_or_their_stderr() {
        let ok = SecretSource::Command("printf 's3cret\\n'".into());
        assert_eq!(ok.read("p", "password").unwrap().expose(), "s3cret");
        let bad = SecretSource::Command("echo 'vault: permission denied' >&2; exit 3".into());
        let e = bad.read("p", "password").unwrap_err();
        assert_eq!(e.code, SECRET_SOURCE);
        assert!(
            e.message.contains("exited 3: vault: permission denied")
                && e.message.contains("password_command"),
            "{}",
            e.message
        );
    }
}
