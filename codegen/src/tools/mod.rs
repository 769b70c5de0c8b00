//! Derives the MCP tool catalog from the spec: one tool per operation.
//!
//! [`derive`] turns one operation into a [`Tool`] from its [`inputs`] and [`output`];
//! [`projection`] and [`notes`] read the document-wide extensions listed in [`extensions`].

mod derive;
mod extensions;
mod ids;
mod inputs;
mod lean;
mod model;
mod notes;
mod output;
mod projection;

pub use derive::derive_tools;
pub use extensions::{
    CACHE_CLASSES, COMMON_ARGUMENTS_EXTENSION, EXTENSIONS, ID_EXTENSION, ID_SHAPES_EXTENSION,
    OMIT_EXTENSION, PROJECTION_EXTENSION,
};
pub use ids::{IdShape, id_shapes};
pub use inputs::BASE64_BODY_ARG;
pub use model::{Annotations, Arg, Body, Pass, Tool, ToolError};
pub use notes::{
    ALL_PAGES_ARG, DEFAULT_MAX_ITEMS, FIELDS_ARG, MAX_ITEMS_ARG, MAX_ITEMS_CAP, common_arguments,
    own_argument_notes,
};
pub use output::{WRAP_KEY, response_schema};
pub use projection::{ProjectionRules, projection_rules};
