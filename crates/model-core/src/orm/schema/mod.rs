//! What the generated API schemas (`create =`, `update =`, `public =`) use: [`Patch`], the
//! serde helpers for integer columns, and the OpenAPI description behind the `utoipa` feature.

mod integer;
#[cfg(feature = "utoipa")]
mod openapi;
mod patch;

pub use integer::{integer, integer_option, integer_patch, integer_patch_non_null};
#[cfg(feature = "utoipa")]
pub use openapi::{Limits, ObjectSchema};
pub(crate) use patch::NON_NULL;
pub use patch::{Patch, deserialize_non_null};
