//! The sealing of grants lives in [`crate::foundation::sealed`], below the multi-user store
//! that uses it too; re-exported here for the Redis token store and its callers.

pub use crate::foundation::sealed::{GrantKeys, KeyError, SealError};
