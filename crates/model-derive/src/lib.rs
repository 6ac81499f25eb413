//! `#[derive(Model)]`: one struct becomes a table, a validated model and typed column handles.
//!
//! The macro first parses the struct and its attributes into a small model of the input
//! (`parse`), collecting every mistake with the user's span, then generates code from that
//! model only (`expand`). Generated code names paths under the library alone (`::tablemodel`,
//! or `::model_core` for a crate built on the core), so the
//! user's crate needs no other dependency. The attributes are documented on `tablemodel`.

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

mod embed;
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

/// The migrations in a directory (relative to the crate's `Cargo.toml`), compiled into the
/// binary as a `Vec<Migration>`, so that the application migrates its database at start-up
/// without the files (diesel's `embed_migrations!`):
///
/// ```text
/// let applied = engine.migrate(tablemodel::embed_migrations!("migrations"))?;
/// ```
///
/// Editing a migration's SQL rebuilds the binary; a new migration directory is seen when the
/// crate is next compiled (touch the file that calls the macro, or `cargo clean -p` it).
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let dir = parse_macro_input!(input as syn::LitStr);
    match embed::expand(&dir) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
