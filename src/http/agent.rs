//! Building the ureq agent a client talks through: base URL rules, TLS roots (with an
//! extra CA file), the proxy, timeouts — and a new agent in a forked child, whose
//! inherited connections belong to the parent.
#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::ClientConfig;
use ureq::tls::{Certificate, PemItem};
use ureq::unversioned::transport::{
    ConnectProxyConnector, ConnectionDetails, Connector, TcpConnector, Transport,
};

use super::buffers::{BUFFER_BYTES, INPUT_BUFFER_BYTES, RECORD_BUFFER_BYTES};
use super::lookup::SystemResolver;
use super::request::check_value;
use super::resolve::{CachingResolver, DnsCache};
use super::tls::{client_config, Tls, Trust};
use super::transport::{Bounded, Join};
use crate::config::{Config, ProxySetting, TlsRoots};
use crate::error::{Error, Result};

/// The longest base URL accepted, in bytes.
const MAX_BASE_URL_BYTES: usize = 2048;

/// How many idle connections a client keeps to its API (ureq keeps 3). A client is
/// shared by threads: each call in flight takes a connection of its own, and with 3
/// kept, 16 threads made a new connection (TCP and TLS handshakes) on one call in
/// five. An idle connection costs ~87 KiB and a descriptor until ureq's 15 s idle
/// limit closes it.
const IDLE_PER_HOST: usize = 64;

/// Checks and normalises a base URL: scheme present, http only when allowed, a host,
/// no query, fragment or control character, no trailing slash.
pub(crate) fn normalize_base_url(url: &str, allow_http: bool) -> Result<String> {
    let url = url.trim();
    if url.len() > MAX_BASE_URL_BYTES {
        return Err(Error::invalid_input(
            "base_url",
            format!(
                "is {} bytes long; at most {MAX_BASE_URL_BYTES} are accepted",
                url.len()
            ),
        ));
    }
    if url.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            "base_url",
            "holds a control character (CR, LF, NUL...)",
        ));
    }
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        if !allow_http {
            return Err(Error::invalid_input(
                "base_url",
                format!("`{url}` is plain http:// and would send credentials in clear text; use https:// or allow http explicitly (Config::allow_http)"),
            ));
        }
        r
    } else {
        return Err(Error::invalid_input(
            "base_url",
            format!("`{url}` must start with https:// (or http:// when allowed)"),
        ));
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(Error::invalid_input(
            "base_url",
            format!("`{url}` has no host name"),
        ));
    }
    if host.contains('@') {
        return Err(Error::invalid_input(
            "base_url",
            "must not carry a user name or password (`user:pass@host`); give credentials to the client instead",
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(Error::invalid_input(
            "base_url",
            format!("`{url}` must not have a query or fragment"),
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Reads a PEM file of CA certificates; a missing, empty or malformed file is an error.
fn load_ca_file(path: &std::path::Path) -> Result<Vec<Certificate<'static>>> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid_input("extra_ca_file", format!("cannot read `{shown}`: {e}"))
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => {
                // rustls's own check, the one the TLS configuration makes of it.
                if let Err(e) = rustls::RootCertStore::empty()
                    .add(rustls::pki_types::CertificateDer::from(c.der()))
                {
                    return Err(Error::invalid_input(
                        "extra_ca_file",
                        format!("`{shown}` holds a certificate that cannot be a trusted root: {e}"),
                    ));
                }
                certs.push(c)
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Error::invalid_input(
                    "extra_ca_file",
                    format!("`{shown}` is not valid PEM: {e}"),
                ))
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid_input(
            "extra_ca_file",
            format!("`{shown}` holds no `BEGIN CERTIFICATE` block"),
        ));
    }
    Ok(certs)
}

/// The connector of one TLS configuration, shared by every client of the process
/// that has it. Its rustls configuration (the root store, or the OS store read by
/// rustls-platform-verifier, and a TLS session cache) is built once per process, and
/// a new client's first connection resumes a TLS session another client of the same
/// server started.
struct SharedTls {
    connector: Arc<dyn Connector<(), Out = Box<dyn Transport>>>,
}

/// The connection a request goes over: through an HTTP CONNECT proxy or straight to
/// the server, then [`Bounded`] right above the socket (and above the tunnel: ureq
/// runs this chain for the connection to the proxy too), then TLS for https, then
/// [`Join`] on top. ureq's
/// `DefaultConnector` less SOCKS (not compiled in: `AgentSetup::new` refuses a
/// SOCKS proxy) and the checks for TLS providers we do not compile.
fn connectors(tls: Arc<ClientConfig>) -> Arc<dyn Connector<(), Out = Box<dyn Transport>>> {
    let chain =
        ().chain(ConnectProxyConnector::default())
            .chain(TcpConnector::default())
            .chain(Bounded)
            .chain(Tls(tls))
            .chain(Join);
    Arc::new(Boxed(chain))
}

/// A connector whose transports are boxed, so that its type can be named.
#[derive(Debug)]
struct Boxed<C>(C);

impl<C: Connector<()>> Connector<()> for Boxed<C> {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        Ok(self.0.connect(details, chained)?.map(Transport::boxed))
    }
}

/// The TLS configurations of this process; a process has one or two, the bound is
/// only against a pathological caller (an evicted one lives on in its clients).
static SHARED_TLS: Mutex<Vec<(Trust, Arc<SharedTls>)>> = Mutex::new(Vec::new());
const SHARED_TLS_KEPT: usize = 8;

fn shared_tls(key: Trust) -> Result<Arc<SharedTls>> {
    let mut all = SHARED_TLS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, shared)) = all.iter().find(|(k, _)| *k == key) {
        return Ok(shared.clone());
    }
    let config = client_config(&key)?;
    let shared = Arc::new(SharedTls {
        connector: connectors(config),
    });
    if all.len() == SHARED_TLS_KEPT {
        all.remove(0);
    }
    all.push((key, shared.clone()));
    Ok(shared)
}

