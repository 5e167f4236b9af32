//! The command line, as clap reads it: the global flags, the subcommands and their
//! arguments. What they do is in the sibling modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::exit::EXIT_CODES_HELP;

/// Tokens and calls for uContact, Yativo and AnnA from the shell.
#[derive(Parser, Debug)]
#[command(
    name = "tokenbridge",
    version,
    about = "Tokens and calls for uContact, Yativo and AnnA, with the token kept between runs",
    long_about = "Tokens and calls for uContact, Yativo and AnnA from the shell: a token in \
one command, kept between runs (one login for many calls), formats for scripts, errors on \
stderr with exit codes. Profiles come from a TOML file (see `tokenbridge profiles --help`), or, \
without one, from the TOKENBRIDGE_* variables of the quickstart. Secrets are never taken on \
the command line: a profile reads them from an environment variable, a file or a command.",
    after_help = EXIT_CODES_HELP,
    after_long_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// The redacted wire log on stderr (-v: requests, answers and logins; -vv: more).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The profiles file (default: the platform's config folder,
    /// tokenbridge/profiles.toml).
    #[arg(long, env = "TOKENBRIDGE_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The longest a command may take, in seconds (logins and retries included).
    #[arg(long, global = true, value_name = "SECS", value_parser = seconds)]
    pub timeout: Option<std::time::Duration>,
    /// Neither read nor keep a token between runs: log in for this command only.
    #[arg(long, global = true)]
    pub no_cache: bool,
    #[command(subcommand)]
    pub command: Command,
}

fn seconds(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| format!("`{text}` is not a number of seconds from 0 to 86400"))
}

/// What to do.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print a valid token (logs in or refreshes as needed).
    Token {
        /// The profile.
        profile: String,
        /// How to print it.
        #[arg(long, short, value_enum, default_value = "raw")]
        format: TokenFormat,
        /// The variable name for the env, powershell and cmd formats.
        #[arg(long, default_value = "TOKENBRIDGE_TOKEN", value_name = "NAME")]
        name: String,
    },
    /// Call any resource of the profile's API with its token; the body goes to
    /// stdout, and a status that is not 2xx (exit 5) or a refusal in the vendor's way
    /// (exit 4: uContact 0, Yativo failed, AnnA success: false) on stderr.
    Call(CallArgs),
    /// uContact's operations (U1-U3), each printing its answer as JSON.
    #[command(subcommand)]
    Ucontact(UContactOp),
    /// Yativo's operations (Y1-Y2), each printing its answer as JSON.
    #[command(subcommand)]
    Yativo(YativoOp),
    /// AnnA's operations (A1-A8), each printing its answer as JSON.
    #[command(subcommand)]
    Anna(AnnaOp),
    /// Forget the kept token (uContact: end the session first).
    Logout {
        /// The profile.
        profile: String,
    },
    /// List the profiles: names, APIs, URLs and where their secrets come from.
    #[command(after_long_help = PROFILES_HELP)]
    Profiles {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Run the offline sandbox (the flags of tokenbridge-sandbox; `sandbox --help`).
    #[command(disable_help_flag = true)]
    Sandbox {
        /// The flags of tokenbridge-sandbox.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        flags: Vec<String>,
    },
}

/// The formats of `token`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFormat {
    /// The token alone.
    Raw,
    /// A JSON object: token, type, expiry.
    Json,
    /// `Authorization: <scheme> <token>`, for curl -H.
    Header,
    /// `export NAME='token'`, for eval in a POSIX shell.
    Env,
    /// `$env:NAME = 'token'`, for Invoke-Expression in PowerShell.
    Powershell,
    /// `set "NAME=token"`, for `for /f` in cmd.exe.
    Cmd,
}

