//! Placeholders of hand-written SQL: `?` rewritten to the dialect's (`$1`, `$2`, ... on
//! PostgreSQL), leaving alone what PostgreSQL's lexer reads as text or comment. `?NNN` names
//! its parameter and a plain `?` takes the number after the largest so far, as in SQLite.
//!
//! Skipped: `'...'` strings (`''` inside), `E'...'` strings (backslash escapes), `"..."`
//! identifiers, `$tag$ ... $tag$` bodies, `--` comments and `/* ... */` comments, which nest.
//! SQL that already uses PostgreSQL's own `$1` placeholders is sent as written, so its `?`
//! stays a JSONB operator (`data ? 'key'`, `?|`, `?&`).

use std::borrow::Cow;

use crate::sql::dialect::Dialect;

/// Rewrites the `?` placeholders of hand-written SQL to the dialect's: what
/// [`raw`](crate::raw) does before sending. Backends and tools may use it too.
///
/// ```text
/// SELECT $$ ? $$, 'it''s ?', E'it\'s ?' /* ? /* ? */ */ FROM t WHERE a = ? AND b = ?
/// SELECT $$ ? $$, 'it''s ?', E'it\'s ?' /* ? /* ? */ */ FROM t WHERE a = $1 AND b = $2
/// ```
///
/// ```
/// # use model_core::{ColumnType, Dialect};
/// struct Numbered;
/// impl Dialect for Numbered {
///     fn name(&self) -> &'static str { "numbered" }
///     fn placeholder(&self, out: &mut String, n: usize) { out.push_str(&format!("${n}")) }
///     fn column_type(&self, _: ColumnType) -> &'static str { "TEXT" }
///     fn generated_key(&self, _: ColumnType) -> &'static str { "BIGINT" }
/// }
/// let sql = model_core::sql::translate_placeholders("SELECT '?', ? -- ?", &Numbered);
/// assert_eq!(sql, "SELECT '?', $1 -- ?");
/// ```
pub fn translate_placeholders<'s>(sql: &'s str, dialect: &dyn Dialect) -> Cow<'s, str> {
    let mut first = String::new();
    dialect.placeholder(&mut first, 1);
    if first == "?" || native_placeholders(sql) {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    let mut at = 0;
    while at < sql.len() {
        let skip = verbatim(sql, at);
        if skip > 0 {
            out.push_str(&sql[at..at + skip]);
            at += skip;
            continue;
        }
        let c = sql[at..].chars().next().unwrap_or_default();
        at += c.len_utf8();
        if c != '?' {
            out.push(c);
            continue;
        }
        // A placeholder stays a token of its own: `x=?AND` must not become `x=$1AND`, nor
        // `a?` the identifier `a$1`.
        if out
            .as_bytes()
            .last()
            .is_some_and(|&b| is_ident(b) || b == b'$')
        {
            out.push(' ');
        }
        // `?NNN` names its parameter, as in SQLite; a plain `?` takes the next number.
        let digits = sql[at..].bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            // A number too large for any statement still names a parameter: the database
            // refuses it, rather than the digits being glued to another placeholder.
            let given = sql[at..at + digits].parse::<usize>().unwrap_or(usize::MAX);
            n = n.max(given);
            dialect.placeholder(&mut out, given);
            at += digits;
        } else {
            n = n.saturating_add(1);
            dialect.placeholder(&mut out, n);
        }
        if sql
            .as_bytes()
            .get(at)
            .is_some_and(|&b| is_ident(b) || b == b'$')
        {
            out.push(' ');
        }
    }
    Cow::Owned(out)
}