/// A connector shared by agents: the process's one for their TLS configuration.
#[derive(Debug)]
struct SharedConnector(Arc<dyn Connector<(), Out = Box<dyn Transport>>>);

impl Connector<()> for SharedConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained)
    }
}

/// Everything needed to build the client's agent, kept so that a forked child can
/// build its own.
pub(crate) struct AgentSetup {
    config: ureq::config::Config,
    proxy: Option<ureq::Proxy>,
    /// The proxy as shown in errors: scheme, host and port, never its credentials.
    proxy_shown: Option<String>,
    dns_ttl: Duration,
    tls: Arc<SharedTls>,
}

impl AgentSetup {
    /// The setup for a client of `base` (its URL decides which proxy variable of the
    /// environment applies, and whether `NO_PROXY` names its host).
    pub fn new(config: &Config, base: &str) -> Result<AgentSetup> {
        check_value("user_agent", &config.user_agent)?;
        let key = match (config.tls_roots, &config.extra_ca_file) {
            (TlsRoots::Mozilla, None) => Trust::Mozilla,
            (TlsRoots::Os, None) => Trust::Os,
            (TlsRoots::Mozilla, Some(path)) => Trust::MozillaAnd(
                load_ca_file(path)?
                    .iter()
                    .map(|c| c.der().to_vec())
                    .collect(),
            ),
            (TlsRoots::Os, Some(_)) => {
                return Err(Error::invalid_input(
                    "extra_ca_file",
                    "an extra CA file adds to the bundled Mozilla roots; to trust the OS store, install the CA there instead",
                ))
            }
        };
        let tls = shared_tls(key)?;
        let proxy = match &config.proxy {
            ProxySetting::FromEnvironment => proxy_from_env(base, |name| std::env::var(name).ok())
                .and_then(|url| match ureq::Proxy::new(&url) {
                    Ok(p) => Some(p),
                    Err(_) => {
                        log::warn!(target: "tokenbridge", "the proxy in the environment is not a valid proxy URL: connecting directly");
                        None
                    }
                }),
            ProxySetting::None => None,
            ProxySetting::Url(u) => Some(ureq::Proxy::new(u).map_err(|_| {
                Error::invalid_input("proxy", "not a valid proxy URL (e.g. http://host:3128)")
            })?),
        };
        // SOCKS is not compiled into ureq: a SOCKS proxy would be passed by (a
        // direct connection). One given in the settings is refused; one from the
        // environment is named in the log and, as ureq did, not used.
        let socks = |p: &ureq::Proxy| {
            !matches!(
                p.protocol(),
                ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
            )
        };
        let proxy = match proxy {
            Some(p) if socks(&p) && matches!(config.proxy, ProxySetting::FromEnvironment) => {
                log::warn!(target: "tokenbridge", "the proxy from the environment ({}:{}) is a SOCKS proxy, which is not supported: connecting directly", p.host(), p.port());
                None
            }
            Some(p) if socks(&p) => {
                return Err(Error::invalid_input(
                    "proxy",
                    "SOCKS proxies are not supported; use an HTTP CONNECT proxy (http://host:port)",
                ))
            }
            other => other,
        };
        let proxy_shown = proxy.as_ref().map(|p| {
            format!(
                "{}://{}:{}",
                format!("{:?}", p.protocol()).to_ascii_lowercase(),
                p.host(),
                p.port()
            )
        });
        // The socket's buffers: under TLS they carry records, else heads and bodies.
        let (socket_input, socket_output) = if base.starts_with("https://") {
            (RECORD_BUFFER_BYTES, RECORD_BUFFER_BYTES)
        } else {
            (INPUT_BUFFER_BYTES, BUFFER_BYTES)
        };
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(!config.allow_http)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(config.user_agent.as_str())
            .accept("application/json, text/plain, */*")
            .proxy(proxy.clone())
            .timeout_connect(Some(config.timeout_connect))
            .timeout_send_request(Some(config.timeout_send))
            .timeout_send_body(Some(config.timeout_send))
            .timeout_recv_response(Some(config.timeout_receive))
            .timeout_recv_body(Some(config.timeout_receive))
            .input_buffer_size(socket_input)
            .output_buffer_size(socket_output)
            .max_idle_connections_per_host(IDLE_PER_HOST)
            .max_idle_connections(IDLE_PER_HOST * 2)
            .build();
        Ok(AgentSetup {
            config: agent_config,
            proxy,
            proxy_shown,
            dns_ttl: config.dns_cache_ttl,
            tls,
        })
    }