/// `tokenbridge call`.
#[derive(Args, Debug)]
pub struct CallArgs {
    /// The profile.
    pub profile: String,
    /// GET, HEAD, OPTIONS, POST, PUT, PATCH or DELETE.
    pub method: String,
    /// The path under the profile's base URL.
    pub path: String,
    /// A query parameter (repeatable).
    #[arg(short, long = "query", value_name = "K=V")]
    pub query: Vec<String>,
    /// A header (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub header: Vec<String>,
    /// A JSON body: the text itself, @FILE, or @- for stdin.
    #[arg(long, value_name = "TEXT|@FILE|@-", conflicts_with_all = ["form", "data"])]
    pub json: Option<String>,
    /// A form field (repeatable): an application/x-www-form-urlencoded body.
    #[arg(long, value_name = "K=V", conflicts_with = "data")]
    pub form: Vec<String>,
    /// A body sent as it is, from @FILE or @- (stdin); with --content-type.
    #[arg(long, value_name = "@FILE|@-", requires = "content_type")]
    pub data: Option<String>,
    /// The Content-Type of --data.
    #[arg(long, value_name = "TYPE", requires = "data")]
    pub content_type: Option<String>,
    /// An Idempotency-Key, the same on the call's retries (makes a POST safe to retry).
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Print the status line and headers before the body, as curl -i does.
    #[arg(short = 'i', long)]
    pub include: bool,
}

/// uContact's operations.
#[derive(Subcommand, Debug)]
pub enum UContactOp {
    /// U1: log the API user in (getUserToken); prints {"token"}. Each run starts a new
    /// session, which is yours to end; `tokenbridge token` gives the kept one.
    GetUserToken {
        /// The profile.
        profile: String,
    },
    /// U2: log the agent in (AgentLogin, also on the SIP side); prints the profile
    /// without its SIP secrets. Needs a profile with login = "agent".
    AgentLogin {
        /// The profile.
        profile: String,
    },
    /// U3: end the kept session, if any (EndSession), and forget its token.
    EndSession {
        /// The profile.
        profile: String,
    },
}

/// Yativo's operations.
#[derive(Subcommand, Debug)]
pub enum YativoOp {
    /// Y1: log in (auth/login); prints the token and its expiry.
    Login {
        /// The profile.
        profile: String,
    },
    /// Y2: exchange the token for a new one (auth/refresh-token).
    RefreshToken {
        /// The profile.
        profile: String,
    },
}

/// Which AnnA user: by id, or by document.
#[derive(Args, Debug)]
pub struct AnnaUser {
    /// The user's id (or give --doc-type and --doc-value).
    #[arg(required_unless_present = "doc_type", conflicts_with = "doc_type")]
    pub user_id: Option<String>,
    /// The type of the user's document (e.g. CPF), with --doc-value.
    #[arg(long, requires = "doc_value")]
    pub doc_type: Option<String>,
    /// The number of the user's document.
    #[arg(long, requires = "doc_type")]
    pub doc_value: Option<String>,
}

/// The messenger filters of A6 and A7.
#[derive(Args, Debug)]
pub struct AnnaFilter {
    /// Only this department (its alias).
    #[arg(long)]
    pub department: Option<String>,
    /// Only this channel (its alias).
    #[arg(long)]
    pub channel: Option<String>,
    /// Opened on or after this date (dd/MM/yyyy or yyyy-MM-dd).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Opened on or before this date.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only open or closed requests.
    #[arg(long, value_enum)]
    pub status: Option<StatusArg>,
    /// Only requests awaiting the user's answer (yes) or not (no).
    #[arg(long, value_enum)]
    pub pending: Option<YesNo>,
}

/// A request status.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum StatusArg {
    /// A
    Open,
    /// E
    Closed,
}

/// Yes or no.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum YesNo {
    /// S
    Yes,
    /// N
    No,
}

