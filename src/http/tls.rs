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

use super::agent::{BUFFER_BYTES, INPUT_BUFFER_BYTES};

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

/// The TLS layer's buffers, where ureq reads response heads and bodies from and
/// writes requests to: ureq's `LazyBuffers` with the same rules and largest sizes,
/// except that the input starts at a page and doubles when full (up to
/// [`INPUT_BUFFER_BYTES`], the largest head): ureq fills its buffers with zeros when a
/// connection is made, which for a new process that logs in and calls once was 80 KiB
/// written and 20 page faults where an answer of a few hundred bytes needs one page.
struct PlainBuffers {
    input: Vec<u8>,
    /// `input[consumed..filled]` is read and not yet consumed.
    filled: usize,
    consumed: usize,
    output: Vec<u8>,
    /// Whether the last consume took bytes (ureq's `can_use_input` rule).
    progress: bool,
}

/// The input buffer's first size.
const FIRST_INPUT_BYTES: usize = 4096;

/// The scratch space ureq wants in the input buffer when it sends a body (its own
/// `MIN_TMP_SIZE`).
const MIN_TMP_BYTES: usize = 10 * 1024;

impl PlainBuffers {
    fn new() -> PlainBuffers {
        PlainBuffers {
            input: vec![0; FIRST_INPUT_BYTES],
            filled: 0,
            consumed: 0,
            output: vec![0; BUFFER_BYTES],
            progress: false,
        }
    }

    /// The free space after the input, at least `want` bytes when the buffer may grow
    /// that far. Unconsumed bytes move to the front first when they are all consumed or
    /// past the middle (as ureq's `ConsumeBuf`); then a full buffer doubles, up to
    /// [`INPUT_BUFFER_BYTES`].
    fn free_mut(&mut self, want: usize) -> &mut [u8] {
        if self.consumed == self.filled {
            self.consumed = 0;
            self.filled = 0;
        } else if self.consumed > 0 && self.filled > self.input.len() / 2 {
            self.input.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
        }
        if self.input.len() - self.filled < want {
            // Never less than asked for, so never shorter than it is.
            let doubled = (self.input.len() * 2).min(INPUT_BUFFER_BYTES);
            self.input.resize(doubled.max(self.filled + want), 0);
        }
        &mut self.input[self.filled..]
    }
}

impl Buffers for PlainBuffers {
    fn output(&mut self) -> &mut [u8] {
        &mut self.output
    }

    fn input(&self) -> &[u8] {
        &self.input[self.consumed..self.filled]
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        // Room for one byte at least, while under the largest size.
        let want = usize::from(self.input.len() < INPUT_BUFFER_BYTES);
        self.free_mut(want)
    }

    fn input_appended(&mut self, amount: usize) {
        self.filled += amount;
        assert!(self.filled <= self.input.len(), "more input than room");
    }

    fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.consumed += amount;
        assert!(self.consumed <= self.filled, "consumed more than was read");
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        self.free_mut(MIN_TMP_BYTES);
        (&mut self.input[self.filled..], &mut self.output)
    }

    fn can_use_input(&self) -> bool {
        self.consumed < self.filled && self.progress
    }
}
