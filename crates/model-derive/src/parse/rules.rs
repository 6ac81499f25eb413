//! `#[validate(...)]`: the validator crate's rules, read so that the derive can both check them
//! and turn the bounded ones into CHECK constraints.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr};

use super::Ctxt;

/// A bound of a length or range rule.
pub(crate) enum Bound {
    /// A number literal: also usable in a CHECK constraint.
    Literal(Lit),
    /// Any other expression (a constant, say): checked in Rust only.
    Expr(Expr),
}

pub(crate) enum RuleKind {
    Length {
        min: Option<Bound>,
        max: Option<Bound>,
        equal: Option<Bound>,
    },
    Range {
        min: Option<Bound>,
        max: Option<Bound>,
        exclusive_min: Option<Bound>,
        exclusive_max: Option<Bound>,
    },
    Email,
    Url,
    Regex(Expr),
    Custom(syn::Path),
    Contains(LitStr),
    DoesNotContain(LitStr),
}

pub(crate) struct Rule {
    pub kind: RuleKind,
    pub message: Option<LitStr>,
    pub code: Option<LitStr>,
}

impl RuleKind {
    /// The validator crate's error code for the rule.
    pub fn code(&self) -> &'static str {
        match self {
            RuleKind::Length { .. } => "length",
            RuleKind::Range { .. } => "range",
            RuleKind::Email => "email",
            RuleKind::Url => "url",
            RuleKind::Regex(_) => "regex",
            RuleKind::Custom(_) => "custom",
            RuleKind::Contains(_) => "contains",
            RuleKind::DoesNotContain(_) => "does_not_contain",
        }
    }
}

const RULES: &str = "expected one of `length`, `range`, `email`, `url`, `regex`, `custom`, `contains`, `does_not_contain`";

pub(crate) fn parse(cx: &Ctxt, attr: &Attribute) -> Vec<Rule> {
    let mut rules = Vec::new();
    let result = attr.parse_nested_meta(|meta| {
        let name = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        let mut rule = Rule {
            kind: RuleKind::Email,
            message: None,
            code: None,
        };
        rule.kind = match name.as_str() {
            "email" | "url" => {
                if meta.input.peek(syn::token::Paren) {
                    options(&meta, &mut rule, |_, _| Ok(false))?;
                }
                if name == "email" {
                    RuleKind::Email
                } else {
                    RuleKind::Url
                }
            }
            "length" => {
                let (mut min, mut max, mut equal) = (None, None, None);
                options(&meta, &mut rule, |key, meta| {
                    let slot = match key {
                        "min" => &mut min,
                        "max" => &mut max,
                        "equal" => &mut equal,
                        _ => return Ok(false),
                    };
                    *slot = Some(bound(meta)?);
                    Ok(true)
                })?;
                RuleKind::Length { min, max, equal }
            }
            "range" => {
                let (mut min, mut max, mut exclusive_min, mut exclusive_max) =
                    (None, None, None, None);
                options(&meta, &mut rule, |key, meta| {
                    let slot = match key {
                        "min" => &mut min,
                        "max" => &mut max,
                        "exclusive_min" => &mut exclusive_min,
                        "exclusive_max" => &mut exclusive_max,
                        _ => return Ok(false),
                    };
                    *slot = Some(bound(meta)?);
                    Ok(true)
                })?;
                RuleKind::Range {
                    min,
                    max,
                    exclusive_min,
                    exclusive_max,
                }
            }
            "regex" => {
                let mut path = None;
                options(&meta, &mut rule, |key, meta| {
                    if key != "path" {
                        return Ok(false);
                    }
                    path = Some(meta.value()?.parse::<Expr>()?);
                    Ok(true)
                })?;
                RuleKind::Regex(path.ok_or_else(|| meta.error("expected `regex(path = ...)`"))?)
            }
            "custom" => {
                let mut function = None;
                options(&meta, &mut rule, |key, meta| {
                    if key != "function" {
                        return Ok(false);
                    }
                    let value = meta.value()?;
                    function = Some(if value.peek(LitStr) {
                        value.parse::<LitStr>()?.parse::<syn::Path>()?
                    } else {
                        value.parse::<syn::Path>()?
                    });
                    Ok(true)
                })?;
                RuleKind::Custom(
                    function.ok_or_else(|| meta.error("expected `custom(function = path)`"))?,
                )
            }
            "contains" | "does_not_contain" => {
                let mut pattern = None;
                options(&meta, &mut rule, |key, meta| {
                    if key != "pattern" {
                        return Ok(false);
                    }
                    pattern = Some(meta.value()?.parse::<LitStr>()?);
                    Ok(true)
                })?;
                let pattern =
                    pattern.ok_or_else(|| meta.error("expected `(pattern = \"...\")`"))?;
                if name == "contains" {
                    RuleKind::Contains(pattern)
                } else {
                    RuleKind::DoesNotContain(pattern)
                }
            }
            _ => return Err(meta.error(format!("unknown validation rule; {RULES}"))),
        };
        rules.push(rule);
        Ok(())
    });
    if let Err(e) = result {
        cx.push(e);
    }
    rules
}

/// Parses `(key = value, ...)`: `message` and `code` for every rule, the rest by `each`,
/// which answers whether it knew the key.
fn options(
    meta: &ParseNestedMeta<'_>,
    rule: &mut Rule,
    mut each: impl FnMut(&str, &ParseNestedMeta<'_>) -> syn::Result<bool>,
) -> syn::Result<()> {
    meta.parse_nested_meta(|inner| {
        let key = inner
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        match key.as_str() {
            "message" => rule.message = Some(inner.value()?.parse()?),
            "code" => rule.code = Some(inner.value()?.parse()?),
            k => {
                if !each(k, &inner)? {
                    return Err(inner.error(format!("unknown option `{k}` for this rule")));
                }
            }
        }
        Ok(())
    })
}

fn bound(meta: &ParseNestedMeta<'_>) -> syn::Result<Bound> {
    let expr: Expr = meta.value()?.parse()?;
    Ok(match expr {
        Expr::Lit(ExprLit {
            lit: lit @ (Lit::Int(_) | Lit::Float(_)),
            ..
        }) => Bound::Literal(lit),
        e => Bound::Expr(e),
    })
}
