//! The TLS set-up that defers loading the system's root certificates still checks them: a
//! Spotify API on 127.0.0.1 with a self-signed certificate completes no call, and the answer
//! names the certificate. (No test can reach a trusted server: tests stay on 127.0.0.1.)

use crate::common;

use common::fake_spotify::FakeSpotify;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// An HTTPS server with a fresh self-signed certificate for 127.0.0.1 that answers any request
/// it gets with an album; counts the requests that got through the handshake.
async fn untrusted_https() -> (String, Arc<AtomicUsize>) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key.into())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, count) = (acceptor.clone(), count.clone());
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    count.fetch_add(1, Ordering::SeqCst);
                    let body = json!({ "id": "a000000000000000000000", "name": "Arrival", "type": "album" }).to_string();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(answer.as_bytes()).await;
                }
            });
        }
    });
    (url, served)
}

#[tokio::test]
async fn a_self_signed_spotify_is_refused() {
    let (url, served) = untrusted_https().await;
    let fake = FakeSpotify::start().await;
    let mut args = common::spotify_args(&fake, Some("token"));
    args.api_base_url = format!("{url}/v1");
    args.middleware.retries = 0;
    let client = common::connect(&args, false).await;

    let result = common::call(
        &client,
        "get_album",
        json!({ "id": "a000000000000000000000" }),
    )
    .await
    .unwrap();

    let text = common::text(&result);
    assert_eq!(result.is_error, Some(true), "{text}");
    assert!(text.contains("certificate"), "{text}");
    assert_eq!(served.load(Ordering::SeqCst), 0, "a request got through");
}
