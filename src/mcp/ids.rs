//! Ids in tool arguments. What people paste (a `spotify:album:…` URI, an
//! `https://open.spotify.com/intl-de/album/…?si=…` link) is first reduced to the id; then the id
//! must have the shape the spec gives its argument (`x-mcp-id`), or the call is refused before a
//! request is built: an id can never carry `..` or `\` to another endpoint.

use super::errors::CallError;
use super::generated_tools::{ID_ARGUMENTS, ID_SHAPES};
use crate::foundation::excerpt::excerpt;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// One shape, its pattern compiled.
struct Shape {
    name: &'static str,
    pattern: Result<regress::Regex, String>,
    description: &'static str,
}

fn shapes() -> &'static [Shape] {
    static SHAPES: OnceLock<Vec<Shape>> = OnceLock::new();
    SHAPES.get_or_init(|| {
        ID_SHAPES
            .iter()
            .map(|&(name, pattern, description)| Shape {
                name,
                pattern: regress::Regex::new(pattern).map_err(|e| e.to_string()),
                description,
            })
            .collect()
    })
}

/// The shapes in one line of the server instructions.
pub fn instructions_line() -> String {
    let shapes: Vec<&str> = ID_SHAPES.iter().map(|&(_, _, text)| text).collect();
    format!(
        "- IDs are checked before any call: {}. A spotify: URI or an open.spotify.com link works wherever an ID is asked.\n",
        shapes.join("; ")
    )
}

/// Reduces the id arguments of `tool` to ids, in place, and refuses one of the wrong shape.
pub fn check(tool: &str, arguments: &mut Map<String, Value>) -> Result<(), CallError> {
    for &(_, input, shape) in ID_ARGUMENTS.iter().filter(|(t, _, _)| *t == tool) {
        match arguments.get_mut(input) {
            Some(Value::String(text)) => *text = checked(input, text, shape)?,
            Some(Value::Array(items)) => {
                for (index, item) in items.iter_mut().enumerate() {
                    if let Value::String(text) = item {
                        *text = checked(&format!("{input}.{index}"), text, shape)?;
                    }
                }
            }
            // Other types are the input schema's to refuse.
            _ => {}
        }
    }
    Ok(())
}

fn checked(field: &str, text: &str, shape: &str) -> Result<String, CallError> {
    let id = reduce(text);
    let Some(shape) = shapes().iter().find(|s| s.name == shape) else {
        return Err(refusal(
            field,
            text,
            &format!("an ID of the unknown shape `{shape}`"),
        ));
    };
    let fits = match &shape.pattern {
        Ok(pattern) => pattern
            .find(&id)
            .is_some_and(|found| found.range() == (0..id.len())),
        Err(error) => {
            return Err(refusal(
                field,
                text,
                &format!("an ID, but its pattern is broken: {error}"),
            ));
        }
    };
    if fits {
        Ok(id)
    } else {
        Err(refusal(field, text, shape.description))
    }
}

fn refusal(field: &str, text: &str, expected: &str) -> CallError {
    CallError::InvalidArgument {
        field: field.to_string(),
        problem: format!(
            "`{}` is not an ID of the expected shape ({expected}); pass the ID, its spotify: URI or its open.spotify.com link",
            excerpt(text)
        ),
    }
}

/// The id inside what people paste: the last part of a `spotify:` URI (`spotify:album:ID`,
/// `spotify:user:NAME:playlist:ID`) or of an open.spotify.com link's path (an `intl-xx`
/// part and `?si=…` dropped). Anything else comes back trimmed, for the shape check to judge.
pub fn reduce(text: &str) -> String {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("spotify:") {
        return rest.rsplit(':').next().unwrap_or(rest).to_string();
    }
    link_id(text).unwrap_or_else(|| text.to_string())
}

fn link_id(text: &str) -> Option<String> {
    let with_scheme = if text.starts_with("open.spotify.com/") {
        format!("https://{text}")
    } else {
        text.to_string()
    };
    let url = url::Url::parse(&with_scheme).ok()?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str() != Some("open.spotify.com") {
        return None;
    }
    let segments: Vec<&str> = url
        .path_segments()?
        .filter(|s| !s.is_empty() && !s.starts_with("intl-"))
        .collect();
    // A link names a kind and an id: `album/ID`, `user/NAME/playlist/ID`, `embed/track/ID`.
    (segments.len() >= 2).then(|| segments[segments.len() - 1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ALBUM: &str = "4aawyAB9vmqN3uQ7FjRGTy";

    #[test]
    fn every_shape_pattern_compiles() {
        assert!(!shapes().is_empty());
        for shape in shapes() {
            assert!(
                shape.pattern.is_ok(),
                "{}: {:?}",
                shape.name,
                shape.pattern.as_ref().err()
            );
        }
    }

    #[test]
    fn pasted_forms_reduce_to_the_id() {
        for pasted in [
            ALBUM.to_string(),
            format!(" {ALBUM} "),
            format!("spotify:album:{ALBUM}"),
            format!("https://open.spotify.com/album/{ALBUM}?si=abc123"),
            format!("https://open.spotify.com/intl-de/album/{ALBUM}?si=abc#x"),
            format!("open.spotify.com/album/{ALBUM}"),
            format!("spotify:user:someone:playlist:{ALBUM}"),
        ] {
            assert_eq!(reduce(&pasted), ALBUM, "{pasted}");
        }
        assert_eq!(
            reduce("https://example.com/album/x"),
            "https://example.com/album/x"
        );
    }

    #[test]
    fn ids_of_the_wrong_shape_are_refused_and_quoted_short() {
        let mut arguments = json!({ "id": "..\\..\\v1\\me\\top\\tracks" })
            .as_object()
            .unwrap()
            .clone();
        let error = check("get_album", &mut arguments).unwrap_err().to_string();
        assert!(
            error.contains("`id`") && error.contains("22 letters and digits"),
            "{error}"
        );
        let huge = "x".repeat(100_000);
        let mut arguments = json!({ "ids": [ALBUM, huge] }).as_object().unwrap().clone();
        let error = check("get_several_albums", &mut arguments)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`ids.1`") && error.len() < 400,
            "{}",
            excerpt(&error)
        );
    }

    #[test]
    fn lists_and_single_ids_are_rewritten_in_place() {
        let link = format!("https://open.spotify.com/album/{ALBUM}?si=1");
        let mut arguments = json!({ "ids": [link, format!("spotify:album:{ALBUM}")] })
            .as_object()
            .unwrap()
            .clone();
        check("get_several_albums", &mut arguments).unwrap();
        assert_eq!(arguments["ids"], json!([ALBUM, ALBUM]));
    }
}