    /// A new agent with an empty pool and DNS cache.
    fn build(&self) -> (ureq::Agent, Arc<DnsCache>) {
        let dns = Arc::new(DnsCache::default());
        let agent = ureq::Agent::with_parts(
            self.config.clone(),
            SharedConnector(self.tls.connector.clone()),
            CachingResolver::new(SystemResolver, self.dns_ttl, dns.clone()),
        );
        (agent, dns)
    }

    /// Whether the proxy has a user name or password.
    pub fn proxy_has_credentials(&self) -> bool {
        self.proxy
            .as_ref()
            .is_some_and(|p| p.username().is_some() || p.password().is_some())
    }

    /// The proxy a request to `url` goes through, as shown in errors.
    pub fn proxy_for(&self, url: &str) -> Option<&str> {
        let proxy = self.proxy.as_ref()?;
        let uri: ureq::http::Uri = url.parse().ok()?;
        if proxy.is_no_proxy(&uri) {
            return None;
        }
        self.proxy_shown.as_deref()
    }
}

/// The proxy the environment gives for a client of `base`, read as curl reads it:
/// `https_proxy`/`HTTPS_PROXY` for an https URL, `http_proxy` (lower case only, as
/// curl, against "httpoxy") for an http one, else `all_proxy`/`ALL_PROXY`; none
/// when `no_proxy`/`NO_PROXY` names the host (`*`, the host, or a domain it is in,
/// with or without a leading dot; a `:port` suffix must match the port). An empty
/// variable counts as unset.
fn proxy_from_env(base: &str, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let uri: ureq::http::Uri = base.parse().ok()?;
    let https = uri.scheme_str() == Some("https");
    let get = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
    };
    let proxy = if https {
        get(&["https_proxy", "HTTPS_PROXY"])
    } else {
        get(&["http_proxy"])
    }
    .or_else(|| get(&["all_proxy", "ALL_PROXY"]))?;
    let host = uri
        .host()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let skip = get(&["no_proxy", "NO_PROXY"]).is_some_and(|list| {
        list.split(',').any(|entry| {
            let entry = entry.trim().to_ascii_lowercase();
            if entry == "*" {
                return true;
            }
            let (name, want_port) = match entry.rsplit_once(':') {
                Some((n, p)) if !n.contains(':') || n.ends_with(']') => (n, p.parse::<u16>().ok()),
                _ => (entry.as_str(), None),
            };
            let name = name
                .trim_start_matches('.')
                .trim_start_matches('[')
                .trim_end_matches(']');
            !name.is_empty()
                && want_port.is_none_or(|p| p == port)
                && (host == name || host.ends_with(&format!(".{name}")))
        })
    });
    (!skip).then_some(proxy)
}

