//! A schema drawn as a Mermaid entity-relationship diagram: its tables, their columns with
//! types and keys, and the relationships its foreign keys make, with their cardinality.

use std::fmt::Write;

use crate::sql::catalog::{Catalog, TableInfo};

impl Catalog {
    /// The schema as a Mermaid `erDiagram`: one entity per table (columns with their type and
    /// `PK`, `FK`, `UK` markers), one relationship per foreign key, drawn from the referenced
    /// table to the referencing one: `||--o{` (each row of the child has a parent), `|o--o{`
    /// (a nullable key: a child may have none), `||--o|` or `|o--o|` when the key is unique
    /// (one to one). Paste it into any Markdown renderer that draws Mermaid.
    ///
    /// ```
    /// use model_core::sql::{Catalog, ColumnInfo, TableInfo};
    /// let column = |name: &str, sql_type: &str| ColumnInfo {
    ///     name: name.into(), sql_type: sql_type.into(), nullable: false, default: None, generated: false,
    ///     renamed_from: None,
    /// };
    /// let team = TableInfo {
    ///     name: "team".into(), columns: vec![column("id", "bigint")], primary_key: vec!["id".into()],
    ///     uniques: vec![], indexes: vec![], foreign_keys: vec![], checks: vec![], renamed_from: None,
    /// };
    /// let catalog = Catalog { tables: vec![team] };
    /// assert_eq!(catalog.mermaid(), "erDiagram\n    team {\n        bigint id PK\n    }\n");
    /// ```
    pub fn mermaid(&self) -> String {
        let mut out = String::from("erDiagram\n");
        for table in &self.tables {
            entity(&mut out, table);
        }
        for table in &self.tables {
            for fk in &table.foreign_keys {
                let nullable = fk
                    .columns
                    .iter()
                    .any(|c| table.column(c).is_some_and(|c| c.nullable));
                let one_to_one = table.uniques.iter().any(|u| u.columns == fk.columns)
                    || table.primary_key == fk.columns;
                let parent = if nullable { "|o" } else { "||" };
                let child = if one_to_one { "o|" } else { "o{" };
                let _ = writeln!(
                    out,
                    "    {} {parent}--{child} {} : \"{}\"",
                    ident(&fk.referenced_table),
                    ident(&table.name),
                    fk.columns.join(", ")
                );
            }
        }
        out
    }
}

fn entity(out: &mut String, table: &TableInfo) {
    let _ = writeln!(out, "    {} {{", ident(&table.name));
    for column in &table.columns {
        let mut keys = Vec::new();
        if table.primary_key.contains(&column.name) {
            keys.push("PK");
        }
        if table
            .foreign_keys
            .iter()
            .any(|fk| fk.columns.contains(&column.name))
        {
            keys.push("FK");
        }
        if table
            .uniques
            .iter()
            .any(|u| u.columns == std::slice::from_ref(&column.name))
        {
            keys.push("UK");
        }
        let _ = write!(
            out,
            "        {} {}",
            column.sql_type.replace(' ', "_"),
            ident(&column.name)
        );
        if !keys.is_empty() {
            let _ = write!(out, " {}", keys.join(", "));
        }
        out.push('\n');
    }
    out.push_str("    }\n");
}

/// A name as a Mermaid identifier: letters, digits, `_` and `-` as they are; anything else
/// `_`.
fn ident(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
