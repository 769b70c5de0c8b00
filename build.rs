//! Generates the typed Spotify client from `openapi/spotify.yaml` with progenitor.
//!
//! The document first goes through `codegen::prepare` (shared with `cargo xtask codegen`), which
//! rewrites what progenitor cannot take and fails with the operation's name otherwise.

use std::{env, fs, path::Path};

const SPEC: &str = "openapi/spotify.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    let doc = codegen::load(Path::new(SPEC)).unwrap_or_else(|e| fail(&e));
    let prepared = codegen::prepare(&doc).unwrap_or_else(|e| fail(&e));

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(quote_inner());
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&prepared.openapi)
        .unwrap_or_else(|e| fail(&e));
    let file = syn::parse2(tokens).unwrap_or_else(|e| fail(&e));
    let client = prettyplease::unparse(&file);

    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("spotify_client.rs"), client).expect("write client");

    // The media types the client hook restores (progenitor only sends text/plain), keyed like
    // `OperationInfo::operation_id`.
    let mut table = String::from("pub const BODY_CONTENT_TYPES: &[(&str, &str)] = &[\n");
    for (operation_id, adjusted) in &prepared.adjustments {
        if let Some(media_type) = &adjusted.body_content_type {
            let key = codegen::client_operation_name(operation_id);
            table.push_str(&format!("    ({key:?}, {media_type:?}),\n"));
        }
    }
    table.push_str("];\n");
    fs::write(Path::new(&out_dir).join("body_content_types.rs"), table).expect("write table");

    // Method, path template and cache class of each operation, for the middleware.
    let tools = codegen::derive_tools(&doc, &prepared.adjustments).unwrap_or_else(|e| fail(&e));
    let mut rows = String::from("pub const OPERATIONS: &[Operation] = &[\n");
    for row in codegen::operation_rows(&tools) {
        let cache = match row.cache.as_str() {
            "catalog" => "Catalog",
            "user" => "User",
            "playback" => "Playback",
            _ => "None",
        };
        rows.push_str(&format!(
            "    Operation {{ id: {:?}, method: {:?}, path: {:?}, cache: CacheClass::{cache}, idempotent: {} }},\n",
            row.client_name, row.method, row.path, row.idempotent
        ));
    }
    rows.push_str("];\n");
    fs::write(Path::new(&out_dir).join("operations.rs"), rows).expect("write operations");
}

fn quote_inner() -> proc_macro2::TokenStream {
    "crate::spotify::hooks::Inner".parse().expect("valid path")
}

fn fail(error: &dyn std::fmt::Display) -> ! {
    panic!("cannot generate the Spotify client from {SPEC}: {error}")
}
