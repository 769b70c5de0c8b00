//! A tool's `inputSchema` and the client arguments behind it: parameters in progenitor's
//! positional order, the request body's properties, and the server's own arguments.

use super::extensions::{ID_EXTENSION, ID_SHAPES_EXTENSION, OMIT_EXTENSION};
use super::ids::shape_of;
use super::model::{Arg, Body, Pass, ToolError, problem, schema_error};
use super::notes::{ALL_PAGES_ARG, FIELDS_ARG, MAX_ITEMS_ARG};
use super::output::has_nested_fields;
use crate::prepare::OperationAdjustments;
use crate::schema::{Converter, Refs};
use crate::spec::{self, OperationRef};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// Input property carrying a binary body as base64 text.
pub const BASE64_BODY_ARG: &str = "image_base64";

/// The input schema being assembled for one operation.
pub(super) struct Inputs<'a> {
    doc: &'a Value,
    inline: Converter<'a>,
    pub properties: Map<String, Value>,
    required: Vec<String>,
    /// Client method arguments in progenitor's positional order, body excluded.
    pub args: Vec<Arg>,
    /// The document's id shape names, and the inputs that name one (input, shape).
    id_shapes: &'a [String],
    ids: Vec<(String, String)>,
}

impl<'a> Inputs<'a> {
    pub fn new(doc: &'a Value, id_shapes: &'a [String]) -> Self {
        Self {
            doc,
            inline: Converter::new(doc, Refs::Inline),
            properties: Map::new(),
            required: Vec::new(),
            args: Vec::new(),
            id_shapes,
            ids: Vec::new(),
        }
    }

    /// Records that input `name` holds ids, when `holder` carries `x-mcp-id`.
    fn note_id(
        &mut self,
        op: &OperationRef<'_>,
        holder: &Value,
        name: &str,
    ) -> Result<(), ToolError> {
        if let Some(shape) =
            shape_of(holder, self.id_shapes).map_err(|e| problem(op, format!("`{name}`: {e}")))?
        {
            self.ids.push((name.to_string(), shape));
        }
        Ok(())
    }

    /// Adds every parameter; `common` names those explained once in the instructions.
    pub fn add_parameters(
        &mut self,
        op: &OperationRef<'_>,
        adjusted: &OperationAdjustments,
        common: &BTreeSet<String>,
    ) -> Result<(), ToolError> {
        for param in &positional_parameters(self.doc, op) {
            self.add_parameter(op, param, adjusted, common)?;
        }
        Ok(())
    }

    fn add_parameter(
        &mut self,
        op: &OperationRef<'_>,
        param: &Value,
        adjusted: &OperationAdjustments,
        common: &BTreeSet<String>,
    ) -> Result<(), ToolError> {
        let api_name = param["name"].as_str().unwrap_or_default().to_string();
        let schema = param
            .get("schema")
            .ok_or_else(|| problem(op, format!("parameter `{api_name}` has no schema")))?;
        let is_required = param["required"] == true;
        let omitted = param.get(OMIT_EXTENSION) == Some(&Value::Bool(true));
        if omitted && is_required {
            return Err(problem(
                op,
                format!("required parameter `{api_name}` cannot carry `{OMIT_EXTENSION}`"),
            ));
        }
        let mut converted = self.inline.convert(schema).map_err(schema_error(op))?;
        // A default of 0 or false says what leaving the argument out says (`offset`).
        if let Some(object) = converted.as_object_mut()
            && matches!(object.get("default"), Some(d) if *d == json!(0) || *d == json!(false))
        {
            object.remove("default");
        }
        // A common argument is explained once, in the instructions.
        if let (Some(description), Some(object), false) = (
            param.get("description"),
            converted.as_object_mut(),
            common.contains(&api_name),
        ) {
            object.insert("description".into(), description.clone());
        }
        let pass = if adjusted.joined_query_params.contains(&api_name) {
            Pass::Joined
        } else if spec::deref(self.doc, schema).and_then(|s| s.get("type"))
            == Some(&json!("string"))
        {
            Pass::Str
        } else {
            Pass::Value
        };
        if is_required {
            self.required.push(api_name.clone());
        }
        // Path parameters end up in the URL path: a document with id shapes must shape each,
        // unless its schema already allows only a few plain words (`/me/top/{type}`).
        if param["in"] == "path"
            && !self.id_shapes.is_empty()
            && param.get(ID_EXTENSION).is_none()
            && !is_plain_enum(&param["schema"])
        {
            return Err(problem(
                op,
                format!(
                    "path parameter `{api_name}` needs `{ID_EXTENSION}` (a shape of `{ID_SHAPES_EXTENSION}`)"
                ),
            ));
        }
        if !omitted {
            self.properties.insert(api_name.clone(), converted);
            self.note_id(op, param, &api_name)?;
        }
        self.args.push(Arg {
            name: api_name,
            required: is_required,
            pass,
            omitted,
        });
        Ok(())
    }