/// The agent of the process that uses it. A forked child finds the parent's pid
/// here and builds an agent of its own: the inherited pool's connections carry the
/// parent's exchanges, and reading from them in the child mixes up answers.
pub(crate) struct ProcessAgent {
    setup: AgentSetup,
    current: Mutex<Current>,
}

struct Current {
    pid: u32,
    agent: ureq::Agent,
    dns: Arc<DnsCache>,
}

impl ProcessAgent {
    pub fn new(setup: AgentSetup) -> ProcessAgent {
        let (agent, dns) = setup.build();
        ProcessAgent {
            setup,
            current: Mutex::new(Current {
                pid: std::process::id(),
                agent,
                dns,
            }),
        }
    }

    pub fn setup(&self) -> &AgentSetup {
        &self.setup
    }

    /// The agent and DNS cache of process `pid` (the caller's).
    pub fn get(&self, pid: u32) -> (ureq::Agent, Arc<DnsCache>) {
        let mut cur = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if cur.pid != pid {
            let (agent, dns) = self.setup.build();
            let inherited = std::mem::replace(&mut cur.agent, agent);
            // Never close or shut down the inherited connections: they are the
            // parent's too, and a TLS close or a shutdown here would end its
            // exchanges. Their descriptors stay open until this process exits.
            std::mem::forget(inherited);
            cur.dns = dns;
            cur.pid = pid;
            log::info!(target: "tokenbridge", "new process (pid {pid}) detected: dropped the connections inherited from the parent");
        }
        (cur.agent.clone(), cur.dns.clone())
    }
}

#[cfg(test)]
mod tests {
    const BASE: &str = "https://api.example.com/v1";

