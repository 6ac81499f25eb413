//! The names of constraints and indexes, as the database will know them.
//!
//! Names follow SQLAlchemy's naming conventions: `pk_<table>`, `uq_<table>_<columns>`,
//! `fk_<table>_<column>`, `ix_<table>_<columns>`, `ck_<table>_<column>_<rule>`. PostgreSQL cuts
//! identifiers at 63 bytes, so a longer name keeps its first 54 bytes and ends with `_` and
//! eight hex digits of a hash of the whole name: still unique, the same every time, and the same
//! name the database reports in its errors. Two declarations that come to the same name
//! (`uq_a_b_c` for table `a_b` column `c` and table `a` column `b_c`) are refused by
//! `create_all` rather than one of them silently skipped.

use crate::sql::table::Table;

/// The longest identifier PostgreSQL keeps whole.
const MAX_NAME: usize = 63;

/// The name as the database will store it: at most 63 bytes.
///
/// ```text
/// ck_a_table_with_a_rather_long_name_a_column_with_a_long_name_length
///   -> ck_a_table_with_a_rather_long_name_a_column_with_a_lon_1f0c9a2e
/// ```
pub(crate) fn fit(name: &str) -> String {
    if name.len() <= MAX_NAME {
        return name.to_owned();
    }
    let mut cut = MAX_NAME - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{:08x}", &name[..cut], fnv1a(name.as_bytes()))
}

/// The part of a name PostgreSQL keeps: its first 63 bytes (whole characters).
pub(crate) fn kept(name: &str) -> &str {
    let mut cut = name.len().min(MAX_NAME);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    &name[..cut]
}

/// FNV-1a, 32 bits: a hash that stays the same across builds and platforms, so that a name
/// never changes under a table.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// The primary key constraint's name.
pub(crate) fn primary_key(table: &str) -> String {
    fit(&format!("pk_{table}"))
}

/// The UNIQUE constraint's name of a single unique column.
pub(crate) fn unique(table: &str, column: &str) -> String {
    fit(&format!("uq_{table}_{column}"))
}

/// The FOREIGN KEY constraint's name of a column.
pub(crate) fn foreign_key(table: &str, column: &str) -> String {
    fit(&format!("fk_{table}_{column}"))
}

/// Every constraint and index name a table declares, with the columns it covers, in the order
/// the DDL creates them.
pub(crate) fn declared(table: &Table) -> Vec<(String, Vec<&'static str>)> {
    let mut out = vec![(
        primary_key(table.name),
        table
            .primary_key
            .iter()
            .map(|&i| table.columns[i].name)
            .collect(),
    )];
    out.extend(
        table
            .columns
            .iter()
            .filter(|c| c.unique)
            .map(|c| (unique(table.name, c.name), vec![c.name])),
    );
    out.extend(
        table
            .columns
            .iter()
            .filter(|c| c.foreign_key.is_some())
            .map(|c| (foreign_key(table.name, c.name), vec![c.name])),
    );
    out.extend(table.checks.iter().map(|c| (fit(c.name), vec![c.column])));
    out.extend(
        table
            .indexes
            .iter()
            .map(|ix| (fit(ix.name), ix.columns.to_vec())),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_with_a_hash() {
        assert_eq!(fit("uq_hero_name"), "uq_hero_name");
        let long = format!("ck_{}_{}_length", "t".repeat(40), "c".repeat(30));
        let fitted = fit(&long);
        assert_eq!(fitted.len(), 63);
        assert!(fitted.starts_with(&long[..54]));
        assert_eq!(fitted, fit(&long), "the same every time");
        let other = format!("ck_{}_{}_length", "t".repeat(40), "d".repeat(30));
        assert_ne!(
            fit(&other),
            fitted,
            "names that share their first bytes stay apart"
        );
        // A cut never splits a character.
        let wide = "é".repeat(40);
        assert!(fit(&wide).len() <= 63);
    }
}
