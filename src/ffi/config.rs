//! `tb_config`: the settings clients are created with.

use std::os::raw::c_char;
use std::time::Duration;

use super::error::run;
use super::{strings, tb_status};
use crate::config::{Config, ProxySetting, RetryPolicy, TlsRoots};
use crate::error::{Error, Result};
use crate::http::check_value;

/// Settings for new clients: timeouts, proxy, user agent, TLS roots, plain-http
/// permission, response size limit, retries, token refresh and uContact's
/// end-session-on-close. Create with `tb_config_new`, change with the
/// `tb_config_set_*` functions, pass to a `tb_*_client_new` (which copies it), free
/// with `tb_config_free`.
///
/// Not thread-safe to change: do not call setters on one config from several
/// threads at once, or while a client is being created from it.
pub struct tb_config(pub(crate) Config);

/// Which certificate authorities clients trust for `https://`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tb_tls_roots {
    /// Mozilla's root certificates, bundled in the library (the default).
    TB_TLS_ROOTS_MOZILLA = 0,
    /// The operating system's trust store (Windows, macOS, Linux).
    TB_TLS_ROOTS_OS = 1,
}

/// A [`tb_tls_roots`] as it comes from C: any 32-bit number (the header declares
/// it as `tb_tls_roots`); out-of-range numbers are `TB_INVALID_ARGUMENT`.
pub type tb_tls_roots_raw = i32;

/// The config behind `cfg`, for a setter.
///
/// # Safety
///
/// `cfg` is NULL or a live `tb_config` from `tb_config_new` that no other thread
/// uses during the call.
unsafe fn config_mut<'a>(cfg: *mut tb_config) -> Result<&'a mut Config> {
    // SAFETY: the caller promises NULL or a live, unshared tb_config.
    match unsafe { cfg.as_mut() } {
        Some(c) => Ok(&mut c.0),
        None => Err(Error::invalid_input("cfg", "is NULL")),
    }
}

fn timeout(ms: u64, name: &'static str) -> Result<Duration> {
    if ms == 0 {
        return Err(Error::invalid_input(name, "must be more than 0"));
    }
    Ok(Duration::from_millis(ms))
}

/// A new config with the defaults: connect timeout 10 s, send and receive 30 s,
/// proxy from the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`,
/// `NO_PROXY`), user agent `tokenbridge/<version>`, https only, responses up to
/// 1 MiB, Mozilla roots, 2 retries (200 ms base delay, 5 s cap), tokens refreshed
/// 60 s before expiry, uContact sessions ended on close.
///
/// Returns NULL only if the library failed internally. Free with `tb_config_free`.
///
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tb_config_new() -> *mut tb_config {
    super::panic::guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(tb_config(Config::default())))
    })
}

/// Frees a config. `tb_config_free(NULL)` does nothing. Clients created from the
/// config keep their own copy, so it may be freed right after creating them.
///
/// # Safety
///
/// `cfg` is NULL or a config from `tb_config_new`, not freed yet and not in use
/// by another thread.
#[no_mangle]
pub unsafe extern "C" fn tb_config_free(cfg: *mut tb_config) {
    super::panic::guard((), || {
        if !cfg.is_null() {
            // SAFETY: the caller promises a live config from tb_config_new
            // (Box::into_raw), freed once.
            drop(unsafe { Box::from_raw(cfg) });
        }
    })
}

/// Time allowed to open a connection, including the TLS handshake (default
/// 10000 ms). 0 is `TB_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_timeout_connect_ms(
    cfg: *mut tb_config,
    timeout_connect_ms: u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.timeout_connect = timeout(timeout_connect_ms, "timeout_connect_ms")?;
        Ok(())
    })
}

/// Time allowed to send the request headers, and again the body (default
/// 30000 ms). 0 is `TB_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_timeout_send_ms(
    cfg: *mut tb_config,
    timeout_send_ms: u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.timeout_send = timeout(timeout_send_ms, "timeout_send_ms")?;
        Ok(())
    })
}