    /// Adds the request body's inputs, if the operation takes a body.
    pub fn add_body(
        &mut self,
        op: &OperationRef<'_>,
        adjusted: &OperationAdjustments,
    ) -> Result<Option<Body>, ToolError> {
        let Some(request_body) = op
            .operation
            .get("requestBody")
            .and_then(|b| spec::deref(self.doc, b))
        else {
            return Ok(None);
        };
        if adjusted.body_content_type.is_some() {
            return Ok(Some(self.add_binary_body(request_body)));
        }
        self.add_json_body(op, request_body).map(Some)
    }

    /// A binary body (an image) travels as one base64 text argument.
    fn add_binary_body(&mut self, request_body: &Value) -> Body {
        let mut description = request_body
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("Request body.")
            .trim()
            .to_string();
        description.push_str(" Pass the bytes base64-encoded.");
        self.properties.insert(
            BASE64_BODY_ARG.into(),
            json!({ "type": "string", "contentEncoding": "base64", "description": description }),
        );
        self.required.push(BASE64_BODY_ARG.into());
        Body::Text {
            arg: BASE64_BODY_ARG.into(),
        }
    }

    /// A JSON body's properties become inputs beside the parameters.
    fn add_json_body(
        &mut self,
        op: &OperationRef<'_>,
        request_body: &Value,
    ) -> Result<Body, ToolError> {
        let body_required = request_body.get("required") == Some(&Value::Bool(true));
        let schema = request_body
            .pointer("/content/application~1json/schema")
            .ok_or_else(|| problem(op, "request body has no application/json schema"))?;
        let converted = self.inline.convert(schema).map_err(schema_error(op))?;
        // `x-mcp-id` lives on the spec's property schemas; conversion drops `x-` keys.
        let raw_properties = spec::deref(self.doc, schema)
            .and_then(|s| s.get("properties"))
            .cloned()
            .unwrap_or_default();
        let body_required_props: Vec<String> = converted
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        let mut mapping = Vec::new();
        for (name, property) in converted
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            // A body property named like a parameter (e.g. `uris` in both) gets a prefix.
            let input_name = if self.properties.contains_key(name) {
                format!("body_{name}")
            } else {
                name.clone()
            };
            if body_required && body_required_props.contains(name) {
                self.required.push(input_name.clone());
            }
            self.properties.insert(input_name.clone(), property.clone());
            if let Some(raw) = raw_properties
                .get(name)
                .and_then(|p| spec::deref(self.doc, p))
            {
                self.note_id(op, raw, &input_name)?;
            }
            mapping.push((input_name, name.clone()));
        }
        Ok(Body::Json {
            properties: mapping,
        })
    }

    /// Adds the server's own arguments: `fields` where the answer has something to trim, and
    /// `all_pages`/`max_items` on paginated tools.
    pub fn add_server_arguments(&mut self, output_schema: Option<&Value>, paginated: bool) {
        // Spotify's playlist reads have a `fields` filter of their own; it stands instead. A flat
        // answer such as `{snapshot_id}` has nothing to trim.
        if output_schema.is_some_and(has_nested_fields) && !self.properties.contains_key(FIELDS_ARG)
        {
            // A list of strings: the instructions say so once, and the server checks it.
            self.properties
                .insert(FIELDS_ARG.into(), json!({ "type": "array" }));
        }
        if paginated {
            self.properties
                .insert(ALL_PAGES_ARG.into(), json!({ "type": "boolean" }));
            // Its bounds are in the instructions; the server holds it to them.
            self.properties
                .insert(MAX_ITEMS_ARG.into(), json!({ "type": "integer" }));
        }
    }

    /// The finished `inputSchema`, the client arguments and the inputs holding ids.
    pub fn finish(self) -> (Value, Vec<Arg>, Vec<(String, String)>) {
        // No `additionalProperties: false`: the instructions say once that unknown arguments
        // are refused, and the server's validator adds it (49 times ~5 tokens saved).
        let mut input_schema = json!({ "type": "object", "properties": self.properties });
        if !self.required.is_empty() {
            input_schema["required"] = json!(self.required);
        }
        (input_schema, self.args, self.ids)
    }
}

/// Parameters in progenitor's positional order: path (template order), then query by name.
fn positional_parameters(doc: &Value, op: &OperationRef<'_>) -> Vec<Value> {
    let mut params = spec::parameters(doc, op);
    let template = spec::template_names(op.path);
    params.sort_by_key(|p| {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        match p["in"].as_str() {
            Some("path") => (
                0,
                template.iter().position(|t| *t == name).unwrap_or(0),
                String::new(),
            ),
            Some("query") => (1, 0, name),
            _ => (2, 0, name),
        }
    });
    params
}

/// A schema that allows only a list of plain words (letters, digits, `_`, `-`): such a value
/// cannot leave its path segment, so it needs no id shape.
fn is_plain_enum(schema: &Value) -> bool {
    schema["enum"].as_array().is_some_and(|values| {
        !values.is_empty()
            && values.iter().all(|value| {
                value.as_str().is_some_and(|word| {
                    !word.is_empty()
                        && word
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                })
            })
    })
}
