//! What a derived tool is made of, and the errors a derivation can end in.

use crate::schema::SchemaError;
use crate::spec::OperationRef;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Annotations {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// How generated dispatch code hands an argument to the typed client method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Pass {
    /// A `&str` (or `Option<&str>`).
    Str,
    /// A list joined with commas into one `&str`.
    Joined,
    /// A value whose type the compiler infers from the method signature.
    Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Arg {
    /// Property name in `inputSchema` (same as the API name for parameters).
    pub name: String,
    pub required: bool,
    pub pass: Pass,
    /// Not offered as a tool argument (`x-mcp-omit`): the client always gets `None`.
    pub omitted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub enum Body {
    /// A JSON body assembled from input properties: `(input name, body property name)`.
    Json { properties: Vec<(String, String)> },
    /// A text body taken from one input property (e.g. a base64 image).
    Text { arg: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub operation_id: String,
    /// progenitor's method name on the generated client.
    pub client_method: String,
    pub method: String,
    pub path: String,
    pub title: String,
    pub description: String,
    pub toolset: String,
    pub deprecated: bool,
    pub scopes: Vec<String>,
    pub premium: bool,
    pub cache: String,
    pub annotations: Annotations,
    pub input_schema: Value,
    /// The default answer's shape (list items trimmed, see `x-mcp-projection`'s `list-items`).
    pub output_schema: Option<Value>,
    /// The answer's shape before list items are trimmed, which `fields` picks from; `None` when
    /// it is `output_schema`.
    pub rich_output_schema: Option<Value>,
    /// Set when the success body is wrapped in an object under this key.
    pub output_wrap: Option<String>,
    /// Client method arguments in progenitor's positional order, body excluded.
    pub args: Vec<Arg>,
    pub body: Option<Body>,
    pub empty_success_statuses: Vec<u16>,
    /// The tool that replaces this deprecated one (`x-mcp-replaced-by`).
    pub replaced_by: Option<String>,
    /// Answers one page of a list (`items` and `next`) and takes `offset` or a cursor: it gets
    /// the `all_pages` and `max_items` arguments.
    pub paginated: bool,
    /// Inputs holding ids (or lists of ids), with the `x-mcp-id` shape their values must have.
    pub id_arguments: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("operation {operation}: {problem}")]
    Operation { operation: String, problem: String },
    #[error("{0}")]
    CommonArguments(String),
    #[error("{0}")]
    Projection(String),
    #[error("{0}")]
    IdShapes(String),
    #[error("tool name `{0}` is used by more than one operation; set a distinct `x-mcp-name`")]
    DuplicateName(String),
    #[error("operation {operation}: {source}")]
    Schema {
        operation: String,
        source: SchemaError,
    },
}

pub(super) fn problem(op: &OperationRef<'_>, text: impl Into<String>) -> ToolError {
    ToolError::Operation {
        operation: op.label(),
        problem: text.into(),
    }
}

pub(super) fn schema_error(op: &OperationRef<'_>) -> impl Fn(SchemaError) -> ToolError {
    let operation = op.label();
    move |source| ToolError::Schema {
        operation: operation.clone(),
        source,
    }
}
