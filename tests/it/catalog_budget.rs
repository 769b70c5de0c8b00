//! The default catalog fits the context budget: `tools/list` as clients send it to a model (a
//! compact JSON list of each tool's name, description and input schema) stays within 4,500
//! cl100k tokens, because arguments many tools share are explained once, in the server
//! instructions.
//! `cargo test --test it catalog_budget -- --nocapture` prints the figures.

use crate::common;

use common::fake_spotify::FakeSpotify;
use spotify_mcp::mcp::listing::{self, TokenCounter};
use spotify_mcp::mcp::{Catalog, CatalogOptions, all_tools};

const BUDGET_TOKENS: usize = 4_500;
/// Arguments whose explanation lives in the instructions (`x-mcp-common-arguments` and the
/// server's own arguments).
const SHARED: [&str; 6] = [
    "id",
    "market",
    "limit",
    "device_id",
    "all_pages",
    "max_items",
];

#[tokio::test]
async fn default_catalog_is_under_the_token_budget() {
    let fake = FakeSpotify::start().await;
    let client = common::connect(&common::spotify_args(&fake, None), false).await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), common::catalog::current_count());
    let counter = TokenCounter::cl100k();
    let text = listing::as_sent(&tools);
    let tokens = counter.count(&text);
    let instructions = client
        .peer_info()
        .and_then(|info| info.instructions.clone())
        .expect("the server sends instructions");
    let instruction_tokens = counter.count(&instructions);
    println!(
        "default catalog as clients send it: {} tools, {} bytes, {tokens} cl100k tokens; instructions {} bytes, {instruction_tokens} tokens",
        tools.len(),
        text.len(),
        instructions.len()
    );
    assert!(
        tokens <= BUDGET_TOKENS,
        "the default catalog, as clients send it, is {tokens} cl100k tokens, over the {BUDGET_TOKENS} budget"
    );
    for name in SHARED {
        assert!(
            instructions.contains(&format!("`{name}`")),
            "the instructions explain `{name}`"
        );
    }
}

#[test]
fn shared_arguments_are_explained_once_not_per_tool() {
    let catalog = Catalog::new(all_tools(), &CatalogOptions::default());
    let mut seen = 0;
    for tool in catalog.tools() {
        for name in SHARED {
            if let Some(property) = tool
                .input_schema
                .get("properties")
                .and_then(|p| p.get(name))
            {
                seen += 1;
                assert!(
                    property.get("description").is_none(),
                    "{}.{name} repeats the shared explanation",
                    tool.name
                );
            }
        }
    }
    assert!(
        seen > 40,
        "the shared arguments appear across the catalog ({seen})"
    );
}
