//! Benchmark client for `scripts/bench.sh`: sequential AnnA `Messenger/AlertCounter`
//! calls through the Rust API against the canned nginx server, one keep-alive
//! connection.
//!
//! `cargo bench --bench rust_api -- PORT REQUESTS WARMUP [cached|login-per-call]`
//! prints `RESULT <name> <requests> <seconds> <req/s> <p50 µs> <p99 µs>`.

use std::time::{Duration, Instant, SystemTime};

use tokenbridge::{anna, Config, ProxySetting, RetryPolicy};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.len() < 3 {
        eprintln!("usage: rust_api PORT REQUESTS WARMUP [cached|login-per-call]");
        std::process::exit(2);
    }
    let port: u16 = args[0].parse().expect("PORT");
    let n: usize = args[1].parse().expect("REQUESTS");
    let warm: usize = args[2].parse().expect("WARMUP");
    let mode = args.get(3).map(String::as_str).unwrap_or("cached");

    let config = Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .retry(RetryPolicy::none());
    let client = anna::Client::new(
        &format!("http://127.0.0.1:{port}/anna/"),
        anna::Credentials::new("COMPANYHASH", "annauser", "anna-pass"),
        &config,
    )
    .expect("client");
    let far = SystemTime::now() + Duration::from_secs(86_400);
    client.set_token("bench-token", Some(far)).expect("token");
    let user = anna::User::id("42");
    let filter = anna::MessengerFilter::default();

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
    let total: Duration = lat.iter().sum();
    lat.sort();
    let name = if mode == "login-per-call" {
        "rust-api-login-per-call"
    } else {
        "rust-api"
    };
    println!(
        "RESULT {name} {n} {:.4} {:.1} {:.2} {:.2}",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        lat[n / 2].as_secs_f64() * 1e6,
        lat[n * 99 / 100].as_secs_f64() * 1e6
    );
}
