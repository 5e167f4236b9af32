//! `tokenbridge`: tokens and calls for uContact, Yativo and AnnA from the shell
//! (feature `cli`; `cargo install --path . --features cli --locked`). The command
//! is `tokenbridge::cli`; README.md, "Command line", and `tokenbridge --help` say how
//! to use it.

fn main() -> std::process::ExitCode {
    tokenbridge::cli::main()
}
