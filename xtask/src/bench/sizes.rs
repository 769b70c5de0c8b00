//! What a model is shown: `tools/list` per catalog mode (bytes, and cl100k tokens of the catalog
//! as clients send it to a model: `[{name, description, input_schema}]` in compact JSON), and
//! answers raw vs projected.

use super::error::BenchError;
use super::process::{Client, STEP_TIMEOUT};
use rmcp::model::Tool;
use serde_json::{Value, json};

/// cl100k_base tokens of `text` (the tokenizer ships inside tiktoken-rs; nothing is fetched).
pub fn tokens(text: &str) -> usize {
    tiktoken_rs::cl100k_base_singleton()
        .encode_ordinary(text)
        .len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing {
    pub tools: usize,
    /// The whole `{"tools": [...]}` answer.
    pub bytes: usize,
    /// Names, descriptions and input schemas, as clients send them: what a model is shown.
    pub shown_bytes: usize,
    pub shown_tokens: usize,
}

impl Listing {
    pub fn of(tools: &[Tool]) -> Self {
        let bytes = serde_json::to_vec(&json!({ "tools": tools })).map_or(0, |b| b.len());
        let shown: Vec<Value> = tools
            .iter()
            .map(|tool| {
                json!({
                    "name": tool.name,
                    "description": tool.description.as_deref().unwrap_or(""),
                    "input_schema": tool.input_schema,
                })
            })
            .collect();
        let shown = Value::Array(shown).to_string();
        Self {
            tools: tools.len(),
            bytes,
            shown_bytes: shown.len(),
            shown_tokens: tokens(&shown),
        }
    }
}

pub async fn listing(client: &Client, name: &str) -> Result<Listing, BenchError> {
    let tools = tokio::time::timeout(STEP_TIMEOUT, client.list_all_tools())
        .await
        .map_err(|_| BenchError::Timeout(format!("{name}: tools/list")))?
        .map_err(|e| BenchError::Protocol(format!("{name}: tools/list failed: {e}")))?;
    Ok(Listing::of(&tools))
}

/// Bytes and tokens of an answer's structured content, as the model reads it.
pub fn answer_size(structured: Option<&Value>) -> (usize, usize) {
    let text = structured.map(Value::to_string).unwrap_or_default();
    (text.len(), tokens(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn counts_names_descriptions_and_schemas_as_clients_send_them() {
        let schema = json!({ "type": "object" });
        let Value::Object(schema) = schema else {
            unreachable!()
        };
        let tools = vec![Tool::new(
            "get_album",
            "Look up one album.",
            Arc::new(schema),
        )];
        let listing = Listing::of(&tools);
        let shown =
            r#"[{"description":"Look up one album.","input_schema":{"type":"object"},"name":"get_album"}]"#
                .len();
        assert_eq!((listing.tools, listing.shown_bytes), (1, shown));
        assert!(listing.bytes > shown);
        // cl100k splits ordinary English into a few tokens, far fewer than its bytes.
        assert!(
            listing.shown_tokens > 5 && listing.shown_tokens < shown / 2,
            "{listing:?}"
        );
        assert_eq!(tokens("hello world"), 2);
    }
}
