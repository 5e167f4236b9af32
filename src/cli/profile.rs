//! Profiles: where they come from (a TOML file at the platform's place, or the
//! quickstart's `TOKENBRIDGE_*` variables), what they hold (every client setting),
//! and how their secrets are read (a variable, a file only its owner reads, or a
//! command). A profile never holds a secret's value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{Config, ProxySetting, RetryPolicy, Secret, TlsRoots};
use serde::Deserialize;

use super::exit::{Failure, SECRET_SOURCE};
use super::secret_source::SecretSource;

/// Which API a profile is for.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ApiName {
    /// uContact.
    Ucontact,
    /// Yativo.
    Yativo,
    /// AnnA.
    Anna,
}

impl ApiName {
    /// The API's own spelling.
    pub fn label(self) -> &'static str {
        match self {
            ApiName::Ucontact => "uContact",
            ApiName::Yativo => "Yativo",
            ApiName::Anna => "AnnA",
        }
    }
}

/// How a uContact profile logs in.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Login {
    /// getUserToken.
    #[default]
    ApiUser,
    /// AgentLogin.
    Agent,
}

/// One profile as the file writes it.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The API.
    pub api: Option<ApiName>,
    /// uContact: a cloud domain or a base URL; Yativo: `production`, `sandbox` or a
    /// base URL; AnnA: the customer's base URL.
    pub url: Option<String>,
    /// uContact: the user or agent; AnnA: the API user.
    pub user: Option<String>,
    /// uContact: `api-user` (default) or `agent`.
    pub login: Option<Login>,
    /// Yativo: the account id (it names a person: never printed).
    pub account_id: Option<String>,
    /// Yativo: the variable holding the account id, instead of `account_id`.
    pub account_id_env: Option<String>,
    /// Refused: a profiles file is no place for a secret's value.
    pub password: Option<toml::Value>,
    /// The variable holding the password (uContact, AnnA) or app secret (Yativo).
    pub password_env: Option<String>,
    /// A file holding it, readable by its owner only.
    pub password_file: Option<PathBuf>,
    /// A command printing it on stdout.
    pub password_command: Option<String>,
    /// Refused, as `password`.
    pub company_hash: Option<toml::Value>,
    /// AnnA: the variable holding the company hash.
    pub company_hash_env: Option<String>,
    /// AnnA: a file holding it.
    pub company_hash_file: Option<PathBuf>,
    /// AnnA: a command printing it.
    pub company_hash_command: Option<String>,
    /// Connect timeout, seconds.
    pub timeout_connect: Option<f64>,
    /// Send timeout, seconds.
    pub timeout_send: Option<f64>,
    /// Receive timeout, seconds.
    pub timeout_receive: Option<f64>,
    /// `env` (default), `none`, or an http:// proxy URL.
    pub proxy: Option<String>,
    /// A PEM file of extra CA certificates.
    pub ca_file: Option<PathBuf>,
    /// `mozilla` (default) or `os`.
    pub tls_roots: Option<String>,
    /// Allow plain http:// base URLs (labs, the sandbox).
    pub allow_http: Option<bool>,
    /// Retries of transient failures (default 2).
    pub retries: Option<u32>,
    /// The largest answer accepted, bytes.
    pub max_response_bytes: Option<u64>,
    /// How long before expiry a token is renewed, seconds.
    pub refresh_ahead: Option<f64>,
    /// The User-Agent header.
    pub user_agent: Option<String>,
    /// The token store (file:///dir, redis://…); `none` keeps no token between runs.
    /// Default: the platform's cache folder, tokenbridge/tokens.
    pub token_store: Option<String>,
    /// Where the profile came from (the file, or the environment), for messages.
    #[serde(skip)]
    pub origin: String,
}

