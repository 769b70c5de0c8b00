//! `serve --multi-user` refuses to start, saying what to do, without what it needs: the HTTP
//! transport, the Spotify app's client id, the encryption key; and never with `--auth-token`.

use std::process::Command;

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// Runs `serve --multi-user` with `args` and a clean environment; returns its stderr.
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_spotify-mcp"))
        .args(["serve", "--multi-user", "--bind", "127.0.0.1:0"])
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    assert!(!output.status.success(), "it must not start");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn multi_user_mode_says_what_it_is_missing() {
    let complete = [
        ("SPOTIFY_CLIENT_ID", "app"),
        ("SPOTIFY_MCP_ENCRYPTION_KEY", KEY),
    ];
    let stderr = refused(&[], &complete);
    assert!(stderr.contains("--transport http"), "{stderr}");

    let http = ["--transport", "http"];
    let stderr = refused(&http, &[("SPOTIFY_MCP_ENCRYPTION_KEY", KEY)]);
    assert!(stderr.contains("SPOTIFY_CLIENT_ID"), "{stderr}");
    let stderr = refused(&http, &[("SPOTIFY_CLIENT_ID", "app")]);
    assert!(stderr.contains("SPOTIFY_MCP_ENCRYPTION_KEY"), "{stderr}");

    let token = "a-long-shared-token-that-must-not-be-echoed-0123456789";
    let mut with_token = complete.to_vec();
    with_token.push(("SPOTIFY_MCP_AUTH_TOKEN", token));
    let stderr = refused(&http, &with_token);
    assert!(stderr.contains("--auth-token"), "{stderr}");
    assert!(!stderr.contains(token), "the token is not echoed: {stderr}");

    let stderr = refused(
        &[
            "--transport",
            "http",
            "--public-url",
            "https://x.example/mcp",
        ],
        &complete,
    );
    assert!(stderr.contains("--public-url"), "{stderr}");
}
