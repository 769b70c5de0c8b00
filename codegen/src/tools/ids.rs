//! Id shapes: the document's `x-mcp-id-shapes` (shape name → `pattern` and a `description` for
//! the server instructions) and the `x-mcp-id` of parameters and body properties, which names the
//! shape their values must have. The patterns stay out of the tool schemas (every listed byte
//! costs the assistant context); the server checks them before a request is built.

use super::extensions::{ID_EXTENSION, ID_SHAPES_EXTENSION};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct IdShape {
    pub name: String,
    /// An ECMAScript regular expression, anchored, that a whole id must match.
    pub pattern: String,
    pub description: String,
}

/// The shapes of `x-mcp-id-shapes`, in document order; the error says which one is malformed.
pub fn id_shapes(doc: &Value) -> Result<Vec<IdShape>, String> {
    let Some(value) = doc.get(ID_SHAPES_EXTENSION) else {
        return Ok(Vec::new());
    };
    let invalid = |name: &str| {
        format!(
            "`{ID_SHAPES_EXTENSION}.{name}` needs a `pattern` anchored with ^ and $ and a `description`"
        )
    };
    let shapes = value.as_object().ok_or_else(|| invalid("*"))?;
    shapes
        .iter()
        .map(|(name, shape)| {
            let text = |key: &str| shape.get(key).and_then(Value::as_str).map(str::trim);
            match (text("pattern"), text("description")) {
                (Some(pattern), Some(description))
                    if pattern.starts_with('^') && pattern.ends_with('$') =>
                {
                    Ok(IdShape {
                        name: name.clone(),
                        pattern: pattern.to_string(),
                        description: description.to_string(),
                    })
                }
                _ => Err(invalid(name)),
            }
        })
        .collect()
}

/// The shape an `x-mcp-id` on `holder` (a parameter or a property schema) names, if any;
/// refused when it names none of `shapes`.
pub(super) fn shape_of(holder: &Value, shapes: &[String]) -> Result<Option<String>, String> {
    let Some(value) = holder.get(ID_EXTENSION) else {
        return Ok(None);
    };
    match value.as_str() {
        Some(name) if shapes.iter().any(|s| s == name) => Ok(Some(name.to_string())),
        _ => Err(format!(
            "`{ID_EXTENSION}: {value}` names no shape of `{ID_SHAPES_EXTENSION}` ({})",
            shapes.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_need_an_anchored_pattern_and_a_description() {
        let doc = json!({ ID_SHAPES_EXTENSION: { "base62": { "pattern": "^[0-9A-Za-z]{22}$", "description": "d" } } });
        assert_eq!(id_shapes(&doc).unwrap()[0].pattern, "^[0-9A-Za-z]{22}$");
        let loose = json!({ ID_SHAPES_EXTENSION: { "base62": { "pattern": "[0-9A-Za-z]+", "description": "d" } } });
        assert!(id_shapes(&loose).is_err());
    }

    #[test]
    fn an_id_must_name_a_known_shape() {
        let shapes = vec!["base62".to_string()];
        assert_eq!(
            shape_of(&json!({ ID_EXTENSION: "base62" }), &shapes),
            Ok(Some("base62".into()))
        );
        assert_eq!(shape_of(&json!({}), &shapes), Ok(None));
        assert!(shape_of(&json!({ ID_EXTENSION: "albm" }), &shapes).is_err());
    }
}