/// The one source of a secret a profile gives (`<field>`, `<field>_env`,
/// `<field>_file`, `<field>_command`), or why not.
fn source_of(
    profile: &str,
    field: &str,
    value: &Option<toml::Value>,
    env: &Option<String>,
    file: &Option<PathBuf>,
    command: &Option<String>,
) -> Result<Option<SecretSource>, Failure> {
    if value.is_some() {
        return Err(Failure::usage(format!(
            "profile `{profile}`: `{field}` must not hold the secret itself; set `{field}_env` (a variable), `{field}_file` (a file only you can read) or `{field}_command` (a command that prints it)"
        )));
    }
    let given: Vec<SecretSource> = [
        env.clone().map(SecretSource::Env),
        file.clone().map(SecretSource::File),
        command.clone().map(SecretSource::Command),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() > 1 {
        return Err(Failure::usage(format!(
            "profile `{profile}`: give one of `{field}_env`, `{field}_file` and `{field}_command`, not several"
        )));
    }
    Ok(given.into_iter().next())
}

/// The profiles file.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The profiles and where they came from.
#[derive(Debug)]
pub struct Profiles {
    /// By name.
    pub by_name: BTreeMap<String, Profile>,
    /// The file read, or `None` for the environment's.
    pub file: Option<PathBuf>,
    /// Where the file was looked for.
    pub looked_at: Option<PathBuf>,
}

/// The default profiles file: `<config dir>/tokenbridge/profiles.toml`.
pub fn default_path() -> Option<PathBuf> {
    platform_dir("APPDATA", dirs::config_dir).map(|d| d.join("tokenbridge").join("profiles.toml"))
}

/// The platform's folder: on Windows the variable `windows_var` (`%APPDATA%`,
/// `%LOCALAPPDATA%`) when it holds an absolute path, as cmd, PowerShell and most
/// tools read it (and so a job can point it elsewhere), else the known folder that
/// `dirs` asks the shell for; elsewhere `dirs`, which reads `XDG_CONFIG_HOME` and
/// `XDG_CACHE_HOME` on Linux.
fn platform_dir(windows_var: &str, known: fn() -> Option<PathBuf>) -> Option<PathBuf> {
    if cfg!(windows) {
        if let Some(dir) = std::env::var_os(windows_var).map(PathBuf::from) {
            if dir.is_absolute() {
                return Some(dir);
            }
        }
    }
    known()
}

/// Reads the profiles: the file given, else the default file when it exists, else
/// the environment's.
pub fn load(given: Option<&Path>) -> Result<Profiles, Failure> {
    let path = match given {
        Some(p) => Some(p.to_path_buf()),
        None => default_path().filter(|p| p.exists()),
    };
    let Some(path) = path else {
        return Ok(Profiles {
            by_name: from_env()?,
            file: None,
            looked_at: default_path(),
        });
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the profiles file {}: {e}",
            path.display()
        ))
    })?;
    let file: File = toml::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "the profiles file {} is not valid: {}",
            path.display(),
            e.to_string().trim()
        ))
    })?;
    let mut by_name = file.profiles;
    for p in by_name.values_mut() {
        p.origin = path.display().to_string();
    }
    Ok(Profiles {
        by_name,
        file: Some(path.clone()),
        looked_at: Some(path),
    })
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// All the variables of a group, or none of them (as the quickstart reads them).
fn group(names: &[&str]) -> Result<Option<Vec<String>>, Failure> {
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
        return Err(Failure::usage(format!(
            "set all of {} or none of them; missing: {}",
            names.join(", "),
            missing.join(", ")
        )));
    }
    Ok(Some(values.into_iter().flatten().collect()))
}

/// The profiles `ucontact`, `ucontact-agent`, `yativo` and `anna` from the
/// quickstart's variables (the secrets stay in their variables).
fn from_env() -> Result<BTreeMap<String, Profile>, Failure> {
    let allow_http = matches!(
        var("TOKENBRIDGE_ALLOW_HTTP").as_deref(),
        Some("1" | "true" | "yes")
    );
    let base = |api, url: &str| Profile {
        api: Some(api),
        url: Some(url.to_owned()),
        allow_http: Some(allow_http),
        origin: "environment".to_owned(),
        ..Profile::default()
    };
    let env_source = |name: &str| Some(name.to_owned());
    let mut out = BTreeMap::new();
    if let Some(v) = group(&[
        "TOKENBRIDGE_UCONTACT_SERVER",
        "TOKENBRIDGE_UCONTACT_USER",
        "TOKENBRIDGE_UCONTACT_PASSWORD",
    ])? {
        let mut p = base(ApiName::Ucontact, &v[0]);
        p.user = Some(v[1].clone());
        p.password_env = env_source("TOKENBRIDGE_UCONTACT_PASSWORD");
        if let Some(a) = group(&[
            "TOKENBRIDGE_UCONTACT_AGENT",
            "TOKENBRIDGE_UCONTACT_AGENT_PASSWORD",
        ])? {
            let mut agent = p.clone();
            agent.user = Some(a[0].clone());
            agent.login = Some(Login::Agent);
            agent.password_env = env_source("TOKENBRIDGE_UCONTACT_AGENT_PASSWORD");
            out.insert("ucontact-agent".to_owned(), agent);
        }
        out.insert("ucontact".to_owned(), p);
    }
    if let Some(v) = group(&[
        "TOKENBRIDGE_YATIVO_URL",
        "TOKENBRIDGE_YATIVO_ACCOUNT",
        "TOKENBRIDGE_YATIVO_SECRET",
    ])? {
        let mut p = base(ApiName::Yativo, &v[0]);
        p.account_id_env = Some("TOKENBRIDGE_YATIVO_ACCOUNT".to_owned());
        p.password_env = env_source("TOKENBRIDGE_YATIVO_SECRET");
        out.insert("yativo".to_owned(), p);
    }
    if let Some(v) = group(&[
        "TOKENBRIDGE_ANNA_URL",
        "TOKENBRIDGE_ANNA_HASH",
        "TOKENBRIDGE_ANNA_USER",
        "TOKENBRIDGE_ANNA_PASS",
    ])? {
        let mut p = base(ApiName::Anna, &v[0]);
        p.user = Some(v[2].clone());
        p.password_env = env_source("TOKENBRIDGE_ANNA_PASS");
        p.company_hash_env = env_source("TOKENBRIDGE_ANNA_HASH");
        out.insert("anna".to_owned(), p);
    }
    Ok(out)
}

