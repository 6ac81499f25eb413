//! SQLite URLs as SQLAlchemy reads them, parsed by the `url` crate.
//!
//! | URL | Database |
//! |-----|----------|
//! | `sqlite://`, `sqlite::memory:`, `sqlite:///:memory:` | in memory |
//! | `sqlite:///app.db`, `sqlite:app.db`, `sqlite://app.db` | `app.db`, relative to the working directory |
//! | `sqlite:////var/data/app.db` | `/var/data/app.db` |
//!
//! One query parameter is understood, `mode`: `ro` (read-only), `rw` (read-write, the file must
//! exist), `rwc` (read-write, created if missing: the default) or `memory`. Any other parameter
//! is refused, so that a misspelt option cannot be silently ignored.

use std::path::PathBuf;

use model_core::{Error, Result};
use percent_encoding::percent_decode_str;
use rusqlite::OpenFlags;

/// Where a SQLite URL points, and how to open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The file, or `None` for a private in-memory database.
    pub(crate) path: Option<PathBuf>,
    /// `mode=ro`: the connections cannot write.
    pub(crate) read_only: bool,
    /// `mode=rw`: the file must exist already.
    pub(crate) must_exist: bool,
}

impl Target {
    /// The flags rusqlite opens a connection with.
    pub(crate) fn flags(&self) -> OpenFlags {
        let base = OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if self.read_only {
            base | OpenFlags::SQLITE_OPEN_READ_ONLY
        } else if self.must_exist {
            base | OpenFlags::SQLITE_OPEN_READ_WRITE
        } else {
            base | OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        }
    }
}

fn refused(url: &str, why: impl std::fmt::Display) -> Error {
    Error::Connection(format!("{url}: {why}"))
}

/// Parses a `sqlite:` URL.
pub(crate) fn parse(url: &str) -> Result<Target> {
    let parsed = url::Url::parse(url).map_err(|e| refused(url, e))?;
    if parsed.scheme() != "sqlite" {
        return Err(refused(url, "not a sqlite URL"));
    }
    let mut read_only = false;
    let mut must_exist = false;
    let mut memory = false;
    for (name, value) in parsed.query_pairs() {
        match (name.as_ref(), value.as_ref()) {
            ("mode", "ro") => read_only = true,
            ("mode", "rw") => must_exist = true,
            ("mode", "rwc") => {}
            ("mode", "memory") => memory = true,
            ("mode", other) => {
                return Err(refused(
                    url,
                    format!("unknown mode `{other}` (ro, rw, rwc or memory)"),
                ));
            }
            (other, _) => {
                return Err(refused(
                    url,
                    format!("unknown parameter `{other}` (only `mode` is understood)"),
                ));
            }
        }
    }
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|p| p.into_owned())
            .map_err(|e| refused(url, e))
    };
    // The path is taken from the URL as written: the `url` crate resolves `.` and `..`
    // segments, which would move a relative path. `sqlite:app.db` has no authority: its path is
    // the file. After `sqlite://` comes an empty authority, whose closing slash only separates
    // it from the path (SQLAlchemy's rule): `sqlite:///app.db` is relative, `sqlite:////abs`
    // absolute. `sqlite://app.db` (an authority and no slash) reads as `app.db` too.
    let written = &url["sqlite:".len()..];
    let written = written.split(['?', '#']).next().unwrap_or_default();
    let path = match written.strip_prefix("//") {
        Some(after) => decode(after.strip_prefix('/').unwrap_or(after))?,
        None => decode(written)?,
    };
    let memory = memory || path.is_empty() || path == ":memory:";
    Ok(Target {
        path: (!memory).then(|| PathBuf::from(path)),
        read_only,
        must_exist,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(url: &str) -> Option<String> {
        parse(url)
            .unwrap()
            .path
            .map(|p| p.to_string_lossy().into_owned())
    }

    #[test]
    fn paths_follow_sqlalchemy() {
        assert_eq!(path("sqlite://"), None);
        assert_eq!(path("sqlite::memory:"), None);
        assert_eq!(path("sqlite:///:memory:"), None);
        assert_eq!(path("sqlite:///app.db").as_deref(), Some("app.db"));
        assert_eq!(path("sqlite:///./app.db").as_deref(), Some("./app.db"));
        assert_eq!(
            path("sqlite:///data/app.db").as_deref(),
            Some("data/app.db")
        );
        assert_eq!(
            path("sqlite:////var/app.db").as_deref(),
            Some("/var/app.db")
        );
        assert_eq!(path("sqlite:app.db").as_deref(), Some("app.db"));
        assert_eq!(path("sqlite://app.db").as_deref(), Some("app.db"));
        assert_eq!(path("sqlite://data/app.db").as_deref(), Some("data/app.db"));
        assert_eq!(
            path("sqlite:////tmp/a%20b.db").as_deref(),
            Some("/tmp/a b.db")
        );
        assert_eq!(path("sqlite:///../up.db").as_deref(), Some("../up.db"));
        assert_eq!(
            path("sqlite:///./app.db?mode=rwc").as_deref(),
            Some("./app.db")
        );
    }

    #[test]
    fn modes_and_unknown_parameters() {
        let ro = parse("sqlite:///app.db?mode=ro").unwrap();
        assert!(ro.read_only && ro.flags().contains(OpenFlags::SQLITE_OPEN_READ_ONLY));
        let rw = parse("sqlite:///app.db?mode=rw").unwrap();
        assert!(!rw.flags().contains(OpenFlags::SQLITE_OPEN_CREATE));
        let rwc = parse("sqlite:///app.db?mode=rwc").unwrap();
        assert!(rwc.flags().contains(OpenFlags::SQLITE_OPEN_CREATE));
        assert_eq!(parse("sqlite:///app.db?mode=memory").unwrap().path, None);
        for bad in [
            "sqlite:///app.db?mode=rx",
            "sqlite:///app.db?cache=shared",
            "sqlite:///app.db?journal=wal",
            "postgres://localhost/db",
        ] {
            assert!(matches!(parse(bad), Err(Error::Connection(_))), "{bad}");
        }
    }
}
