//! `#[validate(...)]`: the validator crate's rules, read so that the derive can both check them
//! and turn the bounded ones into CHECK constraints.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Type};

use super::Ctxt;
use super::ctxt::{string_value, unknown};

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

const RULES: &[&str] = &[
    "length",
    "range",
    "email",
    "url",
    "regex",
    "custom",
    "contains",
    "does_not_contain",
];

/// Parses a `#[validate(...)]` of the field `field`, whose value (inside an `Option`) is `ty`.
pub(crate) fn parse(cx: &Ctxt, attr: &Attribute, field: &Ident, ty: &Type) -> Vec<Rule> {
    let mut rules = Vec::new();
    let result = attr.parse_nested_meta(|meta| {
        let name = meta
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        if let Some(message) = misfit(&name, field, ty) {
            cx.error(&meta.path, message);
        }
        let mut rule = Rule {
            kind: RuleKind::Email,
            message: None,
            code: None,
        };
        rule.kind = match name.as_str() {
            "email" | "url" => {
                if meta.input.peek(syn::Token![=]) {
                    return Err(meta.error(format!("`{name}` takes no value: write `{name}`")));
                }
                if meta.input.peek(syn::token::Paren) {
                    options(&meta, &mut rule, &[], |_, _| Ok(false))?;
                }
                if name == "email" {
                    RuleKind::Email
                } else {
                    RuleKind::Url
                }
            }
            "length" => {
                let (mut min, mut max, mut equal) = (None, None, None);
                options(&meta, &mut rule, &["min", "max", "equal"], |key, meta| {
                    let slot = match key {
                        "min" => &mut min,
                        "max" => &mut max,
                        "equal" => &mut equal,
                        _ => return Ok(false),
                    };
                    *slot = Some(bound(meta)?);
                    Ok(true)
                })?;
                if min.is_none() && max.is_none() && equal.is_none() {
                    return Err(meta.error("`length` needs a bound: `length(min = 1, max = 50)`"));
                }
                let pairs = [
                    (("min", &min), ("max", &max), false),
                    (("min", &min), ("equal", &equal), false),
                    (("equal", &equal), ("max", &max), false),
                ];
                refuses_all(cx, &meta, field, &pairs);
                RuleKind::Length { min, max, equal }
            }
            "range" => {
                let (mut min, mut max, mut exclusive_min, mut exclusive_max) =
                    (None, None, None, None);
                let keys = ["min", "max", "exclusive_min", "exclusive_max"];
                options(&meta, &mut rule, &keys, |key, meta| {
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
                if [&min, &max, &exclusive_min, &exclusive_max].iter().all(|b| b.is_none()) {
                    return Err(meta.error("`range` needs a bound: `range(min = 0, max = 100)`"));
                }
                let pairs = [
                    (("min", &min), ("max", &max), false),
                    (("exclusive_min", &exclusive_min), ("exclusive_max", &exclusive_max), true),
                    (("min", &min), ("exclusive_max", &exclusive_max), true),
                    (("exclusive_min", &exclusive_min), ("max", &max), true),
                ];
                refuses_all(cx, &meta, field, &pairs);
                RuleKind::Range {
                    min,
                    max,
                    exclusive_min,
                    exclusive_max,
                }
            }
            "regex" => {
                let mut path = None;
                options(&meta, &mut rule, &["path"], |key, meta| {
                    if key != "path" {
                        return Ok(false);
                    }
                    let expr = meta.value()?.parse::<Expr>()?;
                    if let Expr::Lit(ExprLit { lit: Lit::Str(_), .. }) = &expr {
                        return Err(syn::Error::new_spanned(
                            expr,
                            "`path` names a `Regex`, not a pattern: `static RE: LazyLock<Regex>`, then `path = RE`",
                        ));
                    }
                    path = Some(expr);
                    Ok(true)
                })?;
                RuleKind::Regex(path.ok_or_else(|| meta.error("`regex` needs its `Regex`: `regex(path = RE)`"))?)
            }
            "custom" => {
                let mut function = None;
                options(&meta, &mut rule, &["function"], |key, meta| {
                    if key != "function" {
                        if !meta.input.peek(syn::Token![=]) {
                            return Err(meta.error(format!("write `custom(function = {key})`")));
                        }
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
                    function.ok_or_else(|| meta.error("`custom` needs its function: `custom(function = check)`"))?,
                )
            }
            "contains" | "does_not_contain" => {
                let mut pattern = None;
                options(&meta, &mut rule, &["pattern"], |key, meta| {
                    if key != "pattern" {
                        return Ok(false);
                    }
                    pattern = Some(string_value(meta, "pattern = \"text\"")?);
                    Ok(true)
                })?;
                let pattern = pattern
                    .ok_or_else(|| meta.error(format!("`{name}` needs its text: `{name}(pattern = \"text\")`")))?;
                if name == "contains" {
                    RuleKind::Contains(pattern)
                } else {
                    RuleKind::DoesNotContain(pattern)
                }
            }
            _ => return Err(meta.error(unknown("validation rule", &name, RULES))),
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
    keys: &[&str],
    mut each: impl FnMut(&str, &ParseNestedMeta<'_>) -> syn::Result<bool>,
) -> syn::Result<()> {
    let name = meta
        .path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default();
    if !meta.input.peek(syn::token::Paren) {
        let example = match name.as_str() {
            "length" => "length(min = 1, max = 50)",
            "range" => "range(min = 0, max = 100)",
            "regex" => "regex(path = RE)",
            "custom" => "custom(function = check)",
            "contains" => "contains(pattern = \"text\")",
            _ => "does_not_contain(pattern = \"text\")",
        };
        return Err(meta.error(format!("write `{example}`")));
    }
    let known: Vec<&str> = keys.iter().copied().chain(["message", "code"]).collect();
    meta.parse_nested_meta(|inner| {
        let key = inner
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        match key.as_str() {
            "message" => rule.message = Some(string_value(&inner, "message = \"...\"")?),
            "code" => rule.code = Some(string_value(&inner, "code = \"...\"")?),
            k => {
                if !each(k, &inner)? {
                    let what = format!("`{name}` option");
                    return Err(inner.error(unknown(&what, k, &known)));
                }
            }
        }
        Ok(())
    })
}

fn bound(meta: &ParseNestedMeta<'_>) -> syn::Result<Bound> {
    let key = meta
        .path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default();
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(format!("`{key}` takes a number: `{key} = 1`")));
    }
    let expr: Expr = meta.value()?.parse()?;
    Ok(match expr {
        Expr::Lit(ExprLit {
            lit: lit @ (Lit::Int(_) | Lit::Float(_)),
            ..
        }) => Bound::Literal(lit),
        Expr::Lit(other) => {
            return Err(syn::Error::new_spanned(
                other,
                format!("`{key}` takes a number: `{key} = 1`"),
            ));
        }
        e => Bound::Expr(e),
    })
}

/// A lower and an upper bound of a rule, by key, and whether the two must differ (one of them
/// excludes its value).
type Pair<'a> = (
    (&'a str, &'a Option<Bound>),
    (&'a str, &'a Option<Bound>),
    bool,
);

/// Reports a rule whose number bounds leave no value between them (`min = 5, max = 2`); bounds
/// that are not literals are left to the validator.
fn refuses_all(cx: &Ctxt, meta: &ParseNestedMeta<'_>, field: &Ident, pairs: &[Pair<'_>]) {
    let name = meta
        .path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default();
    for ((low_key, low), (high_key, high), strict) in pairs {
        let (Some((low, low_text)), Some((high, high_text))) = (number(low), number(high)) else {
            continue;
        };
        let problem = if low > high {
            let fix = if *low_key == "equal" || *high_key == "equal" {
                "keep `equal` alone"
            } else {
                "swap them"
            };
            format!("`{low_key} = {low_text}` is above `{high_key} = {high_text}`; {fix}")
        } else if *strict && low == high {
            format!(
                "`{low_key} = {low_text}` and `{high_key} = {high_text}` leave no value between them; widen the bounds"
            )
        } else {
            continue;
        };
        cx.error(
            &meta.path,
            format!("`{name}` on `{field}` refuses every value: {problem}"),
        );
        return;
    }
}

/// The value of a number literal bound (possibly negated), and the bound as written.
fn number(bound: &Option<Bound>) -> Option<(f64, String)> {
    let digits = |lit: &Lit| match lit {
        Lit::Int(i) => Some(i.base10_digits().to_owned()),
        Lit::Float(f) => Some(f.base10_digits().to_owned()),
        _ => None,
    };
    let text = match bound.as_ref()? {
        Bound::Literal(lit) => digits(lit)?,
        Bound::Expr(Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        })) => match &**expr {
            Expr::Lit(ExprLit { lit, .. }) => format!("-{}", digits(lit)?),
            _ => return None,
        },
        Bound::Expr(_) => return None,
    };
    Some((text.parse().ok()?, text))
}

/// Why rule `name` cannot check a `ty` (the type inside an `Option`), if it cannot: only for the
/// types it surely cannot (text, numbers, `bool`); a type of the user's own may implement the rule.
fn misfit(name: &str, field: &Ident, ty: &Type) -> Option<String> {
    let ty_name = super::field::type_name(ty)?;
    let is = match ty_name.as_str() {
        "String" => "text",
        "bool" => "a bool",
        n if super::field::is_number(n) => "a number",
        _ => return None,
    };
    let (checks, instead) = match (name, is) {
        ("length", "a number") => (
            "measures text and lists",
            "write `range(min = .., max = ..)`",
        ),
        ("length", "a bool") => ("measures text and lists", "drop it"),
        ("range", "text") => ("bounds numbers", "write `length(min = .., max = ..)`"),
        ("range", "a bool") => ("bounds numbers", "drop it"),
        ("email" | "url" | "regex" | "contains" | "does_not_contain", "a number" | "a bool") => {
            ("checks text", "drop it or make the field a `String`")
        }
        _ => return None,
    };
    Some(format!(
        "`{name}` {checks}, and `{field}` is {is}: {instead}"
    ))
}
