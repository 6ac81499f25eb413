//! `#[derive(Model)]`: one struct becomes a table, a validated model and typed column handles.
//!
//! The macro first parses the struct and its attributes into a small model of the input
//! (`parse`), collecting every mistake with the user's span, then generates code from that
//! model only (`expand`). Generated code names paths under the library alone (`::tablemodel`,
//! or `::model_core` for a crate built on the core), so the
//! user's crate needs no other dependency. The attributes are documented on `tablemodel`.

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

mod expand;
mod parse;
#[cfg(test)]
mod tests;

/// Derives `model_core::Model` (table metadata, row mapping, validation, column handles).
#[proc_macro_derive(Model, attributes(model, validate))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match parse::Model::from_input(&input) {
        Ok(model) => expand::expand(&model).into(),
        Err(errors) => errors.to_compile_error().into(),
    }
}
