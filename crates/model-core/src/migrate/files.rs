//! Versioned migrations as files people review and edit: `migrations/<version>_<slug>/up.sql`
//! and `down.sql`, one directory per migration, applied in name order (the version is a UTC
//! timestamp, so name order is the order they were generated in).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::migrate::plan::Plan;
use crate::sql::error::{Error, Result};

/// One migration: its name (the directory's, `20261130201500_add_hero_rank`), the SQL that
/// applies it and the SQL that undoes it.
///
/// ```
/// use model_core::migrate::Migration;
/// let m = Migration::new("20261130201500_add_rank", "ALTER TABLE hero ADD COLUMN rank INTEGER;", "");
/// assert_eq!(m.version(), "20261130201500");
/// assert_eq!(m.checksum().len(), 64);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The directory's name: the version, `_`, a slug of the message.
    pub name: String,
    /// `up.sql`.
    pub up: String,
    /// `down.sql`.
    pub down: String,
}

impl Migration {
    /// A migration from its parts (what [`embed_migrations!`](crate::embed_migrations) builds).
    pub fn new(name: impl Into<String>, up: impl Into<String>, down: impl Into<String>) -> Self {
        Migration {
            name: name.into(),
            up: up.into(),
            down: down.into(),
        }
    }

    /// The version: the name up to its first `_`.
    pub fn version(&self) -> &str {
        self.name.split('_').next().unwrap_or(&self.name)
    }

    /// The SHA-256 of `up.sql`, in hex: recorded when the migration is applied, so that an
    /// applied migration edited afterwards is noticed. Line endings count as `\n`, so that a
    /// checkout that turns them into `\r\n` is not an edit.
    pub fn checksum(&self) -> String {
        Sha256::digest(self.up.replace("\r\n", "\n").as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// The migrations in `dir`, in name order: every subdirectory holding an `up.sql` (its
/// `down.sql` may be missing: such a migration cannot be undone). A directory that does not
/// exist holds none.
///
/// # Errors
///
/// [`Error::Migration`] when a directory cannot be read or a migration directory has no
/// `up.sql`.
pub fn read_dir(dir: impl AsRef<Path>) -> Result<Vec<Migration>> {
    let dir = dir.as_ref();
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let unreadable = |e: std::io::Error, path: &Path| {
        Error::Migration(format!("cannot read {}: {e}", path.display()))
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(e, dir))? {
        let entry = entry.map_err(|e| unreadable(e, dir))?;
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let up_path = path.join("up.sql");
        if !up_path.exists() {
            return Err(Error::Migration(format!(
                "{} has no up.sql: a migration directory holds up.sql and down.sql",
                path.display()
            )));
        }
        let up = std::fs::read_to_string(&up_path).map_err(|e| unreadable(e, &up_path))?;
        let down_path = path.join("down.sql");
        let down = if down_path.exists() {
            std::fs::read_to_string(&down_path).map_err(|e| unreadable(e, &down_path))?
        } else {
            String::new()
        };
        out.push(Migration {
            name: entry.file_name().to_string_lossy().into_owned(),
            up,
            down,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Writes `plan` as a new migration in `dir`: `<version>_<slug>/up.sql` and `down.sql`, the
/// version the current UTC time (`%Y%m%d%H%M%S`, one second after the last migration's if
/// that is later), the slug the message in lower case with `_` between words.
///
/// # Errors
///
/// [`Error::Migration`] when the files cannot be written.
pub fn write(dir: impl AsRef<Path>, message: &str, plan: &Plan) -> Result<Migration> {
    let dir = dir.as_ref();
    let existing = read_dir(dir)?;
    let mut version: u64 = chrono::Utc::now()
        .format("%Y%m%d%H%M%S")
        .to_string()
        .parse()
        .unwrap_or_default();
    if let Some(last) = existing
        .last()
        .and_then(|m| m.version().parse::<u64>().ok())
        && last >= version
    {
        version = last + 1;
    }
    let slug: Vec<String> = message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let name = if slug.is_empty() {
        version.to_string()
    } else {
        format!("{version}_{}", slug.join("_"))
    };
    let migration = Migration {
        name: name.clone(),
        up: format!("-- {message}\n\n{}", plan.up_sql()),
        down: format!("-- Undoes: {message}\n\n{}", plan.down_sql()),
    };
    let path = dir.join(&name);
    let failed =
        |e: std::io::Error| Error::Migration(format!("cannot write {}: {e}", path.display()));
    std::fs::create_dir_all(&path).map_err(failed)?;
    std::fs::write(path.join("up.sql"), &migration.up).map_err(failed)?;
    std::fs::write(path.join("down.sql"), &migration.down).map_err(failed)?;
    Ok(migration)
}
