//! What the examples share: the database they run on.

use tablemodel::EngineOptions;
use tablemodel::prelude::*;

/// The example's database: `DATABASE_URL` when set (its tables dropped first, so the example
/// can run again), otherwise a SQLite file in a temporary directory, removed with the returned
/// guard, which comes first so that, bound first, it is dropped after the engine. `ECHO=1` logs every statement.
pub fn open(name: &str) -> Result<(Option<tempfile::TempDir>, Engine), Box<dyn std::error::Error>> {
    let echo = std::env::var("ECHO").is_ok();
    if echo {
        // The engine logs each statement through `tracing` (target `tablemodel::sql`).
        tracing_subscriber::fmt()
            .without_time()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init();
    }
    let options = EngineOptions::default().echo(echo);
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let engine = tablemodel::create_engine_with(&url, &options)?;
        println!("database: {} at DATABASE_URL", engine.dialect().name());
        metadata().drop_all(&engine)?;
        println!("dropped the tables of a previous run, if any");
        return Ok((None, engine));
    }
    let dir = tempfile::Builder::new()
        .prefix(&format!("tablemodel-{name}-"))
        .tempdir_in(std::env::temp_dir())?;
    let path = dir.path().join(format!("{name}.db"));
    let engine =
        tablemodel::create_engine_with(&format!("sqlite:///{}", path.display()), &options)?;
    println!("database: SQLite file {}", path.display());
    Ok((Some(dir), engine))
}
