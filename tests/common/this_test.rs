//! This test binary run again as a child process. Under an emulator the binary cannot
//! be executed directly (an aarch64 test under qemu-user gets "Exec format error"
//! without binfmt_misc), so the words of `TOKENBRIDGE_TEST_RUNNER` (scripts/cross.sh
//! sets it to the same runner cargo uses, e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu`)
//! come first.

#![allow(dead_code)] // each test file uses one of the two functions
use std::ffi::OsString;
use std::process::Command;

/// The runner's words (none when not emulated), then the path of this test binary.
pub fn argv() -> Vec<OsString> {
    let mut argv: Vec<OsString> = std::env::var("TOKENBRIDGE_TEST_RUNNER")
        .unwrap_or_default()
        .split_whitespace()
        .map(OsString::from)
        .collect();
    argv.push(
        std::env::current_exe()
            .expect("the test binary's path")
            .into(),
    );
    argv
}

/// A command that runs this test binary again (through the runner, if any).
pub fn command() -> Command {
    let mut argv = argv().into_iter();
    let mut cmd = Command::new(argv.next().expect("at least the binary"));
    cmd.args(argv);
    cmd
}
