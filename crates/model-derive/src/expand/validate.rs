//! `impl Validate`: every rule of every field is checked and every failure reported, through
//! the validator crate's own rule implementations.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{Bound, Field, Model, Rule, RuleKind};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let checks = model
        .fields
        .iter()
        .flat_map(|f| f.rules.iter().map(move |r| rule(f, r, Access::of(f))));
    impl_validate(&model.ident, checks)
}

/// How a check reaches a field's value in `self`.
#[derive(Clone, Copy)]
pub(crate) enum Access {
    /// The field is the value.
    Plain,
    /// An `Option`: `None` breaks no rule.
    Option,
    /// A `Patch` (of an update schema): only a value is checked.
    Patch,
}

impl Access {
    /// As the field is declared on the model.
    pub fn of(f: &Field) -> Access {
        if f.is_option() {
            Access::Option
        } else {
            Access::Plain
        }
    }
}

/// `impl Validate for #ident`, running `checks` (statements that add to `errors`).
pub(crate) fn impl_validate(
    ident: &syn::Ident,
    checks: impl IntoIterator<Item = TokenStream>,
) -> TokenStream {
    let krate = crate::expand::krate();
    let checks = checks.into_iter();
    quote! {
        impl #krate::__private::validator::Validate for #ident {
            fn validate(&self) -> ::core::result::Result<(), #krate::__private::validator::ValidationErrors> {
                #[allow(unused_imports)]
                use #krate::__private::validator::{
                    ValidateContains, ValidateDoesNotContain, ValidateEmail, ValidateLength,
                    ValidateRange, ValidateRegex, ValidateUrl,
                };
                let mut errors = #krate::__private::validator::ValidationErrors::new();
                #(#checks)*
                if errors.is_empty() {
                    ::core::result::Result::Ok(())
                } else {
                    ::core::result::Result::Err(errors)
                }
            }
        }
    }
}

fn bound(b: &Option<Bound>) -> TokenStream {
    match b {
        Some(Bound::Literal(lit)) => quote!(::core::option::Option::Some(#lit)),
        Some(Bound::Expr(e)) => quote!(::core::option::Option::Some(#e)),
        None => quote!(::core::option::Option::None),
    }
}

fn params(pairs: &[(&str, &Option<Bound>)]) -> TokenStream {
    let adds = pairs.iter().filter_map(|(name, b)| {
        let value = match b {
            Some(Bound::Literal(lit)) => quote!(#lit),
            Some(Bound::Expr(e)) => quote!(#e),
            None => return None,
        };
        Some(quote!(error.add_param(::std::borrow::Cow::Borrowed(#name), &(#value));))
    });
    quote!(#(#adds)*)
}

/// The check of one rule on one field, which `access` says how to reach.
pub(crate) fn rule(f: &Field, rule: &Rule, access: Access) -> TokenStream {
    let krate = crate::expand::krate();
    let field = &f.ident;
    let name = f.ident.to_string();
    let code = rule
        .code
        .as_ref()
        .map_or_else(|| rule.kind.code().to_owned(), |c| c.value());
    let message = match &rule.message {
        Some(m) => {
            quote!(error.message = ::core::option::Option::Some(::std::borrow::Cow::Borrowed(#m));)
        }
        None => quote!(),
    };
    let (passes, params) = match &rule.kind {
        RuleKind::Length { min, max, equal } => {
            let (lo, hi, eq) = (bound(min), bound(max), bound(equal));
            (
                quote!(value.validate_length(#lo, #hi, #eq)),
                params(&[("min", min), ("max", max), ("equal", equal)]),
            )
        }
        RuleKind::Range {
            min,
            max,
            exclusive_min,
            exclusive_max,
        } => {
            let (a, b, c, d) = (
                bound(min),
                bound(max),
                bound(exclusive_min),
                bound(exclusive_max),
            );
            (
                quote!(value.validate_range(#a, #b, #c, #d)),
                params(&[
                    ("min", min),
                    ("max", max),
                    ("exclusive_min", exclusive_min),
                    ("exclusive_max", exclusive_max),
                ]),
            )
        }
        RuleKind::Email => (quote!(value.validate_email()), quote!()),
        RuleKind::Url => (quote!(value.validate_url()), quote!()),
        // Spanned at the user's path, where a value that is not a `Regex` is reported.
        RuleKind::Regex(re) => {
            let krate = krate_at(re.span());
            (
                quote_spanned!(re.span()=> #krate::__private::regex_matches(value, &(#re))),
                quote!(),
            )
        }
        RuleKind::Contains(p) => (quote!(value.validate_contains(#p)), quote!()),
        RuleKind::DoesNotContain(p) => (quote!(value.validate_does_not_contain(#p)), quote!()),
        RuleKind::Custom(function) => {
            // A custom rule builds its own error; code and message still apply when given.
            let code_override = rule
                .code
                .as_ref()
                .map(|c| quote!(error.code = ::std::borrow::Cow::Borrowed(#c);));
            // Spanned at the user's path, where a function of another signature is reported:
            // one taking other than a reference by the annotation (which keeps deref coercion:
            // `fn(&str)` checks a `String`), one returning other than the rule's result by
            // `custom_outcome`.
            let krate = krate_at(function.span());
            let outcome = quote_spanned! {function.span()=>
                {
                    let function: fn(&_) -> _ = #function;
                    #krate::__private::custom_outcome(function(value))
                }
            };
            let check = quote! {
                if let ::core::result::Result::Err(mut error) = #outcome {
                    #code_override
                    #message
                    errors.add(#name, error);
                }
            };
            return unwrap(access, field, check);
        }
    };
    let check = quote! {
        if !#passes {
            let mut error = #krate::__private::validator::ValidationError::new(#code);
            #params
            #message
            errors.add(#name, error);
        }
    };
    unwrap(access, field, check)
}

/// The library's path, at `span`: a call to one of its helpers is then entirely at the user's
/// tokens, where its errors are reported.
fn krate_at(span: Span) -> TokenStream {
    crate::expand::krate()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// Runs `check` on the value, skipping a `None` or an absent or null `Patch` (no value breaks
/// no rule).
fn unwrap(access: Access, field: &syn::Ident, check: TokenStream) -> TokenStream {
    let krate = crate::expand::krate();
    match access {
        Access::Option => quote! {
            if let ::core::option::Option::Some(value) = &self.#field {
                #check
            }
        },
        Access::Patch => quote! {
            if let #krate::Patch::Value(value) = &self.#field {
                #check
            }
        },
        Access::Plain => quote! {
            {
                let value = &self.#field;
                #check
            }
        },
    }
}