/// Time allowed to receive the response headers, and again the body (default
/// 30000 ms). 0 is `TB_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_timeout_receive_ms(
    cfg: *mut tb_config,
    timeout_receive_ms: u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.timeout_receive = timeout(timeout_receive_ms, "timeout_receive_ms")?;
        Ok(())
    })
}

/// Uses this HTTP proxy (CONNECT for HTTPS), e.g. `"http://proxy.corp:3128"`
/// (default: from the environment). The URL is checked when a client is created
/// (`TB_INVALID_ARGUMENT` naming `proxy` if it is not a proxy URL, or a SOCKS proxy,
/// which is not supported).
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call;
/// `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_proxy(cfg: *mut tb_config, url: *const c_char) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let url = unsafe { strings::required(url, "url") }?;
        if url.trim().is_empty() {
            return Err(Error::invalid_input("url", "must not be empty"));
        }
        c.proxy = ProxySetting::Url(url.to_owned());
        Ok(())
    })
}

/// Uses no proxy at all, whatever the environment says.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_no_proxy(cfg: *mut tb_config) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.proxy = ProxySetting::None;
        Ok(())
    })
}

/// Shares tokens through a token store with the other processes (and hosts) that
/// use the same credentials: `"file:///var/lib/app/tokens"` (a directory of this
/// host), `"redis://user:pass@host:6379/0"` or `"rediss://…"` (TLS; a library built
/// with the `redis` feature, as the C library, the wheel, the jar and the NuGet
/// package are). Default: none, each process keeps its own token. A bad URL is
/// `TB_INVALID_ARGUMENT` naming `url`; the URL's credentials are secrets, never
/// repeated in an error or a log record.
///
/// Sessions: with a store, a uContact session belongs to the fleet. A process that
/// frees its client (`tb_ucontact_client_free`, even with end-session-on-close on)
/// or exits does not end a session other processes use; an explicit
/// `tb_ucontact_end_session` ends it for every process and removes it from the
/// store (the next call of any process logs in again).
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call;
/// `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_token_store(
    cfg: *mut tb_config,
    url: *const c_char,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let url = crate::Secret::new(unsafe { strings::required(url, "url") }?);
        crate::store::check(&url, "url")?;
        c.token_store = Some(url);
        Ok(())
    })
}

/// The `User-Agent` header of every request (default `tokenbridge/<version>`).
/// Checked here: a control character (CR, LF, NUL...; a tab is allowed) or more
/// than 8192 bytes is `TB_INVALID_ARGUMENT` naming `user_agent`, and the config is
/// then unchanged.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call;
/// `user_agent` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_user_agent(
    cfg: *mut tb_config,
    user_agent: *const c_char,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let ua = unsafe { strings::required(user_agent, "user_agent") }?;
        // The very check the client applies when it is created, now, so that the
        // error points at this call rather than at `tb_*_client_new`.
        check_value("user_agent", ua)?;
        c.user_agent = ua.to_owned();
        Ok(())
    })
}

/// Allows plain `http://` base URLs (default `false`: only `https://`). For tests
/// and on-premise labs only: credentials then cross the network in clear text.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_allow_http(cfg: *mut tb_config, allow: bool) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.allow_http = allow;
        Ok(())
    })
}

/// The largest response body accepted, in bytes (default 1048576). A larger
/// answer fails the call. 0 is `TB_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_max_response_bytes(
    cfg: *mut tb_config,
    max_response_bytes: u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        if max_response_bytes == 0 {
            return Err(Error::invalid_input(
                "max_response_bytes",
                "must be more than 0",
            ));
        }
        c.max_response_bytes = max_response_bytes;
        Ok(())
    })
}

