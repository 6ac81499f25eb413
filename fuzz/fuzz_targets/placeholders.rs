//! Placeholder rewriting of hand-written SQL, on any text: never a panic; the text outside
//! placeholders is kept; rewriting is idempotent (SQL with `$n` placeholders is sent as
//! written).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tablemodel::sql::translate_placeholders;
use tablemodel::{ColumnType, Dialect};

struct Numbered;

impl Dialect for Numbered {
    fn name(&self) -> &'static str {
        "numbered"
    }
    fn placeholder(&self, out: &mut String, n: usize) {
        out.push('$');
        out.push_str(&n.to_string());
    }
    fn column_type(&self, _: ColumnType) -> &'static str {
        "TEXT"
    }
    fn generated_key(&self, _: ColumnType) -> &'static str {
        "BIGINT"
    }
}

fuzz_target!(|sql: &str| {
    let once = translate_placeholders(sql, &Numbered);
    let twice = translate_placeholders(&once, &Numbered);
    if once != sql {
        // Something was rewritten: the result uses `$n` placeholders and is left alone.
        assert_eq!(twice, once, "rewriting twice changed {sql:?}");
        // Only `?` (or `?NNN`) became `$n`, with a space where it would touch a word: removing
        // placeholders and spaces gives the same text.
        let strip = |s: &str| -> String {
            let mut out = String::new();
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '?' | '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                        while chars.peek().is_some_and(char::is_ascii_digit) {
                            chars.next();
                        }
                    }
                    '?' | ' ' => {}
                    c => out.push(c),
                }
            }
            out
        };
        assert_eq!(strip(&once), strip(sql), "text changed in {sql:?}");
    }
});
