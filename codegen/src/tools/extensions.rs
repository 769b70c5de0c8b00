//! The project's `x-mcp-*` keys (documented in openapi/README.md) and the values they take.

/// The project's operation extensions; any other `x-mcp-` key on an operation is a typo.
pub const EXTENSIONS: [&str; 8] = [
    "x-mcp-name",
    "x-mcp-cache",
    "x-mcp-premium",
    "x-mcp-destructive",
    "x-mcp-idempotent",
    "x-mcp-replaced-by",
    "x-mcp-todo",
    "x-mcp-deliberate",
];
/// Parameter extension: leave the (optional) parameter out of the tool, e.g. a query list that
/// duplicates the request body.
pub const OMIT_EXTENSION: &str = "x-mcp-omit";
/// Document extension: parameter name → one explanation, given once in the server instructions
/// instead of in every tool that takes the parameter.
pub const COMMON_ARGUMENTS_EXTENSION: &str = "x-mcp-common-arguments";
/// Document extension: what projection trims from answers (documented in openapi/README.md).
pub const PROJECTION_EXTENSION: &str = "x-mcp-projection";
/// Values of `x-mcp-cache`.
pub const CACHE_CLASSES: [&str; 4] = ["catalog", "user", "playback", "none"];
/// Parameter (or body property) extension: the id shape its values must have.
pub const ID_EXTENSION: &str = "x-mcp-id";
/// Document extension: id shape name → its pattern and a description for the instructions.
pub const ID_SHAPES_EXTENSION: &str = "x-mcp-id-shapes";
