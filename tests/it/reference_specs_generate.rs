//! Robustness: the spec-processing step, progenitor and the tool derivation also succeed on
//! Spotify's published documents, so `cargo xtask codegen` keeps working when Spotify
//! republishes its spec.

use crate::common;

fn generate(name: &str) {
    let Some(doc) = common::reference::load(name) else {
        return;
    };
    let prepared = codegen::prepare(&doc).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut settings = progenitor::GenerationSettings::default();
    settings.with_inner_type("crate::Inner".parse::<proc_macro2::TokenStream>().unwrap());
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&prepared.openapi)
        .unwrap_or_else(|e| panic!("{name}: progenitor failed: {e}"));
    let file: syn::File = syn::parse2(tokens)
        .unwrap_or_else(|e| panic!("{name}: generated code does not parse: {e}"));
    assert!(
        prettyplease::unparse(&file).contains("pub async fn search"),
        "{name}: the client has a search method"
    );
    let tools = codegen::derive_tools(&doc, &prepared.adjustments)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(tools.len() >= 96, "{name}: {} tools", tools.len());
}

#[test]
fn fixed_reference_spec_generates() {
    generate("fixed.yaml");
}

#[test]
fn official_reference_spec_generates() {
    generate("official.yaml");
}
