//! `tokenbridge-sandbox`: the offline sandbox of uContact, Yativo and AnnA as a
//! process, for test suites in any language and for trying integrations by hand.
//!
//! ```text
//! cargo install --path . --features sandbox        # from a checkout
//! tokenbridge-sandbox [--listen 127.0.0.1:8080] [--token-lifetime SECS] ...
//! ```
//!
//! The first line on stdout is exactly `TOKENBRIDGE_SANDBOX_URL=http://HOST:PORT`
//! (flushed at once); the lines after it give each API's base URL and the sandbox
//! credentials as `NAME=value` (shell-quoted when needed; sandbox values, not secrets),
//! then `#` comments. It runs until Ctrl-C or SIGTERM (on Windows, the console's
//! close events), or, with `--exit-on-stdin-eof`, until its standard input ends — so a
//! parent holding a pipe to it stops it by closing the pipe, or by dying.
//!
//! The wire behaviour, the control endpoint (`/__sandbox/stats`, `/__sandbox/reset`,
//! `/__sandbox/faults`) and the defaults are in `docs/sandbox-contract.md`. The flags are
//! parsed by `tokenbridge::sandbox::launcher`, shared with `tokenbridge sandbox`.

use std::process::ExitCode;

fn main() -> ExitCode {
    tokenbridge::sandbox::launcher::run("tokenbridge-sandbox", std::env::args().skip(1))
}