/// Which root certificates to trust: `TB_TLS_ROOTS_MOZILLA` (bundled, the
/// default) or `TB_TLS_ROOTS_OS` (the system's store). Any other number is
/// `TB_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_tls_roots(
    cfg: *mut tb_config,
    roots: tb_tls_roots_raw,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.tls_roots = match roots {
            r if r == tb_tls_roots::TB_TLS_ROOTS_MOZILLA as i32 => TlsRoots::Mozilla,
            r if r == tb_tls_roots::TB_TLS_ROOTS_OS as i32 => TlsRoots::Os,
            other => {
                return Err(Error::invalid_input(
                    "roots",
                    format!(
                    "{other} is not a tb_tls_roots (0 = TB_TLS_ROOTS_MOZILLA, 1 = TB_TLS_ROOTS_OS)"
                ),
                ))
            }
        };
        Ok(())
    })
}

/// A PEM file of extra CA certificates to trust besides the Mozilla roots (for
/// inspecting proxies and private CAs). The file is read when a client is created:
/// a missing or unparsable file, or combining it with `TB_TLS_ROOTS_OS`, makes
/// `tb_*_client_new` fail with `TB_INVALID_ARGUMENT` naming `extra_ca_file`.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call;
/// `path` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_extra_ca_file(
    cfg: *mut tb_config,
    path: *const c_char,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let path = unsafe { strings::required(path, "path") }?;
        if path.is_empty() {
            return Err(Error::invalid_input("path", "must not be empty"));
        }
        c.extra_ca_file = Some(path.into());
        Ok(())
    })
}

/// Retries of transient failures (connection refused or reset, connect timeouts,
/// HTTP 408/429/502/503/504): up to `max_retries` more attempts (default 2), the
/// delay before retry n a random value between half and all of
/// `min(max_delay_ms, base_delay_ms * 2^n)` (defaults 200 ms and 5000 ms); a
/// `Retry-After` header is honoured up to `max_delay_ms`. `max_retries = 0` turns
/// retries off. `base_delay_ms > max_delay_ms` is `TB_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_retries(
    cfg: *mut tb_config,
    max_retries: u32,
    base_delay_ms: u64,
    max_delay_ms: u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        if base_delay_ms > max_delay_ms {
            return Err(Error::invalid_input(
                "base_delay_ms",
                // No numbers or C names: a binding in seconds shows the reason as it is.
                "is more than the maximum delay",
            ));
        }
        c.retry = RetryPolicy {
            max_retries,
            base_delay: Duration::from_millis(base_delay_ms),
            max_delay: Duration::from_millis(max_delay_ms),
        };
        Ok(())
    })
}

/// How long before expiry a token is refreshed (default 60000 ms; tokens that live
/// less than twice this are refreshed at half their life). 0 refreshes only at
/// expiry.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_refresh_ahead_ms(
    cfg: *mut tb_config,
    refresh_ahead_ms: u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.refresh_ahead = Duration::from_millis(refresh_ahead_ms);
        Ok(())
    })
}

/// How long a client keeps the addresses its host name resolved to (default
/// 60000 ms, as libcurl). 0 asks DNS before every request. A failed connection
/// forgets them at once.
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_dns_cache_ttl_ms(
    cfg: *mut tb_config,
    dns_cache_ttl_ms: u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.dns_cache_ttl = Duration::from_millis(dns_cache_ttl_ms);
        Ok(())
    })
}

/// uContact only: whether `tb_ucontact_client_free` ends a live session with
/// `EndSession` first (default `true`).
///
/// # Safety
///
/// `cfg` is NULL or a live config not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_config_set_end_session_on_close(
    cfg: *mut tb_config,
    end_session_on_close: bool,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live config used by no other thread.
        let c = unsafe { config_mut(cfg) }?;
        c.end_session_on_close = end_session_on_close;
        Ok(())
    })
}

/// The config behind an optional `const tb_config *` (NULL: the defaults).
///
/// # Safety
///
/// `cfg` is NULL or a live config not changed by another thread during the call.
pub(crate) unsafe fn config_or_default(cfg: *const tb_config) -> Config {
    // SAFETY: the caller promises NULL or a live config.
    match unsafe { cfg.as_ref() } {
        Some(c) => c.0.clone(),
        None => Config::default(),
    }
}
