//! Collects errors so that one compile reports every mistake, each at its span.

use std::cell::RefCell;
use std::fmt::Display;

use quote::ToTokens;

pub(crate) struct Ctxt {
    errors: RefCell<Option<syn::Error>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(None),
        }
    }

    pub fn error(&self, at: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(at, message));
    }

    pub fn push(&self, error: syn::Error) {
        let mut errors = self.errors.borrow_mut();
        match errors.as_mut() {
            Some(all) => all.combine(error),
            None => *errors = Some(error),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.errors.borrow().is_some()
    }

    pub fn finish(self) -> syn::Result<()> {
        match self.errors.into_inner() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The name among `known` that a mistyped `name` most likely meant, if one is close enough.
pub(crate) fn nearest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    // One letter off (`mn` for `min`), which the similarity below undervalues in short names.
    if let Some(k) = known.iter().find(|k| strsim::osa_distance(name, k) <= 1) {
        return Some(k);
    }
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// "unknown {what} `name`; did you mean `x`?", or the names known when none is close.
pub(crate) fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    match nearest(name, known) {
        Some(near) => format!("unknown {what} `{name}`; did you mean `{near}`?"),
        None => {
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            format!(
                "unknown {what} `{name}`; expected one of {}",
                list.join(", ")
            )
        }
    }
}

/// The string of `key = "..."`, refused with `example` (`table = "heroes"`) when it is missing
/// or not a string.
pub(crate) fn string_value(
    meta: &syn::meta::ParseNestedMeta<'_>,
    example: &str,
) -> syn::Result<syn::LitStr> {
    let key = meta
        .path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default();
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(format!("`{key}` takes a string: write `{example}`")));
    }
    let mut expr = meta.value()?.parse::<syn::Expr>()?;
    // A literal passed through a `macro_rules!` fragment arrives wrapped in an invisible group.
    while let syn::Expr::Group(group) = expr {
        expr = *group.expr;
    }
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(s),
        other => Err(syn::Error::new_spanned(
            other,
            format!("`{key}` takes a string: write `{example}`"),
        )),
    }
}