fn secs(name: &str, profile: &str, v: f64) -> Result<Duration, Failure> {
    if v.is_finite() && v > 0.0 && v <= 86_400.0 {
        Ok(Duration::from_secs_f64(v))
    } else {
        Err(Failure::usage(format!(
            "profile `{profile}`: `{name}` must be a number of seconds from 0 to 86400, not {v}"
        )))
    }
}

/// `file:///…` for a directory, as the token store reads it (`file:///C:/…` on
/// Windows); `%` and spaces escaped.
pub fn file_url(dir: &Path) -> String {
    let path = dir.to_string_lossy().replace('\\', "/");
    let path = path.replace('%', "%25").replace(' ', "%20");
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        format!("file:///{path}")
    }
}

/// The default token store: `<cache dir>/tokenbridge/tokens`, as a file URL
/// (`TOKENBRIDGE_TOKEN_STORE` replaces it).
fn default_store() -> Option<String> {
    if let Some(url) = var("TOKENBRIDGE_TOKEN_STORE") {
        return Some(url);
    }
    platform_dir("LOCALAPPDATA", dirs::cache_dir)
        .map(|d| file_url(&d.join("tokenbridge").join("tokens")))
}

impl Profile {
    /// The API, or why the profile has none.
    pub fn api(&self, name: &str) -> Result<ApiName, Failure> {
        self.api.ok_or_else(|| {
            Failure::usage(format!(
                "profile `{name}` ({}) has no `api`: set api = \"ucontact\", \"yativo\" or \"anna\"",
                self.origin
            ))
        })
    }