/// Whether the SQL uses `$1`-style placeholders outside text and comments.
fn native_placeholders(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    let mut at = 0;
    while at < sql.len() {
        let skip = verbatim(sql, at);
        if skip > 0 {
            at += skip;
            continue;
        }
        if bytes[at] == b'$'
            && bytes.get(at + 1).is_some_and(u8::is_ascii_digit)
            && (at == 0 || !is_ident(bytes[at - 1]))
        {
            return true;
        }
        at += sql[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The length of the text, identifier or comment that starts at `at`, copied as it is; 0 when
/// none starts there. An unterminated one runs to the end.
fn verbatim(sql: &str, at: usize) -> usize {
    let bytes = sql.as_bytes();
    let rest = &bytes[at..];
    let after_ident = at > 0 && is_ident(bytes[at - 1]);
    match rest[0] {
        b'\'' => 1 + quoted(&rest[1..], b'\'', false),
        b'"' => 1 + quoted(&rest[1..], b'"', false),
        b'e' | b'E' if !after_ident && rest.get(1) == Some(&b'\'') => {
            2 + quoted(&rest[2..], b'\'', true)
        }
        b'-' if rest.starts_with(b"--") => {
            rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())
        }
        b'/' if rest.starts_with(b"/*") => block_comment(rest),
        b'$' if !after_ident => dollar_quoted(rest),
        _ => 0,
    }
}

/// Past the closing `quote` of text whose opening quote is already consumed; a doubled quote
/// stands for itself, and with `backslash` a backslash escapes the next byte.
fn quoted(rest: &[u8], quote: u8, backslash: bool) -> usize {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' if backslash => i += 2,
            b if b == quote => {
                if rest.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    rest.len()
}

/// A `/* ... */` comment, nested ones included.
fn block_comment(rest: &[u8]) -> usize {
    let mut depth = 0;
    let mut i = 0;
    while i < rest.len() {
        if rest[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if rest[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    rest.len()
}

/// A `$tag$ ... $tag$` body (the tag may be empty); 0 when `$` does not open one (`$1` is a
/// placeholder).
fn dollar_quoted(rest: &[u8]) -> usize {
    let tag_len = rest[1..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))
        .unwrap_or(rest.len() - 1);
    let tag_ok =
        rest.get(1 + tag_len) == Some(&b'$') && rest.get(1).is_none_or(|b| !b.is_ascii_digit());
    if !tag_ok {
        return 0;
    }
    let delimiter = &rest[..tag_len + 2];
    let body = &rest[delimiter.len()..];
    match body.windows(delimiter.len()).position(|w| w == delimiter) {
        Some(end) => delimiter.len() + end + delimiter.len(),
        None => rest.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::value::ColumnType;

    struct Numbered;
    impl Dialect for Numbered {
        fn name(&self) -> &'static str {
            "numbered"
        }
        fn placeholder(&self, out: &mut String, n: usize) {
            out.push_str(&format!("${n}"));
        }
        fn column_type(&self, _: ColumnType) -> &'static str {
            "TEXT"
        }
        fn generated_key(&self, _: ColumnType) -> &'static str {
            "BIGINT"
        }
    }

    fn t(sql: &str) -> String {
        translate_placeholders(sql, &Numbered).into_owned()
    }

    #[test]
    fn placeholders_outside_text_and_comments() {
        assert_eq!(t("SELECT ? + ?"), "SELECT $1 + $2");
        assert_eq!(t("SELECT '?', \"?\", ?"), "SELECT '?', \"?\", $1");
        assert_eq!(t("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
        assert_eq!(t(r"SELECT E'it\'s ?', ?"), r"SELECT E'it\'s ?', $1");
        assert_eq!(t(r"SELECT e'\\', ?"), r"SELECT e'\\', $1");
        assert_eq!(t("SELECT $$ ? $$, ?"), "SELECT $$ ? $$, $1");
        assert_eq!(t("SELECT $f$ it's ? $f$, ?"), "SELECT $f$ it's ? $f$, $1");
        assert_eq!(
            t("SELECT /* ? /* ? */ ? */ ?"),
            "SELECT /* ? /* ? */ ? */ $1"
        );
        assert_eq!(t("SELECT ? -- ?\n, ?"), "SELECT $1 -- ?\n, $2");
        // A name that ends in e is not an E string.
        assert_eq!(t("SELECT name'x' , ?"), "SELECT name'x' , $1");
        assert_eq!(t("SELECT café, ?"), "SELECT café, $1");
        // Numbered as SQLite numbers them; a digit after `?` is never glued to a placeholder.
        assert_eq!(t("SELECT ?2, ?1, ?"), "SELECT $2, $1, $3");
        assert_eq!(t("SELECT 8?2"), "SELECT 8 $2");
        assert_eq!(
            t("SELECT x FROM t WHERE a=?AND b=?"),
            "SELECT x FROM t WHERE a=$1 AND b=$2"
        );
        assert_eq!(t("SELECT ??$$ ? $$"), "SELECT $1 $2 $$ ? $$");
    }

    #[test]
    fn native_placeholders_are_sent_as_written() {
        let jsonb = "SELECT data ? 'k', data ?| $1 FROM t WHERE id = $2";
        assert_eq!(t(jsonb), jsonb);
        // `$1` inside text does not count.
        assert_eq!(t("SELECT '$1', ?"), "SELECT '$1', $1");
        // Unterminated text runs to the end, untouched.
        assert_eq!(t("SELECT ?, 'open ?"), "SELECT $1, 'open ?");
        assert_eq!(t("SELECT ?, $$ open ?"), "SELECT $1, $$ open ?");
    }
}
