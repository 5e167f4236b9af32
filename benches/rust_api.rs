//! Benchmark client for `scripts/bench.sh`: sequential AnnA `Messenger/AlertCounter`
//! calls through the Rust API against the canned nginx server, one keep-alive
//! connection.
//!
//! `cargo bench --bench rust_api -- PORT REQUESTS WARMUP [cached|login-per-call|ffi] [CAFILE]`
//! prints `RESULT <name> <requests> <seconds> <req/s> <p50 µs> <p99 µs>`.
//!
//! `ffi` makes the same calls through the `extern "C"` functions the C ABI exports
//! (`tb_anna_messenger_alert_counter`), compiled into this same program: what it adds
//! over `cached` is the C ABI layer alone (C strings, the last-error slot, the panic
//! guard), without the difference between a shared library's code and a program's.
//!
//! With `CAFILE`, the calls go over https to the same port, trusting that CA beside the
//! bundled roots (`Config::extra_ca_file`).

use std::time::{Duration, Instant, SystemTime};

use tokenbridge::{anna, Config, ProxySetting, RetryPolicy};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.len() < 3 {
        eprintln!("usage: rust_api PORT REQUESTS WARMUP [cached|login-per-call|ffi] [CAFILE]");
        std::process::exit(2);
    }
    let port: u16 = args[0].parse().expect("PORT");
    let n: usize = args[1].parse().expect("REQUESTS");
    let warm: usize = args[2].parse().expect("WARMUP");
    let mode = args.get(3).map(String::as_str).unwrap_or("cached");
    let ca = args.get(4).map(String::as_str);
    let scheme = if ca.is_some() { "https" } else { "http" };

    let mut config = Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .retry(RetryPolicy::none());
    if let Some(ca) = ca {
        config = config.extra_ca_file(ca);
    }
    let client = anna::Client::new(
        &format!("{scheme}://127.0.0.1:{port}/anna/"),
        anna::Credentials::new("COMPANYHASH", "annauser", "anna-pass"),
        &config,
    )
    .expect("client");
    let far = SystemTime::now() + Duration::from_secs(86_400);
    client.set_token("bench-token", Some(far)).expect("token");
    let user = anna::User::id("42");
    let filter = anna::MessengerFilter::default();

    if mode == "ffi" {
        through_ffi(port, n, warm, ca);
        return;
    }

    let mut lat = Vec::with_capacity(n);
    for i in 0..warm + n {
        let t0 = Instant::now();
        if mode == "login-per-call" {
            client.get_token().expect("GetToken");
        }
        let count = client
            .messenger_alert_counter(&user, &filter)
            .expect("AlertCounter");
        assert_eq!(count, 3);
        if i >= warm {
            lat.push(t0.elapsed());
        }
    }
    let name = if mode == "login-per-call" {
        "rust-api-login-per-call"
    } else {
        "rust-api"
    };
    report(name, n, lat);
}

/// The C ABI's calls, made from Rust.
#[allow(unsafe_code)]
fn through_ffi(port: u16, n: usize, warm: usize, ca: Option<&str>) {
    use std::ffi::CString;
    use std::ptr;
    use tokenbridge::ffi::anna::{
        tb_anna_client, tb_anna_client_free, tb_anna_client_new, tb_anna_messenger_alert_counter,
        tb_anna_set_token,
    };
    use tokenbridge::ffi::config::{
        tb_config_free, tb_config_new, tb_config_set_allow_http, tb_config_set_extra_ca_file,
        tb_config_set_no_proxy, tb_config_set_retries,
    };
    use tokenbridge::ffi::status::tb_status;

    let ok = |s: tb_status, what: &str| assert!(matches!(s, tb_status::TB_OK), "{what}");
    let c = |s: &str| CString::new(s).expect("no NUL");
    let scheme = if ca.is_some() { "https" } else { "http" };
    let ca = ca.map(c);
    let (base, hash, user, pass) = (
        c(&format!("{scheme}://127.0.0.1:{port}/anna/")),
        c("COMPANYHASH"),
        c("annauser"),
        c("anna-pass"),
    );
    let (token, id) = (c("bench-token"), c("42"));
    // SAFETY: every pointer below is a live CString or handle of this function, used
    // on this thread only, and each handle is freed once.
    unsafe {
        let cfg = tb_config_new();
        ok(tb_config_set_allow_http(cfg, true), "allow_http");
        ok(tb_config_set_no_proxy(cfg), "no_proxy");
        ok(tb_config_set_retries(cfg, 0, 100, 1000), "retries");
        if let Some(ca) = &ca {
            ok(
                tb_config_set_extra_ca_file(cfg, ca.as_ptr()),
                "extra_ca_file",
            );
        }
        let mut client: *mut tb_anna_client = ptr::null_mut();
        let made = tb_anna_client_new(
            cfg,
            base.as_ptr(),
            hash.as_ptr(),
            user.as_ptr(),
            pass.as_ptr(),
            &mut client,
        );
        ok(made, "client");
        tb_config_free(cfg);
        let far = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs() as i64
            + 86_400;
        ok(tb_anna_set_token(client, token.as_ptr(), far), "set_token");
        let mut lat = Vec::with_capacity(n);
        let mut count = 0u64;
        for i in 0..warm + n {
            let t0 = Instant::now();
            let status = tb_anna_messenger_alert_counter(
                client,
                id.as_ptr(),
                ptr::null(),
                ptr::null(),
                ptr::null(),
                &mut count,
            );
            ok(status, "AlertCounter");
            assert_eq!(count, 3);
            if i >= warm {
                lat.push(t0.elapsed());
            }
        }
        tb_anna_client_free(client);
        report("rust-via-c-abi", n, lat);
    }
}

fn report(name: &str, n: usize, mut lat: Vec<Duration>) {
    let total: Duration = lat.iter().sum();
    lat.sort();
    println!(
        "RESULT {name} {n} {:.4} {:.1} {:.2} {:.2}",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        lat[n / 2].as_secs_f64() * 1e6,
        lat[n * 99 / 100].as_secs_f64() * 1e6
    );
}