    #[test]
    fn the_environment_s_proxy_as_curl_reads_it() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let p = |base: &str, vars: &'static [(&'static str, &'static str)]| {
            super::proxy_from_env(base, env(vars))
        };
        let https = "https://api.example.com/x";
        let http = "http://api.example.com:8080/x";
        assert_eq!(
            p(https, &[("HTTPS_PROXY", "http://p:1")]).as_deref(),
            Some("http://p:1")
        );
        assert_eq!(
            p(
                https,
                &[("HTTPS_PROXY", "http://a:1"), ("https_proxy", "http://b:1")]
            )
            .as_deref(),
            Some("http://b:1")
        );
        assert_eq!(p(http, &[("HTTPS_PROXY", "http://p:1")]), None);
        assert_eq!(p(https, &[("http_proxy", "http://p:1")]), None);
        assert_eq!(
            p(http, &[("http_proxy", "http://p:1")]).as_deref(),
            Some("http://p:1")
        );
        assert_eq!(
            p(http, &[("HTTP_PROXY", "http://p:1")]),
            None,
            "httpoxy: curl ignores it"
        );
        assert_eq!(
            p(http, &[("ALL_PROXY", "http://p:1")]).as_deref(),
            Some("http://p:1")
        );
        assert_eq!(
            p(https, &[("https_proxy", ""), ("all_proxy", "http://q:1")]).as_deref(),
            Some("http://q:1")
        );
        for no in [
            "*",
            "api.example.com",
            "example.com",
            ".example.com",
            "other, example.com",
            "api.example.com:443",
        ] {
            let vars: &'static [(&'static str, &'static str)] =
                Box::leak(vec![("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", no)].into_boxed_slice());
            assert_eq!(p(https, vars), None, "NO_PROXY={no}");
        }
        for no in ["ample.com", "api.example.com:8443", "other"] {
            let vars: &'static [(&'static str, &'static str)] =
                Box::leak(vec![("HTTPS_PROXY", "http://p:1"), ("no_proxy", no)].into_boxed_slice());
            assert!(p(https, vars).is_some(), "NO_PROXY={no}");
        }
    }

    use super::*;

    #[test]
    fn base_url_rules() {
        assert_eq!(
            normalize_base_url("https://h.example/api/", false).unwrap(),
            "https://h.example/api"
        );
        let e = normalize_base_url("http://h.example", false).unwrap_err();
        assert!(e.to_string().contains("allow_http"), "{e}");
        assert!(normalize_base_url("http://127.0.0.1:1", true).is_ok());
        assert!(normalize_base_url("h.example", true).is_err());
        assert!(normalize_base_url("https:///x", true).is_err());
        let e = normalize_base_url("https://h.example/\r\nX: 1", true).unwrap_err();
        assert!(e.to_string().contains("control character"), "{e}");
        let e = normalize_base_url(&format!("https://h.example/{}", "a".repeat(3000)), true)
            .unwrap_err();
        assert!(e.to_string().contains("2048"), "{e}");
        let e = normalize_base_url("https://u:pw@h.example", true).unwrap_err();
        assert!(!e.to_string().contains("pw"), "{e}");
    }

    #[test]
    fn an_extra_ca_file_whose_certificate_is_no_usable_root_is_refused_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("tb-bad-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Valid PEM and DER (a SEQUENCE holding INTEGER 0), but no certificate.
        let path = dir.join("not-a-cert.pem");
        std::fs::write(
            &path,
            "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = AgentSetup::new(&Config::default().extra_ca_file(&path), BASE)
            .err()
            .unwrap();
        let text = e.to_string();
        assert!(
            text.contains("extra_ca_file") && text.contains("not-a-cert.pem"),
            "{text}"
        );
        assert!(text.contains("cannot be a trusted root"), "{text}");
        // Bytes that are not DER at all.
        std::fs::write(
            &path,
            "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let e = AgentSetup::new(&Config::default().extra_ca_file(&path), BASE)
            .err()
            .unwrap();
        assert!(e.to_string().contains("cannot be a trusted root"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn user_agent_is_checked_when_the_client_is_made() {
        let e = AgentSetup::new(&Config::default().user_agent("x\r\nEvil: 1"), BASE)
            .err()
            .unwrap();
        assert!(e.to_string().contains("user_agent"), "{e}");
        let e = AgentSetup::new(&Config::default().user_agent("u".repeat(9000)), BASE)
            .err()
            .unwrap();
        assert!(e.to_string().contains("user_agent"), "{e}");
    }

    #[test]
    fn clients_with_the_same_tls_settings_share_one_connector() {
        use base64::Engine;
        let dir = std::env::temp_dir().join(format!("tb-shared-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pem = |i: usize, name: &str| {
            let der = webpki_root_certs::TLS_SERVER_ROOT_CERTS[i].as_ref();
            let b64 = base64::engine::general_purpose::STANDARD.encode(der);
            let path = dir.join(name);
            std::fs::write(
                &path,
                format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n"),
            )
            .unwrap();
            path
        };
        let (ca, same_ca, other_ca) = (pem(0, "a.pem"), pem(0, "b.pem"), pem(1, "c.pem"));
        let setup = |c: Config| AgentSetup::new(&c, BASE).unwrap();

        let a = setup(Config::default());
        let b = setup(Config::default().user_agent("another"));
        assert!(Arc::ptr_eq(&a.tls, &b.tls), "same roots: one connector");
        let os = setup(Config::default().tls_roots(TlsRoots::Os));
        assert!(!Arc::ptr_eq(&a.tls, &os.tls));

        let x = setup(Config::default().extra_ca_file(&ca));
        let y = setup(Config::default().extra_ca_file(&same_ca));
        let z = setup(Config::default().extra_ca_file(&other_ca));
        assert!(
            Arc::ptr_eq(&x.tls, &y.tls),
            "same certificates, another file"
        );
        assert!(!Arc::ptr_eq(&x.tls, &z.tls), "other certificates");
        assert!(
            !Arc::ptr_eq(&x.tls, &a.tls),
            "the extra CA is trusted only where asked"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_socks_proxy_is_refused_not_passed_by() {
        let e = AgentSetup::new(
            &Config::default().proxy(ProxySetting::Url("socks5://127.0.0.1:1080".into())),
            BASE,
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("SOCKS"), "{e}");
    }

    #[test]
    fn proxy_is_shown_without_credentials() {
        let setup = AgentSetup::new(
            &Config::default().proxy(ProxySetting::Url("http://user:pw@127.0.0.1:3128".into())),
            BASE,
        )
        .unwrap();
        let shown = setup.proxy_for("https://api.example/x").unwrap();
        assert_eq!(shown, "http://127.0.0.1:3128");
    }
}
