//! `embed_migrations!("migrations")`: a migrations directory compiled into the binary.

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

/// The migrations under `dir` (relative to the crate's manifest directory) as a
/// `Vec<Migration>` expression whose SQL is `include_str!`ed, so that editing a file rebuilds
/// the binary.
pub(crate) fn expand(dir: &LitStr) -> syn::Result<TokenStream> {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let path = std::path::Path::new(&root).join(dir.value());
    let entries = std::fs::read_dir(&path).map_err(|e| {
        syn::Error::new(
            dir.span(),
            format!(
                "cannot read the migrations directory {}: {e}; generate a migration first, or give the path relative to Cargo.toml",
                path.display()
            ),
        )
    })?;
    let mut migrations = Vec::new();
    for entry in entries.flatten() {
        let migration = entry.path();
        if !migration.is_dir() {
            continue;
        }
        let up = migration.join("up.sql");
        if !up.exists() {
            return Err(syn::Error::new(
                dir.span(),
                format!("{} has no up.sql", migration.display()),
            ));
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let up = up.display().to_string();
        let down = migration.join("down.sql");
        let down = if down.exists() {
            let down = down.display().to_string();
            quote!(include_str!(#down))
        } else {
            quote!("")
        };
        migrations.push((name, quote!(include_str!(#up)), down));
    }
    migrations.sort_by(|a, b| a.0.cmp(&b.0));
    let krate = crate::expand::krate();
    let items = migrations
        .iter()
        .map(|(name, up, down)| quote!(#krate::migrate::Migration::new(#name, #up, #down)));
    Ok(quote!(::std::vec![#(#items),*]))
}
