//! DNS under the call's limits, against a DNS server that never answers.
//!
//! The test runs itself again inside new mount and network namespaces
//! (`unshare -rmn`: as root, or as any user where the kernel allows unprivileged user
//! namespaces), where `/etc/resolv.conf` is bind-mounted to one naming 127.0.0.1
//! (`options timeout:3 attempts:1`) and a UDP socket on 127.0.0.1:53 reads every
//! query and answers none. There:
//!
//! * a call with a 1 s deadline returns in < 1.3 s, `Timeout`, its message naming
//!   the deadline and the lookup that had no answer;
//! * a call cancelled 100 ms in returns within 200 ms of the cancel, `Cancelled`;
//! * a call without limits waits for the system resolver (3 s here) and gets
//!   `Dns` "no answer from the DNS server", not "host not found".
//!
//! Without `unshare`, or where namespaces are refused, the test fails saying so.

#![cfg(target_os = "linux")] // network namespaces and /etc/resolv.conf: Linux only

#[path = "common/this_test.rs"]
mod this_test;

use std::net::UdpSocket;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use tokenbridge::{
    yativo, CallOptions, CancelToken, Config, ErrorKind, ProxySetting, RetryPolicy, TransportKind,
};

const INNER: &str = "TOKENBRIDGE_DNS_TEST_INNER";

#[test]
fn a_dns_server_that_never_answers() {
    if std::env::var_os(INNER).is_some() {
        inside_the_namespace();
        return;
    }
    let dir = std::env::temp_dir().join(format!("tb-dns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let resolv = dir.join("resolv.conf");
    std::fs::write(
        &resolv,
        "nameserver 127.0.0.1\noptions timeout:3 attempts:1\n",
    )
    .unwrap();
    let script = "ip link set lo up && mount --bind \"$1\" /etc/resolv.conf && shift && exec \"$@\" --exact a_dns_server_that_never_answers --nocapture --test-threads=1";
    let out = Command::new("unshare")
        .args(["-rmn", "sh", "-c", script, "sh"])
        .arg(&resolv)
        .args(this_test::argv())
        .env(INNER, "1")
        .env("RUST_BACKTRACE", "0")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = out.expect(
        "`unshare` (util-linux) runs this test in its own namespaces: sudo apt-get install -y util-linux iproute2",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        out.status.success() && stdout.contains("DNS CASES PASSED"),
        "the test inside `unshare -rmn` failed (it needs root, or unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1); see above"
    );
}

/// A DNS server on 127.0.0.1:53 that reads queries and answers none; counts them.
fn silent_dns() -> (Arc<AtomicUsize>, Arc<AtomicBool>) {
    let socket = UdpSocket::bind("127.0.0.1:53").expect("bind 127.0.0.1:53 in the namespace");
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let queries = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (q, s) = (queries.clone(), stop.clone());
    thread::spawn(move || {
        let mut buf = [0u8; 1500];
        let until = Instant::now() + Duration::from_secs(60);
        while !s.load(Ordering::SeqCst) && Instant::now() < until {
            if socket.recv_from(&mut buf).is_ok() {
                q.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    (queries, stop)
}

fn client(host: &str) -> yativo::Client {
    let config = Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .retry(RetryPolicy::none());
    yativo::Client::new(
        &format!("http://{host}/api/v1"),
        yativo::Credentials::new("acct", "secret"),
        &config,
    )
    .unwrap()
}

fn inside_the_namespace() {
    let (queries, stop) = silent_dns();

    // A 1 s deadline.
    let started = Instant::now();
    let err = client("deadline.never-answers.test")
        .with_options(CallOptions::new().deadline(Duration::from_secs(1)))
        .login()
        .expect_err("no DNS answer");
    let took = started.elapsed();
    println!("deadline: {took:?}: {err}");
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Timeout),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("the call's deadline of 1 s passed while resolving the host name"),
        "{text}"
    );
    assert!(
        text.contains("no answer from the DNS server for deadline.never-answers.test"),
        "{text}"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(1300),
        "{took:?}"
    );
    assert!(
        queries.load(Ordering::SeqCst) > 0,
        "the query reached the silent server"
    );

    // A cancel 100 ms in.
    let cancel = CancelToken::new();
    let canceller = {
        let cancel = cancel.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            let at = Instant::now();
            cancel.cancel();
            at
        })
    };
    let err = client("cancel.never-answers.test")
        .with_options(CallOptions::new().cancel_token(cancel))
        .login()
        .expect_err("cancelled");
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    let after = returned.duration_since(cancelled_at);
    println!("cancel: returned {after:?} after the cancel: {err}");
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert!(after < Duration::from_millis(200), "{after:?}");

    // No limits: the system resolver's own timeout (3 s here), told as no answer.
    let started = Instant::now();
    let err = client("free.never-answers.test")
        .login()
        .expect_err("no DNS answer");
    let took = started.elapsed();
    println!("no limits: {took:?}: {err}");
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Dns),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("no answer from the DNS server for free.never-answers.test within 3 s"),
        "{text}"
    );
    assert!(!text.contains("no address"), "{text}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(8),
        "{took:?}"
    );

    stop.store(true, Ordering::SeqCst);
    println!("DNS CASES PASSED");
}
