//! How broken validation rules read: one plain sentence per rule, shared by
//! [`Error::Validation`](crate::Error::Validation)'s message and the axum error body.

/// Every broken rule, field by field in the fields' order by name:
/// `age: must be between 0 and 150; name: length must be ...`.
pub(crate) fn describe_validation(errors: &validator::ValidationErrors) -> String {
    let mut out = Vec::new();
    broken_rules(errors, "", &mut out);
    if out.is_empty() {
        return "no rule was named".to_owned();
    }
    out.join("; ")
}

/// The broken rules of `errors`, their fields named from `path` (`address.city`,
/// `tags[2].name`).
fn broken_rules(errors: &validator::ValidationErrors, path: &str, out: &mut Vec<String>) {
    use validator::ValidationErrorsKind;
    let mut fields: Vec<_> = errors.errors().iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    for (field, kind) in fields {
        // Rules of the whole model (validator's `__all__`) are named by their parent alone.
        let path = match (path, field.as_ref()) {
            (path, "__all__") => path.to_owned(),
            ("", field) => field.to_owned(),
            (path, field) => format!("{path}.{field}"),
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    let message = validation_message(error);
                    out.push(if path.is_empty() {
                        message
                    } else {
                        format!("{path}: {message}")
                    });
                }
            }
            ValidationErrorsKind::Struct(inner) => broken_rules(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    broken_rules(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

/// The sentence for one broken validation rule: the rule's own message when it has one,
/// otherwise a sentence naming the rule and its bounds. [`Error::Validation`]'s message lists
/// these after each field's name, and the axum integration sends them as each field's
/// `message`.
///
/// ```
/// use model_core::{ValidationError, validation_message};
/// let mut length = ValidationError::new("length");
/// length.add_param("min".into(), &1);
/// length.add_param("max".into(), &5);
/// assert_eq!(validation_message(&length), "length must be between 1 and 5 characters or items");
/// let mut range = ValidationError::new("range");
/// range.add_param("min".into(), &0);
/// assert_eq!(validation_message(&range), "must be at least 0");
/// assert_eq!(validation_message(&ValidationError::new("email")), "must be an email address");
/// let custom = ValidationError::new("no_spaces").with_message("no spaces, please".into());
/// assert_eq!(validation_message(&custom), "no spaces, please");
/// assert_eq!(validation_message(&ValidationError::new("no_spaces")), "breaks the `no_spaces` rule");
/// let mut level = ValidationError::new("level");
/// level.add_param("exclusive_min".into(), &0);
/// level.add_param("max".into(), &10);
/// assert_eq!(
///     validation_message(&level),
///     "breaks the `level` rule (it must be greater than 0 and at most 10)"
/// );
/// ```
pub fn validation_message(error: &validator::ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let bounds = |unit: &str| bounds(error, unit);
    let description = match error.code.as_ref() {
        "length" => bounds(" characters or items").map(|b| format!("length {b}")),
        "range" => bounds(""),
        "email" => Some("must be an email address".to_owned()),
        "url" => Some("must be a URL".to_owned()),
        "regex" => Some("does not match the expected pattern".to_owned()),
        "contains" => Some("does not contain the required text".to_owned()),
        "does_not_contain" => Some("contains text it may not".to_owned()),
        // A rule under a code of its own: its bounds, when it has some, say what it wants.
        code => {
            return match bounds("") {
                Some(b) => format!("breaks the `{code}` rule (it {b})"),
                None => format!("breaks the `{code}` rule"),
            };
        }
    };
    description.unwrap_or_else(|| "is out of range".to_owned())
}

/// `must be between 1 and 5{unit}` and the like, from a rule's `equal`, `min`, `max`,
/// `exclusive_min` and `exclusive_max`; `None` when it has none of them.
fn bounds(error: &validator::ValidationError, unit: &str) -> Option<String> {
    let param = |name: &str| error.params.get(name).map(|v| v.to_string());
    if let Some(n) = param("equal") {
        return Some(format!("must be exactly {n}{unit}"));
    }
    let lower = match (param("min"), param("exclusive_min")) {
        (Some(lo), _) => Some(("at least", lo)),
        (None, Some(lo)) => Some(("greater than", lo)),
        (None, None) => None,
    };
    let upper = match (param("max"), param("exclusive_max")) {
        (Some(hi), _) => Some(("at most", hi)),
        (None, Some(hi)) => Some(("less than", hi)),
        (None, None) => None,
    };
    Some(match (lower, upper) {
        (Some(("at least", lo)), Some(("at most", hi))) => {
            format!("must be between {lo} and {hi}{unit}")
        }
        (Some((below, lo)), Some((above, hi))) => {
            format!("must be {below} {lo} and {above} {hi}{unit}")
        }
        (Some((bound, n)), None) | (None, Some((bound, n))) => format!("must be {bound} {n}{unit}"),
        (None, None) => return None,
    })
}