/// AnnA's operations.
#[derive(Subcommand, Debug)]
pub enum AnnaOp {
    /// A1: get a new token (GetToken).
    GetToken {
        /// The profile.
        profile: String,
    },
    /// A2: the user's access hash and chat URLs (UserHash).
    UserHash {
        /// The profile.
        profile: String,
        /// The user's id.
        user_id: String,
        /// The service the chat starts with.
        #[arg(long)]
        start_service: Option<String>,
    },
    /// A3: create or update (and re-activate) the user, then as user-hash.
    UserHashForced {
        /// The profile.
        profile: String,
        /// The user's id.
        user_id: String,
        /// The user's name.
        user_name: String,
        /// The service the chat starts with.
        #[arg(long)]
        start_service: Option<String>,
    },
    /// A4: inactivate the user; prints the server's message.
    Inactivate {
        /// The profile.
        profile: String,
        /// The user's id.
        user_id: String,
    },
    /// A5: the messenger's structure: departments and channels.
    Structure {
        /// The profile.
        profile: String,
    },
    /// A6: how many open requests await the user's answer.
    AlertCounter {
        /// The profile.
        profile: String,
        #[command(flatten)]
        user: AnnaUser,
        #[command(flatten)]
        filter: AnnaFilter,
    },
    /// A7: the user's requests.
    Requests {
        /// The profile.
        profile: String,
        #[command(flatten)]
        user: AnnaUser,
        #[command(flatten)]
        filter: AnnaFilter,
    },
    /// A8: the link that opens the user's messenger.
    Link {
        /// The profile.
        profile: String,
        #[command(flatten)]
        user: AnnaUser,
    },
}

/// The profiles file, for `tokenbridge profiles --help`.
const PROFILES_HELP: &str = r#"The profiles file (TOML) is --config FILE, else $TOKENBRIDGE_CONFIG, else
tokenbridge/profiles.toml in the platform's config folder ($XDG_CONFIG_HOME or
~/.config on Linux, %APPDATA% on Windows, ~/Library/Application Support on macOS):

  [profiles.uc-prod]
  api = "ucontact"                 # ucontact | yativo | anna
  url = "mycompany"                # a cloud domain or a base URL
  user = "integration"
  login = "api-user"               # or "agent" (for `ucontact agent-login`)
  password_env = "UC_PASSWORD"     # or password_file, or password_command

  [profiles.payments]
  api = "yativo"
  url = "production"               # production | sandbox | a base URL
  account_id_env = "YATIVO_ACCOUNT"  # or account_id = "..."
  password_command = "vault kv get -field=app_secret secret/yativo"

  [profiles.chat]
  api = "anna"
  url = "https://anna.example.com/api/"
  user = "integration"
  password_file = "/etc/tokenbridge/anna.pass"   # mode 600: refused when others can read it
  company_hash_env = "ANNA_HASH"   # or company_hash_file, company_hash_command

Client settings, all optional: timeout_connect, timeout_send, timeout_receive,
refresh_ahead (seconds); proxy ("env", "none" or http://host:port); ca_file (PEM);
tls_roots ("mozilla" or "os"); allow_http; retries; max_response_bytes; user_agent;
token_store (file:///dir or redis://..., "none" to keep no token). The default token
store is tokenbridge/tokens in the platform's cache folder ($TOKENBRIDGE_TOKEN_STORE
replaces it); its entries are sealed with the profile's credentials.

A secret's value is never in the file nor on the command line: `*_env` names a
variable, `*_file` a file only its owner can read, `*_command` a command run by the
shell (sh -c, cmd /C) whose stdout is the secret; when it fails, its stderr is in
the error (exit 9).

Without a file, the profiles ucontact, ucontact-agent, yativo and anna come from
the quickstart's variables: TOKENBRIDGE_UCONTACT_SERVER/_USER/_PASSWORD (and
_AGENT/_AGENT_PASSWORD), TOKENBRIDGE_YATIVO_URL/_ACCOUNT/_SECRET,
TOKENBRIDGE_ANNA_URL/_HASH/_USER/_PASS, TOKENBRIDGE_ALLOW_HTTP=1 for http:// URLs
(`tokenbridge sandbox` prints them)."#;

/// Flags that would put a secret on the command line (visible in `ps` and the shell
/// history): refused, with where the secret goes instead.
pub const SECRET_FLAGS: &[&str] = &[
    "--password",
    "--pass",
    "--secret",
    "--app-secret",
    "--token",
    "--company-hash",
    "--hash",
    "--api-key",
];
