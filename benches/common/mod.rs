//! What the benchmarks share: the PostgreSQL server they run on and criterion's settings.
#![allow(dead_code)]

use std::time::Duration;

use criterion::Criterion;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The server at `TABLEMODEL_POSTGRES_URL` (default [`DEFAULT_POSTGRES_URL`]) when it answers.
/// Without one, `what` is skipped with a message; with `CI=true` that is an error.
pub fn postgres_server(what: &str) -> Option<String> {
    let url = std::env::var("TABLEMODEL_POSTGRES_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned());
    match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(_) => Some(url),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true and no PostgreSQL server at {url}: {e}")
        }
        Err(e) => {
            eprintln!("{what} skipped: no PostgreSQL server at {url} ({e})");
            None
        }
    }
}

/// Criterion's defaults, or with `BENCH_QUICK=1` a short run (0.3 s warm-up, `measurement`,
/// 10 samples); command-line options still apply on top.
pub fn config(measurement: Duration) -> Criterion {
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let c = Criterion::default();
    if quick {
        c.warm_up_time(Duration::from_millis(300))
            .measurement_time(measurement)
            .sample_size(10)
    } else {
        c
    }
}
