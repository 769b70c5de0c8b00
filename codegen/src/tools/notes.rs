//! Arguments explained once in the server instructions: the spec's common ones and the server's own.

use super::extensions::COMMON_ARGUMENTS_EXTENSION;
use super::model::ToolError;
use serde_json::Value;

pub const ALL_PAGES_ARG: &str = "all_pages";
pub const FIELDS_ARG: &str = "fields";
pub const MAX_ITEMS_ARG: &str = "max_items";
pub const DEFAULT_MAX_ITEMS: u64 = 200;
pub const MAX_ITEMS_CAP: u64 = 1000;

/// The server's own arguments, explained once in the instructions like the common ones.
pub fn own_argument_notes() -> Vec<(String, String)> {
    vec![
        (
            FIELDS_ARG.into(),
            "a list of dotted paths (`name`, `items.name`, `items.album.images`) keeping only those \
             fields of the full answer, list items untrimmed; a tool whose `fields` is a string uses \
             Spotify's own filter syntax instead, described on the tool"
                .into(),
        ),
        (
            ALL_PAGES_ARG.into(),
            format!("true follows the list's next pages and answers them as one list, up to `{MAX_ITEMS_ARG}`"),
        ),
        (
            MAX_ITEMS_ARG.into(),
            format!(
                "how many items `{ALL_PAGES_ARG}` collects at most: 1 to {MAX_ITEMS_CAP} \
                 (default {DEFAULT_MAX_ITEMS}; more counts as {MAX_ITEMS_CAP})"
            ),
        ),
    ]
}

/// The explanations of `x-mcp-common-arguments`, in document order.
pub fn common_arguments(doc: &Value) -> Result<Vec<(String, String)>, ToolError> {
    let Some(value) = doc.get(COMMON_ARGUMENTS_EXTENSION) else {
        return Ok(Vec::new());
    };
    let invalid = || {
        ToolError::CommonArguments(format!(
            "`{COMMON_ARGUMENTS_EXTENSION}` must map parameter names to explanations"
        ))
    };
    value
        .as_object()
        .ok_or_else(invalid)?
        .iter()
        .map(|(name, text)| {
            Ok((
                name.clone(),
                text.as_str().ok_or_else(invalid)?.trim().to_string(),
            ))
        })
        .collect()
}
