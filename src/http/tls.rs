//! TLS for https connections: rustls over the chained transport, with a rustls
//! configuration we build once per trust setting of the process.
//!
//! ureq's own `RustlsConnector` does the same wrapping, but builds its configuration
//! from a `TlsConfig`: for roots given as certificates (the bundled Mozilla set plus an
//! extra CA file) it parses all ~150 of them into trust anchors and hashes their bytes
//! to key its cache, on the first connection of every process. That was 795k of the
//! 4.07M instructions of a new process that logs in and calls once (19 %). Here the
//! bundled roots are the ready-made trust anchors of `webpki-roots` (the same Mozilla
//! set, already parsed at compile time), an extra CA file adds only its own
//! certificates, and nothing is hashed: the configuration is keyed by
//! [`Trust`] where it is made.

use std::sync::Arc;

use rustls::client::ClientConfig;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConnection, RootCertStore, StreamOwned};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, NextTimeout, Transport, TransportAdapter,
};

use super::buffers::PlainBuffers;

use crate::error::{Error, Result};

/// Which certificates a TLS configuration trusts: everything a configuration is made
/// of, so clients with equal values share one.
#[derive(PartialEq, Eq)]
pub(crate) enum Trust {
    /// The bundled Mozilla roots.
    Mozilla,
    /// The bundled Mozilla roots and these certificates (DER) of an extra CA file.
    MozillaAnd(Vec<Vec<u8>>),
    /// The operating system's store, through rustls-platform-verifier.
    Os,
}

/// The rustls configuration for `trust`: TLS 1.2 and 1.3 with ring (as ureq's), SNI
/// for host names, an in-memory session cache (so later connections, and other
/// clients sharing this configuration, resume).
pub(crate) fn client_config(trust: &Trust) -> Result<Arc<ClientConfig>> {
    let mut provider = rustls::crypto::ring::default_provider();
    // AES-128-GCM with SHA-256 first in each version (rustls puts AES-256-GCM with
    // SHA-384 first), as browsers and Go's crypto/tls order them: the suite TLS 1.3
    // requires of everyone, and SHA-256 has instructions of its own on today's x86
    // and ARM CPUs where SHA-384 has none, which is most of a handshake's key schedule.
    // The set is rustls' own; only the order changes.
    provider.cipher_suites.sort_by_key(|s| {
        use rustls::CipherSuite as S;
        let aes128 = matches!(
            s.suite(),
            S::TLS13_AES_128_GCM_SHA256
                | S::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                | S::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
        );
        (s.tls13().is_none(), !aes128)
    });
    let provider = Arc::new(provider);
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| Error::invalid_input("tls_roots", format!("TLS set-up failed: {e}")))?;
    let mozilla = || RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = match trust {
        Trust::Mozilla => builder.with_root_certificates(mozilla()),
        Trust::MozillaAnd(extra) => {
            let mut roots = mozilla();
            for der in extra {
                // Checked when the file was read (`load_ca_file`): this cannot fail.
                roots
                    .add(CertificateDer::from(der.as_slice()))
                    .map_err(|e| Error::invalid_input("extra_ca_file", e.to_string()))?;
            }
            builder.with_root_certificates(roots)
        }
        Trust::Os => {
            let verifier = rustls_platform_verifier::Verifier::new(provider).map_err(|e| {
                Error::invalid_input(
                    "tls_roots",
                    format!("the operating system's certificate store cannot be used: {e}"),
                )
            })?;
            builder
                .dangerous() // not dangerous: the OS verifier checks the chain
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
    }
    .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Wraps the chained transport in TLS when the URL is https (and it is not TLS
/// already: the connection to an https proxy), as ureq's `RustlsConnector` does, with
/// the configuration it was made with.
#[derive(Debug)]
pub(crate) struct Tls(pub Arc<ClientConfig>);

impl<In: Transport> Connector<In> for Tls {
    type Out = Either<In, TlsTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        let Some(transport) = chained else {
            return Ok(None);
        };
        if !details.needs_tls() || transport.is_tls() {
            return Ok(Some(Either::A(transport)));
        }
        let host = details
            .uri
            .host()
            .ok_or(ureq::Error::Tls("the URL has no host name"))?;
        // An IPv6 literal comes in brackets; the server name is the address.
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host)
            .map_err(|_| ureq::Error::Tls("the host is not a valid TLS server name"))?
            .to_owned();
        let mut conn = ClientConnection::new(self.0.clone(), name)?;
        let mut sock = TransportAdapter::new(transport.boxed(), details.current_time.clone());
        // The handshake's timeout counts from the start of the connection, TCP
        // connect included, as ureq's connector counts it.
        sock.set_timeout(since_start(details));
        conn.complete_io(&mut sock)?;
        Ok(Some(Either::B(TlsTransport {
            buffers: PlainBuffers::new(),
            stream: StreamOwned { conn, sock },
        })))
    }
}

/// The connection's timeout less the time since the connection began.
fn since_start(details: &ConnectionDetails) -> NextTimeout {
    use ureq::unversioned::transport::time::{Duration, Instant};
    let mut timeout = details.timeout;
    if let (Duration::Exact(limit), Instant::Exact(start), Instant::Exact(now)) =
        (timeout.after, details.now, (details.current_time)())
    {
        timeout.after = Duration::Exact(limit.saturating_sub(now.saturating_duration_since(start)));
    }
    timeout
}

/// A TLS connection: rustls over the transport below it.
pub(crate) struct TlsTransport {
    buffers: PlainBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter>,
}

impl std::fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsTransport").finish_non_exhaustive()
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        use std::io::Write;
        self.stream.get_mut().set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output)?;
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        use std::io::Read;
        self.stream.get_mut().set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        let amount = self.stream.read(input)?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.get_mut().get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}
