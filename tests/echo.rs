//! `EngineOptions::echo`: without a `tracing` subscriber each statement is written to stderr;
//! with one, the statements go to the subscriber only. Each case runs in a child process (this
//! test binary, run again with `ECHO_CHILD` naming the case) so that no subscriber installed by
//! another test, and no output capture of the harness, gets in the way.

use std::process::{Command, Output};

use tablemodel::prelude::*;
use tablemodel::{EngineOptions, Result};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "echo_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
}

const CHILD: &str = "ECHO_CHILD";

/// What the child does: an echo engine on SQLite, an insert and a select.
fn insert_and_select() -> Result<()> {
    let engine =
        tablemodel::create_engine_with("sqlite::memory:", &EngineOptions::default().echo(true))?;
    metadata().create_all(&engine)?;
    let mut session = engine.session()?;
    session.add(Hero::new("Deadpond"))?;
    session.commit()?;
    let heroes = session.exec(select::<Hero>())?.all();
    assert_eq!(heroes.len(), 1);
    Ok(())
}

/// The child's entry point: does nothing unless `ECHO_CHILD` is set.
#[test]
fn child() {
    match std::env::var(CHILD).as_deref() {
        Ok("plain") => insert_and_select().unwrap(),
        Ok("subscriber") => {
            tracing_subscriber::fmt()
                .with_writer(std::io::stdout)
                .with_ansi(false)
                .init();
            insert_and_select().unwrap();
        }
        _ => {}
    }
}

/// Runs the `child` test of this binary with `ECHO_CHILD=case`, its output not captured.
fn run_child(case: &str) -> Output {
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, case)
        .env_remove("RUST_LOG")
        .output()
        .expect("run the child");
    assert!(
        output.status.success(),
        "child {case} failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn echoed(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.contains("tablemodel::sql"))
        .collect()
}

#[test]
fn echo_without_subscriber_writes_statements_to_stderr() {
    let output = run_child("plain");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines = echoed(&stderr);
    let insert = lines
        .iter()
        .find(|l| l.contains(r#"INSERT INTO "echo_heroes""#))
        .unwrap_or_else(|| panic!("no INSERT on stderr:\n{stderr}"));
    assert!(
        insert.starts_with("[tablemodel::sql] INSERT INTO"),
        "{insert}"
    );
    assert!(insert.contains(r#"params=[Text("Deadpond")]"#), "{insert}");
    assert!(insert.contains("elapsed_us="), "{insert}");
    assert!(insert.ends_with("rows=1"), "{insert}");
    let select = lines
        .iter()
        .find(|l| l.contains("SELECT") && l.contains(r#"FROM "echo_heroes""#))
        .unwrap_or_else(|| panic!("no SELECT on stderr:\n{stderr}"));
    assert!(select.ends_with("rows=1"), "{select}");
    assert!(lines.iter().any(|l| l.contains("COMMIT")), "{stderr}");
    // Nothing on stdout but the harness's own lines.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(echoed(&stdout).is_empty(), "{stdout}");
}

#[test]
fn echo_with_subscriber_goes_to_the_subscriber_only() {
    let output = run_child("subscriber");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        echoed(&stderr).is_empty(),
        "echo fell back to stderr:\n{stderr}"
    );
    assert!(!stderr.contains("INSERT INTO"), "{stderr}");
    // The subscriber (writing to stdout here) received the same statements as events.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let events = echoed(&stdout);
    assert!(
        events
            .iter()
            .any(|l| l.contains(" INFO ") && l.contains("INSERT INTO") && l.contains("rows=1")),
        "{stdout}"
    );
    assert!(
        events
            .iter()
            .any(|l| l.contains("SELECT") && l.contains("echo_heroes")),
        "{stdout}"
    );
}
