//! Names progenitor derives from the spec, which generated tables must match.

/// The name progenitor gives an operation: its client method, and the `operation_id` the
/// client hooks see in `OperationInfo`. Middleware keys must use this form.
pub fn client_operation_name(operation_id: &str) -> String {
    heck::ToSnakeCase::to_snake_case(operation_id)
}
