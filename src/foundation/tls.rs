//! TLS for every HTTP client that talks to Spotify: the system's root certificates, as reqwest's
//! platform verifier would use them, but read on the first TLS handshake instead of at start-up.
//!
//! Reading and parsing the system's ~150 root certificates was half of the server's start-up work
//! (measured with callgrind) and stayed in memory while the server sat idle; every HTTP client
//! built its own copy. One deferred verifier, shared by all clients, loads them once, when the
//! first HTTPS request needs them.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_platform_verifier::Verifier;
use std::sync::{Arc, LazyLock, OnceLock};

/// A reqwest client builder with the shared, deferred TLS configuration.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_backend_preconfigured(CONFIG.clone())
}

/// Clones share the verifier (an `Arc`), so the certificates are loaded once per process.
static CONFIG: LazyLock<rustls::ClientConfig> = LazyLock::new(|| {
    let mut config = rustls::ClientConfig::builder_with_provider(VERIFIER.provider.clone())
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports rustls' default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(VERIFIER.clone())
        .with_no_client_auth();
    // What reqwest offers itself when left to choose: HTTP/2 if the server agrees.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config
});

static VERIFIER: LazyLock<Arc<DeferredVerifier>> = LazyLock::new(|| {
    Arc::new(DeferredVerifier {
        provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
        inner: OnceLock::new(),
    })
});

/// The platform verifier, built on first use. Signatures are checked with the crypto provider's
/// algorithms directly, as the platform verifier itself does on Linux, so only the certificate
/// chain check needs the roots.
#[derive(Debug)]
struct DeferredVerifier {
    provider: Arc<CryptoProvider>,
    inner: OnceLock<Result<Arc<Verifier>, rustls::Error>>,
}

impl DeferredVerifier {
    fn inner(&self) -> Result<&Arc<Verifier>, rustls::Error> {
        self.inner
            .get_or_init(|| Verifier::new(self.provider.clone()).map(Arc::new))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for DeferredVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_clients_loads_no_certificates() {
        for _ in 0..2 {
            client_builder().build().expect("client builds");
        }
        assert!(
            VERIFIER.inner.get().is_none(),
            "roots loaded before any handshake"
        );
    }

    #[test]
    fn a_certificate_that_is_not_one_is_refused() {
        let verifier = DeferredVerifier {
            provider: VERIFIER.provider.clone(),
            inner: OnceLock::new(),
        };
        let name = ServerName::try_from("api.spotify.com").expect("valid name");
        let garbage = CertificateDer::from(vec![0x30, 0x03, 0x01, 0x01, 0xff]);
        let verdict = verifier.verify_server_cert(&garbage, &[], &name, &[], UnixTime::now());
        assert!(verdict.is_err(), "garbage accepted as a certificate");
        assert!(
            verifier.inner.get().is_some(),
            "the chain check did not build the verifier"
        );
    }
}
