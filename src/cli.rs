//! The migration command line an application builds (feature `cli`): its own
//! `src/bin/migrate.rs` calls [`migrate`], so the models it compares with the database are the
//! application's (Alembic's `alembic` command, diesel's `diesel migration`).
//!
//! ```text
//! migrate generate "add hero rank"   write migrations/<version>_add_hero_rank/{up,down}.sql
//! migrate up                         apply what is pending (a progress bar per migration)
//! migrate down [N]                   undo the last N (default 1)
//! migrate status                     each migration, applied or pending, edited or not
//! migrate sql                        print what `up` would run
//! migrate check                      exit 1 when the models and the migrations disagree
//! migrate diagram                    the models as a Mermaid ER diagram
//! ```
//!
//! `--url` (or `DATABASE_URL`) names the database, `--dir` the migrations directory
//! (`migrations`).

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::migrate::{Migrator, Plan, read_dir, write};
use crate::sql::Catalog;
use crate::{Error, Result, Table};

/// The arguments of the migration command.
#[derive(Debug, Parser)]
#[command(
    name = "migrate",
    about = "Generate, apply and check the database migrations of this application's models"
)]
pub struct Args {
    /// The database URL (`sqlite:app.db`, `postgres://...`).
    #[arg(long, env = "DATABASE_URL")]
    pub url: String,
    /// The migrations directory.
    #[arg(long, default_value = "migrations")]
    pub dir: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// A migration command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a migration from the difference between the models and the migrated database.
    Generate {
        /// What the migration does, in a few words (its directory's name).
        message: String,
    },
    /// Apply every pending migration.
    Up,
    /// Undo the last applied migrations.
    Down {
        /// How many.
        #[arg(default_value_t = 1)]
        n: usize,
    },
    /// List the migrations, applied or pending.
    Status,
    /// Print the SQL `up` would run.
    Sql,
    /// Fail when the models and the migrations disagree (for CI).
    Check,
    /// Print the models as a Mermaid entity-relationship diagram.
    Diagram,
}

/// Runs the migration command on the process's arguments, for the registered models
/// (`tablemodel::metadata()`), printing to stdout; the exit code is 1 on an error or when
/// `check` finds a difference. The whole of an application's `src/bin/migrate.rs`:
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     // Models register themselves when their crate is linked: name one of them.
///     // let _ = <my_app::models::Hero as tablemodel::Model>::TABLE;
///     tablemodel::cli::migrate()
/// }
/// ```
pub fn migrate() -> ExitCode {
    let args = Args::parse();
    let mut out = std::io::stdout().lock();
    match run(&args, crate::metadata().tables(), &mut out) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command for `tables`, writing what it reports to `out`; `Ok(false)` when `check`
/// finds the models and the migrations disagree.
///
/// ```
/// use clap::Parser;
/// use tablemodel::cli::{Args, run};
/// let args = Args::try_parse_from(["migrate", "--url", "sqlite::memory:", "diagram"]).unwrap();
/// let mut out = Vec::new();
/// assert!(run(&args, &[], &mut out)?);
/// assert_eq!(String::from_utf8(out).unwrap(), "erDiagram\n");
/// # Ok::<(), tablemodel::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Migration`] and the database's errors, as the [`Migrator`] and [`Plan`] methods
/// return them; [`Error::Connection`] for a URL no backend takes.
pub fn run(args: &Args, tables: &[&'static Table], out: &mut dyn Write) -> Result<bool> {
    let io = |e: std::io::Error| Error::Migration(format!("cannot write the output: {e}"));
    if let Command::Diagram = args.command {
        let engine = crate::create_engine(&args.url)?;
        write!(
            out,
            "{}",
            Catalog::from_models(tables, engine.dialect()).mermaid()
        )
        .map_err(io)?;
        return Ok(true);
    }
    let generating = matches!(args.command, Command::Generate { .. });
    if !generating && !std::path::Path::new(&args.dir).is_dir() {
        return Err(Error::Migration(format!(
            "no migrations directory {}: run `generate` first, or point --dir at it",
            args.dir
        )));
    }
    let engine = crate::create_engine(&args.url)?;
    let migrator = Migrator::new(&engine, read_dir(&args.dir)?);
    match &args.command {
        Command::Generate { message } => {
            if let Some(first) = migrator.pending()?.first() {
                return Err(Error::Migration(format!(
                    "{} is not applied: run `up` before generating, so that the new migration starts where the others end",
                    first.name
                )));
            }
            let plan = Plan::generate(&engine, tables)?;
            if plan.is_empty() {
                writeln!(
                    out,
                    "the models and the database agree: nothing to generate"
                )
                .map_err(io)?;
            } else {
                let migration = write(&args.dir, message, &plan)?;
                writeln!(
                    out,
                    "wrote {}/{}: review up.sql and down.sql, then run `up`",
                    args.dir, migration.name
                )
                .map_err(io)?;
                for step in &plan.up {
                    writeln!(out, "  {}", step.comment).map_err(io)?;
                }
            }
        }
        Command::Up => {
            let bar = indicatif::ProgressBar::new(migrator.pending()?.len() as u64);
            let applied = migrator.up_with_progress(|name, done, _| {
                bar.set_position(done as u64);
                bar.set_message(name.to_owned());
            })?;
            bar.finish_and_clear();
            if applied.is_empty() {
                writeln!(out, "nothing to apply").map_err(io)?;
            }
            for name in applied {
                writeln!(out, "applied {name}").map_err(io)?;
            }
        }
        Command::Down { n } => {
            for name in migrator.down(*n)? {
                writeln!(out, "undid {name}").map_err(io)?;
            }
        }
        Command::Status => {
            for status in migrator.status()? {
                let state = match (&status.applied_at, status.edited) {
                    (Some(_), true) => "applied, EDITED since",
                    (Some(_), false) => "applied",
                    (None, _) => "pending",
                };
                writeln!(out, "{:<8} {}", state, status.name).map_err(io)?;
            }
        }
        Command::Sql => write!(out, "{}", migrator.pending_sql()?).map_err(io)?,
        Command::Check => match migrator.check(tables)? {
            None => writeln!(out, "the models and the migrations agree").map_err(io)?,
            Some(plan) => {
                writeln!(
                    out,
                    "the models and the migrations disagree: run `generate`; the migration would:"
                )
                .map_err(io)?;
                for step in &plan.up {
                    writeln!(out, "  {}", step.comment).map_err(io)?;
                }
                return Ok(false);
            }
        },
        Command::Diagram => unreachable!("handled above"),
    }
    Ok(true)
}
