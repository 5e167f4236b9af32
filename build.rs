//! Renders the exports the three clients share (`src/ffi/client_exports.rs.in`) for
//! each client into `OUT_DIR`, and generates `include/tokenbridge.h` from `src/ffi/`
//! and those renderings with cbindgen.
//!
//! The file is written only when its content changes, so a packaged crate (whose
//! header is already current) is never modified by its own build; when the
//! directory is not writable, the build goes on with a warning.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

#[path = "src/ffi/constants.rs"]
#[allow(dead_code)]
mod constants;

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=src/ffi/constants.rs");
    println!("cargo:rerun-if-env-changed=TOKENBRIDGE_HEADER_OUT");
    link_args();

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let exports = match render_client_exports(&dir, &out_dir) {
        Ok(files) => files,
        Err(e) => panic!("could not render src/ffi/client_exports.rs.in: {e}"),
    };
    let header = match generate(&dir, &exports) {
        Ok(h) => h,
        Err(e) => {
            // A broken FFI module fails the compile anyway, with a better message.
            println!("cargo:warning=tokenbridge.h not generated: {e}");
            return;
        }
    };
    // scripts/check-header.sh generates into a temporary file to compare.
    let out = env::var_os("TOKENBRIDGE_HEADER_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("include").join("tokenbridge.h"));
    if let Err(e) = write_if_changed(&out, &header) {
        println!(
            "cargo:warning=could not write {} ({e}); the committed header is used as it is",
            out.display()
        );
    }
}

/// The C ABI's major version: the number in the shared library's SONAME
/// (`libtokenbridge.so.0`). It changes only when the C ABI breaks (a function removed
/// or its signature, a struct or an enum value changed), independently of the package
/// version; `scripts/install.sh` reads the SONAME from the built library.
const ABI_MAJOR: u32 = 0;

/// Linker arguments of the shared library: its SONAME on Linux. (macOS's
/// `install_name` is set by `scripts/install.sh`, which knows the prefix; Windows
/// has nothing of the kind.) The target's OS, not the build script's.
fn link_args() {
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtokenbridge.so.{ABI_MAJOR}");
    }
}

/// What the shared exports say of each client: `@api@` (the module), `@vendor@` (its
/// name in prose), `@Vendor@` (the core's vendor type), `@auth@` (the Authorization
/// scheme), `@token@` (where a valid token comes from), `@send_note@` (what a send
/// adds, after the first paragraph).
const CLIENTS: [[(&str, &str); 6]; 3] = [
    [
        ("@api@", "ucontact"),
        ("@vendor@", "uContact"),
        ("@Vendor@", "UContact"),
        ("@auth@", "Basic"),
        (
            "@token@",
            "the cached session token, or a new login (with the client's login kind)",
        ),
        ("@send_note@", ""),
    ],
    [
        ("@api@", "yativo"),
        ("@vendor@", "Yativo"),
        ("@Vendor@", "Yativo"),
        ("@auth@", "Bearer"),
        (
            "@token@",
            "the cached bearer token, refreshed ahead of expiry, or a new login",
        ),
        (
            "@send_note@",
            " A POST\n/// without `tb_request_set_idempotency_key` carries a fresh UUID v4\n/// `Idempotency-Key` per send (the same on its retries), so it is retried like a GET.",
        ),
    ],
    [
        ("@api@", "anna"),
        ("@vendor@", "AnnA"),
        ("@Vendor@", "Anna"),
        ("@auth@", "Bearer"),
        (
            "@token@",
            "the cached bearer token, or a new `GetToken` ahead of expiry",
        ),
        ("@send_note@", ""),
    ],
];

/// Renders the shared exports for each client into `out_dir`; gives the files.
fn render_client_exports(dir: &Path, out_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let template = fs::read_to_string(dir.join("src/ffi/client_exports.rs.in"))?;
    let mut files = Vec::new();
    for client in CLIENTS {
        let mut text = template.clone();
        for (placeholder, value) in client {
            text = text.replace(placeholder, value);
        }
        assert!(
            !text.contains("@"),
            "a placeholder of src/ffi/client_exports.rs.in has no value"
        );
        let file = out_dir.join(format!("{}_exports.rs", client[0].1));
        write_if_changed(&file, &text)?;
        files.push(file);
    }
    Ok(files)
}

fn generate(dir: &Path, exports: &[PathBuf]) -> Result<String, String> {
    let mut config = cbindgen::Config::from_file(dir.join("cbindgen.toml"))?;
    // cbindgen.toml's after_includes (the TB_API macro), then the version macros.
    let declared = config.after_includes.take().unwrap_or_default();
    config.after_includes = Some(declared + &version_macros());
    let mut builder = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src").join("ffi").join("mod.rs"));
    for file in exports {
        builder = builder.with_src(file);
    }
    let bindings = builder.generate().map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    bindings.write(&mut bytes);
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// The macros cbindgen cannot derive: versions (from Cargo) and string constants.
fn version_macros() -> String {
    let part = |name: &str| -> u32 {
        let v = env::var(name).expect("set by cargo");
        v.parse()
            .unwrap_or_else(|_| panic!("{name} = {v} is not a number"))
    };
    let (major, minor, patch) = (
        part("CARGO_PKG_VERSION_MAJOR"),
        part("CARGO_PKG_VERSION_MINOR"),
        part("CARGO_PKG_VERSION_PATCH"),
    );
    assert!(
        minor < 100 && patch < 100,
        "TB_VERSION_NUMBER packs MINOR and PATCH into two decimal digits each"
    );
    format!(
        r#"
/** The major version of this header (compare with tb_version_number()). */
#define TB_VERSION_MAJOR {major}
/** The minor version of this header. */
#define TB_VERSION_MINOR {minor}
/** The patch version of this header. */
#define TB_VERSION_PATCH {patch}
/** This header's version as a string, "MAJOR.MINOR.PATCH" (equal to tb_version()). */
#define TB_VERSION_STRING "{major}.{minor}.{patch}"
/** This header's version as MAJOR * 10000 + MINOR * 100 + PATCH (equal to tb_version_number()). */
#define TB_VERSION_NUMBER ((TB_VERSION_MAJOR) * 10000 + (TB_VERSION_MINOR) * 100 + (TB_VERSION_PATCH))

/** Yativo's production base URL, for tb_yativo_client_new(). */
#define TB_YATIVO_PRODUCTION_URL "{production}"
/** Yativo's online sandbox base URL, for tb_yativo_client_new(). */
#define TB_YATIVO_SANDBOX_URL "{sandbox}""#,
        production = constants::TB_YATIVO_PRODUCTION_URL,
        sandbox = constants::TB_YATIVO_SANDBOX_URL,
    )
}

fn write_if_changed(path: &Path, content: &str) -> std::io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(path, content)
}