    /// A setting that must be there.
    pub fn required<'a>(
        &self,
        name: &str,
        field: &'static str,
        value: &'a Option<String>,
    ) -> Result<&'a str, Failure> {
        value.as_deref().filter(|v| !v.is_empty()).ok_or_else(|| {
            Failure::usage(format!(
                "profile `{name}` ({}) has no `{field}`",
                self.origin
            ))
        })
    }

    fn password_source(&self, name: &str) -> Result<Option<SecretSource>, Failure> {
        source_of(
            name,
            "password",
            &self.password,
            &self.password_env,
            &self.password_file,
            &self.password_command,
        )
    }

    fn hash_source(&self, name: &str) -> Result<Option<SecretSource>, Failure> {
        source_of(
            name,
            "company_hash",
            &self.company_hash,
            &self.company_hash_env,
            &self.company_hash_file,
            &self.company_hash_command,
        )
    }

    /// The password (or app secret), read from its source.
    pub fn password(&self, name: &str) -> Result<Secret, Failure> {
        match self.password_source(name)? {
            Some(s) => s.read(name, "password"),
            None => Err(Failure::usage(format!(
                "profile `{name}` ({}) has no password: set `password_env`, `password_file` or `password_command`",
                self.origin
            ))),
        }
    }

    /// AnnA's company hash, read from its source.
    pub fn company_hash(&self, name: &str) -> Result<Secret, Failure> {
        match self.hash_source(name)? {
            Some(s) => s.read(name, "company_hash"),
            None => Err(Failure::usage(format!(
                "profile `{name}` ({}) has no company hash: set `company_hash_env`, `company_hash_file` or `company_hash_command`",
                self.origin
            ))),
        }
    }

    /// Yativo's account id, from the profile or its variable.
    pub fn account_id(&self, name: &str) -> Result<String, Failure> {
        match (&self.account_id, &self.account_id_env) {
            (Some(_), Some(_)) => Err(Failure::usage(format!(
                "profile `{name}`: give `account_id` or `account_id_env`, not both"
            ))),
            (Some(a), None) => Ok(a.clone()),
            (None, Some(v)) => std::env::var(v).map_err(|_| {
                Failure::new(
                    SECRET_SOURCE,
                    format!("profile `{name}`: account_id_env names {v}, which is not set"),
                )
            }),
            (None, None) => Err(Failure::usage(format!(
                "profile `{name}` ({}) has no `account_id` (or `account_id_env`)",
                self.origin
            ))),
        }
    }

    /// Where the password comes from, for `profiles` (never its value).
    pub fn describe_sources(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Ok(Some(s)) = self.password_source(name) {
            out.push(format!("password from {}", s.describe()));
        }
        if let Ok(Some(s)) = self.hash_source(name) {
            out.push(format!("company hash from {}", s.describe()));
        }
        out
    }

    /// The token store this profile uses, unless `no_cache`.
    pub fn store(&self, no_cache: bool) -> Option<String> {
        if no_cache {
            return None;
        }
        match self.token_store.as_deref().map(str::trim) {
            Some("none" | "") => None,
            Some(url) => Some(url.to_owned()),
            None => default_store(),
        }
    }

    /// The client settings.
    pub fn config(&self, name: &str, no_cache: bool) -> Result<Config, Failure> {
        let mut c = Config::default();
        if let Some(v) = self.timeout_connect {
            c = c.timeout_connect(secs("timeout_connect", name, v)?);
        }
        if let Some(v) = self.timeout_send {
            c = c.timeout_send(secs("timeout_send", name, v)?);
        }
        if let Some(v) = self.timeout_receive {
            c = c.timeout_receive(secs("timeout_receive", name, v)?);
        }
        if let Some(v) = self.refresh_ahead {
            c = c.refresh_ahead(secs("refresh_ahead", name, v)?);
        }
        c = c.proxy(match self.proxy.as_deref() {
            None | Some("env") => ProxySetting::FromEnvironment,
            Some("none") => ProxySetting::None,
            Some(url) => ProxySetting::Url(url.to_owned()),
        });
        if let Some(f) = &self.ca_file {
            c = c.extra_ca_file(f);
        }
        c = c.tls_roots(match self.tls_roots.as_deref() {
            None | Some("mozilla") => TlsRoots::Mozilla,
            Some("os") => TlsRoots::Os,
            Some(other) => {
                return Err(Failure::usage(format!(
                    "profile `{name}`: tls_roots is \"mozilla\" or \"os\", not \"{other}\""
                )))
            }
        });
        c = c.allow_http(self.allow_http.unwrap_or(false));
        if let Some(n) = self.retries {
            c = c.retry(RetryPolicy {
                max_retries: n,
                ..RetryPolicy::default()
            });
        }
        if let Some(n) = self.max_response_bytes {
            c = c.max_response_bytes(n);
        }
        if let Some(ua) = &self.user_agent {
            c = c.user_agent(ua.clone());
        }
        if let Some(url) = self.store(no_cache) {
            c = c.token_store(url);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_in_the_file_is_refused_and_sources_are_exclusive() {
        let f: File = toml::from_str(
            "[profiles.a]\napi = \"anna\"\npassword = \"hunter2\"\n[profiles.b]\napi = \"yativo\"\npassword_env = \"X\"\npassword_file = \"/x\"\n",
        )
        .unwrap();
        let e = f.profiles["a"].password("a").unwrap_err();
        assert!(e.message.contains("password_env") && !e.message.contains("hunter2"));
        let e = f.profiles["b"].password("b").unwrap_err();
        assert!(e.message.contains("not several"), "{}", e.message);
    }

    #[test]
    fn file_urls() {
        assert_eq!(
            file_url(Path::new("/home/a b/.cache/tokenbridge")),
            "file:///home/a%20b/.cache/tokenbridge"
        );
        assert_eq!(
            file_url(Path::new(r"C:\Users\a\AppData\Local\tokenbridge")),
            "file:///C:/Users/a/AppData/Local/tokenbridge"
        );
    }
}
