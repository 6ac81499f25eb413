//! SQL injection: a corpus of classic payloads, each bound in every value position the library
//! offers, stays data. No payload executes (the sentinel table keeps its rows and no table
//! appears or goes), each round-trips exactly, `eq` finds exactly its rows, and the pattern
//! operators match their argument literally (`%` and `_` match only themselves in `contains`,
//! `starts_with` and `ends_with`; `like` follows LIKE with `\` as escape). Identifiers that are
//! SQL keywords or hold quotes, spaces, placeholders and comment markers keep working through
//! add, get, select, update, upsert, delete and hand-written SQL.
//!
//! Positions, per payload: `session.add` (two columns), `insert([..])`, `session.add` of a
//! loaded row (two columns), `update().set(..)`, `update().set(..).where_(eq)`, `raw_execute`
//! binds, upsert inserting and upserting on the payload as conflict key, a duplicate key's
//! `UniqueViolation`, `eq`, `ne`, `in_`, `not_in`, `contains`, `starts_with`, `ends_with`,
//! `like`, `ilike`, raw `?` binds (a filter and an echo), `eq` on the `Option` column, a lookup
//! by key, `delete().where_(..)` twice, and one `in_`/`not_in` list of the whole corpus.
//!
//! Values SQLite or PostgreSQL cannot take there are refused with `Error::InvalidValue` and the
//! session goes on: on SQLite a LIKE pattern longer than 50 000 bytes ("pattern too complex"),
//! on PostgreSQL a unique key too large for its index (class 54). A unique violation names the
//! table and columns exactly, dots, `, ` and quotes in their names included.
//!
//! The tests at the end pin down, as minimal cases, library bugs these checks found and that
//! are now fixed.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use common::{Backend, TestDb};
use tablemodel::Column;
use tablemodel::prelude::*;

// ---------------------------------------------------------------------------------------------
// Models.

/// The table that an executed payload would drop, empty or change.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "inj_sentinel")]
pub struct Sentinel {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
}

const SENTINELS: [&str; 3] = ["alpha", "beta", "gamma"];

/// The rows payloads are written to: `k` is unique (the upsert's conflict target).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "inj_rows")]
pub struct Row {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub k: String,
    pub body: String,
    pub note: Option<String>,
}

fn row(k: &str, body: &str, note: Option<&str>) -> Row {
    Row {
        id: None,
        k: k.to_owned(),
        body: body.to_owned(),
        note: note.map(str::to_owned),
    }
}

/// A table and columns named by SQL keywords, one of them the key; a text default that reads
/// like SQL, a CHECK on a keyword column and an index on another.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "select", index(group_, order_))]
pub struct Keywords {
    #[model(primary_key, column = "where")]
    pub id: Option<i64>,
    #[model(column = "from", unique)]
    pub from_: String,
    #[model(column = "order")]
    pub order_: Option<String>,
    #[model(column = "group", index)]
    pub group_: i64,
    #[model(column = "user", default = "current_user")]
    pub user_: String,
    #[model(column = "table")]
    #[validate(length(max = 40))]
    pub table_: String,
}

/// A table and columns whose names hold double and single quotes, spaces, `?` and `$1`
/// placeholders, comment markers, a statement terminator and mixed case.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "we\"ird 'tab le'; --")]
pub struct Weird {
    #[model(primary_key, column = "i\"d")]
    pub id: Option<i64>,
    #[model(column = "na\"me", unique)]
    pub name: String,
    #[model(column = "col umn ? $1 /*")]
    pub spaced: Option<String>,
    #[model(
        column = "'); DROP TABLE inj_sentinel; --",
        default = "it's a \\ default -- /* */ $$"
    )]
    pub dangerous: String,
    #[model(column = "MiXeD", index)]
    #[validate(range(min = -1000, max = 1000))]
    pub mixed: i32,
}

/// A table whose name holds a dot, with a unique column whose name holds `.` and `, `: the
/// separators of SQLite's constraint messages.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "dot.ted")]
pub struct Dotted {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(column = "x.y, z", unique)]
    pub xy: String,
}

// ---------------------------------------------------------------------------------------------
// The corpus.

/// Classic payloads, written out.
#[rustfmt::skip]
const CLASSIC: &[&str] = &[
    // Quotes and their escapes.
    "'", "''", "'''", "\\'", "\\''", "\\\\'", "\"", "\"\"", "`", "'\"`", "\\", "\\\\", "\\\\\\",
    "\\\"",
    // Terminators and comments.
    ";", ";;", "--", "-- -", "--\n", "#", "/*", "*/", "/* */", "/*/", "*/*", "/*!50000 SELECT */",
    "/* /* nested */", "*/ DROP TABLE inj_sentinel; /*",
    // Tautologies.
    "' OR '1'='1", "' OR '1'='1' --", "' OR '1'='1' /*", "' OR 1=1 --", "' OR 1=1#",
    "\" OR \"1\"=\"1", "') OR ('1'='1", "')) OR (('1'='1", "' OR ''='", "' OR 'x'='x",
    "1' OR '1'='1", "1 OR 1=1", "1) OR (1=1", "' OR 1 IN (SELECT 1) --", "' OR EXISTS(SELECT 1) --",
    "admin'--", "admin' #", "admin'/*", "' AND 1=0 --", "' GROUP BY 1 HAVING 1=1 --",
    "1' ORDER BY 1--", "1' ORDER BY 99--",
    // Stacked statements.
    "'; DROP TABLE inj_sentinel; --", "\"; DROP TABLE inj_sentinel; --",
    "'); DROP TABLE inj_sentinel; --", "')); DROP TABLE inj_sentinel; --",
    "1; DROP TABLE inj_sentinel", "1; DROP TABLE inj_sentinel --",
    "'; DELETE FROM inj_sentinel; --", "'; DELETE FROM inj_rows; --",
    "'; UPDATE inj_sentinel SET name = 'pwned'; --", "'; UPDATE inj_rows SET body = 'pwned'; --",
    "'; INSERT INTO inj_sentinel (name) VALUES ('pwned'); --",
    "'; CREATE TABLE pwned (x INTEGER); --", "'; ALTER TABLE inj_sentinel RENAME TO pwned; --",
    "'; TRUNCATE inj_sentinel; --", "'; DROP TABLE IF EXISTS inj_sentinel CASCADE; --",
    "'; BEGIN; DROP TABLE inj_sentinel; COMMIT; --", "'; COMMIT; DROP TABLE inj_sentinel; --",
    "'; ROLLBACK; --", "'; COMMIT; --", "'; END; --", "'; SAVEPOINT x; --", "'; VACUUM; --",
    "'; PRAGMA writable_schema = 1; --", "'; PRAGMA foreign_keys = OFF; --",
    "'; ATTACH DATABASE '/tmp/tablemodel_pwned.db' AS pwned; --",
    "'; COPY inj_sentinel TO '/tmp/tablemodel_pwned'; --", "'; SET search_path = pg_catalog; --",
    "'; RESET ALL; --", "'; LISTEN x; NOTIFY x; --",
    "'; DO $$ BEGIN DROP TABLE inj_sentinel; END $$; --",
    "'; CREATE FUNCTION pwned() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql; --",
    "'; GRANT ALL ON inj_sentinel TO PUBLIC; --", "'; SELECT pg_sleep(10); --",
    "'; SELECT pg_terminate_backend(pg_backend_pid()); --", "' ; SELECT 1; --",
    "'\n; DROP TABLE inj_sentinel; --", "'\r\n; DROP TABLE inj_sentinel; --",
    "-- \n DROP TABLE inj_sentinel", "/* \n */ DROP TABLE inj_sentinel",
    // UNION and subqueries.
    "' UNION SELECT 1, name, name, name FROM inj_sentinel --",
    "' UNION ALL SELECT NULL, NULL, NULL, NULL --", "' UNION SELECT sqlite_version() --",
    "' UNION SELECT version() --", "' UNION SELECT name FROM sqlite_master --",
    "' UNION SELECT table_name FROM information_schema.tables --", "1 UNION SELECT 1",
    "' AND 1=(SELECT COUNT(*) FROM inj_sentinel) --",
    "'||(SELECT name FROM inj_sentinel LIMIT 1)||'",
    "' || (SELECT string_agg(name, ',') FROM inj_sentinel) || '", "'||pg_sleep(10)||'",
    "' AND SLEEP(10)--", "1'; WAITFOR DELAY '0:0:10'--", "'; EXEC xp_cmdshell('dir'); --",
    "' AND extractvalue(1, concat(0x7e, version())) --", "' || '", "'+'", "' + CHAR(39) + '",
    "inj_sentinel", "\"inj_sentinel\"", "SELECT * FROM inj_sentinel",
    "'; SELECT * FROM inj_sentinel WHERE 'a'='a", "\\'; DROP TABLE inj_sentinel; --",
    "\\\"; DROP TABLE inj_sentinel; --", "''; DROP TABLE inj_sentinel; --",
    "%'; DROP TABLE inj_sentinel; --", "_'; DROP TABLE inj_sentinel; --",
    "?; DROP TABLE inj_sentinel; --", "$1; DROP TABLE inj_sentinel; --",
    // Dollar quoting, placeholders, casts.
    "$$", "$$$$", "$$; DROP TABLE inj_sentinel; $$", "$tag$", "$tag$ ' $tag$", "$_$", "$1", "$2",
    "$0", "$99999", "$1::text", "?", "??", "?1", "?999", "? OR 1=1", ":name", ":1", "@name",
    "@@version", "::text", "'::text", "1::int", "E'\\''", "E'\\x27'", "e'\\\\'", "U&'\\0027'",
    "U&\"\\0027\"", "N'x'", "X'41'", "x'00'", "B'101'", "0x27", "CHAR(39)", "CHR(39)", "char(0)",
    // LIKE syntax.
    "%", "%%", "_", "__", "%_%", "_%_", "\\%", "\\_", "\\\\%", "%\\", "_\\", "a%b_c\\d", "[a-z]",
    "[%]", "[_]", "[^a]", "^", "*", "?*", "ESCAPE '\\'", "' ESCAPE '", "' ESCAPE '%' --",
    "%' ESCAPE '!", "%' OR '%'='",
    // Keywords and literals.
    "NULL", "null", "Null", "'NULL'", "NOT NULL", "IS NULL", "TRUE", "FALSE", "true", "false",
    "DEFAULT", "CURRENT_USER", "current_timestamp", "SELECT", "DROP", "rowid", "oid",
    // Numbers as text.
    "0", "00", "-0", "+0", "1", "-1", "+1", "1.0", "1.", ".1", "1e10", "1E-10", "1e309", "-1e309",
    "NaN", "nan", "Infinity", "-Infinity", "inf", "0x10", "0b101", "0o17", "1_000", "1,000", " 42",
    "42 ", " 42 ", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551616", "3.141592653589793238462643383279", "0.1e-999",
    "1/0", "0/0",
    // JSON fragments.
    "{}", "[]", "{\"a\": 1}", "{\"a\": \"'; DROP TABLE inj_sentinel; --\"}", "{\"$gt\": \"\"}",
    "{\"$where\": \"1 == 1\"}", "[\"'\", \"\\\"\"]", "[1, 2, 3]", "{\"a\": null}", "\"quoted\"",
    "{'a': 1}", "{\"a\":", "]}", "\\u0000", "\\u0027", "\\x27", "\\x00", "\\0", "\\n", "\\r\\n",
    "\\b\\f\\t",
    // Other escapes and encodings.
    "%27", "%2527", "%00", "%%27", "&#39;", "&apos;", "&#x27;", "\\047",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "${jndi:ldap://x/a}", "{{7*7}}",
    "#{7*7}", "../../etc/passwd", "C:\\Windows\\System32", "| cat /etc/passwd", "`id`", "$(id)",
    // Whitespace and invisible characters.
    "", " ", "  ", "\t", "\n", "\r", "\r\n", "\u{85}", "\u{a0}", "\u{2028}", "\u{2029}", "\u{200b}",
    "\u{200d}", "\u{feff}", "\u{feff}'", "\u{1b}[31mred\u{1b}[0m",
    // Unicode quotes and look-alikes.
    "\u{2019}", "\u{2018}", "\u{02bc}", "\u{02b9}", "\u{201c}", "\u{201d}", "\u{ff07}", "\u{ff02}",
    "\u{055a}", "\u{05f3}", "\u{a78c}", "\u{2032}", "\u{ff1b}", "\u{037e}",
    "\u{2019} OR \u{2019}1\u{2019}=\u{2019}1", "\u{02bc}; DROP TABLE inj_sentinel; --",
    "\u{ff07}; DROP TABLE inj_sentinel; --", "\u{fe63}\u{fe63}", "\u{2013}\u{2013}", "\u{ff05}",
    "\u{ff3f}", "\u{ff3c}", "\u{c0}\u{a7}", "\u{e9}'\u{e9}", "Robert'); DROP TABLE Students;--",
];

/// Quote contexts and what follows them, crossed.
const BREAKERS: &[&str] = &[
    "'", "\"", "')", "\")", "'))", "\\'", "''", "`", "\u{2019}", "\u{02bc}", "$$", "1", "", "%'",
];
const TAILS: &[&str] = &[
    " OR '1'='1",
    "; DROP TABLE inj_sentinel; --",
    "; DELETE FROM inj_sentinel; --",
    " UNION SELECT name FROM inj_sentinel --",
    "; SELECT 1 /*",
    " AND 1=0 --",
    "; UPDATE inj_sentinel SET name = 'x' --",
    " --",
    " /*",
    " #",
];

/// Statements a payload may try to smuggle in, and what may separate them from the value.
const STATEMENTS: &[&str] = &[
    "DROP TABLE inj_sentinel",
    "DELETE FROM inj_sentinel",
    "UPDATE inj_sentinel SET name = 'x'",
    "INSERT INTO inj_sentinel (name) VALUES ('x')",
    "CREATE TABLE pwned (x INTEGER)",
    "SELECT 1",
];
const SEPARATORS: &[&str] = &["'; ", "';\n", "'\n;", "');", "\\';", "'/**/;", "'; -- x\n;"];

/// Comment syntaxes of SQLite and PostgreSQL, and what may follow them.
const COMMENTS: &[&str] = &[
    "--", "-- ", "--\r\n", "#", "/*", "*/", "/**/", "/*!*/", "/* /* */", ";--", "';--", "'/*",
];

/// Every payload, each once: the classics, quote contexts crossed with tails, smuggled
/// statements, comments, control characters alone and inside quotes, and long strings (up to
/// 10 000 bytes; longer ones are in `long_corpus`).
fn corpus() -> Vec<String> {
    let mut all: Vec<String> = CLASSIC.iter().map(|s| (*s).to_owned()).collect();
    for b in BREAKERS {
        for t in TAILS {
            all.push(format!("{b}{t}"));
        }
    }
    for sep in SEPARATORS {
        for st in STATEMENTS {
            all.push(format!("{sep}{st}; --"));
        }
    }
    for c in COMMENTS {
        for tail in ["", " x", "'", "\n'"] {
            all.push(format!("{c}{tail}"));
        }
    }
    for c in (1_u8..0x20).chain([0x7f]) {
        let c = char::from(c);
        all.push(c.to_string());
        all.push(format!("a{c}'{c}b"));
    }
    #[rustfmt::skip]
    all.extend([
        "'".repeat(10_000), "\"".repeat(4_097), "\\".repeat(4_097), "%".repeat(5_000),
        "_".repeat(5_000), "?".repeat(2_000), "$1".repeat(1_000),
        "'; DROP TABLE inj_sentinel; --".repeat(300), "\u{2019}".repeat(3_000), "9".repeat(400),
    ]);
    let mut seen = HashSet::new();
    all.retain(|p| seen.insert(p.clone()));
    assert!(
        all.iter().all(|p| !p.contains('\0')),
        "the corpus is NUL-free"
    );
    all
}

/// Very long payloads, in a database of their own (each filter reads every row, and these
/// would make the corpus' thousands of queries slow): 65 536 and 100 000 bytes, a mebibyte.
fn long_corpus() -> Vec<String> {
    vec![
        format!("{}'", "x".repeat(65_535)),
        "\u{e9}".repeat(24_999), // 49 998 bytes: just short of SQLite's limit
        "a".repeat(100_000),     // longer than SQLite's LIKE patterns may be: refused there
        "'; DROP TABLE inj_sentinel; --".repeat(4_000),
        "%_\\".repeat(20_000),
        "\u{2019}'".repeat(1 << 18), // 1 MiB: too large a key for PostgreSQL's unique index
    ]
}

// ---------------------------------------------------------------------------------------------
// References: what the database must answer, computed in Rust.

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Any,
    One,
    Lit(char),
}

/// A LIKE pattern with `\` as escape; `None` when it ends in a lone escape.
fn like_tokens(pattern: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => Tok::Lit(chars.next()?),
            '%' => Tok::Any,
            '_' => Tok::One,
            c => Tok::Lit(c),
        });
    }
    Some(out)
}

/// LIKE, case-sensitive, `_` one character: greedy, backtracking to the last `%`.
fn like_match(toks: &[Tok], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = match toks.get(p) {
            Some(Tok::Any) => {
                star = Some((p + 1, t));
                p += 1;
                continue;
            }
            Some(Tok::One) => true,
            Some(Tok::Lit(c)) => *c == text[t],
            None => false,
        };
        if step {
            (p, t) = (p + 1, t + 1);
        } else if let Some((sp, st)) = star {
            (p, t) = (sp, st + 1);
            star = Some((sp, t));
        } else {
            return false;
        }
    }
    toks[p..].iter().all(|k| *k == Tok::Any)
}

#[test]
fn like_reference_matches_like() {
    let m = |p: &str, t: &str| like_match(&like_tokens(p).unwrap(), &t.chars().collect::<Vec<_>>());
    assert!(m("a%", "abc") && m("%c", "abc") && m("%b%", "abc") && m("a_c", "abc"));
    assert!(!m("a_", "abc") && !m("b%", "abc") && !m("\\%", "a") && m("\\%", "%"));
    assert!(m("%%", "") && !m("_", "") && m("a\\_b", "a_b") && !m("a\\_b", "axb"));
    assert!(m("%a%a%", "xaxa") && !m("%a%a%", "xa") && m("\\\\", "\\"));
    assert!(like_tokens("ab\\").is_none());
}

/// The rows the database must hold: by key, `(body, note)`.
type Reference = BTreeMap<String, (String, Option<String>)>;

// ---------------------------------------------------------------------------------------------
// Checks that nothing executed.

fn tables(db: &TestDb) -> Result<Vec<String>> {
    let sql = match db.backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() ORDER BY 1"
        }
    };
    let mut s = db.engine.session()?;
    Ok(s.exec(raw::<String>(sql))?.all())
}

/// The sentinel has its rows, the tables are the ones created, and `inj_rows` holds exactly the
/// reference.
fn intact(db: &TestDb, what: &str, tables_before: &[String], reference: &Reference) -> Result<()> {
    let mut s = db.engine.session()?;
    let q = select::<Sentinel>().order_by(Sentinel::id);
    let names: Vec<String> = s.exec(q.columns(Sentinel::name))?.all();
    assert_eq!(names, SENTINELS, "{what}: the sentinel changed");
    assert_eq!(tables(db)?, tables_before, "{what}: the tables changed");
    let q = select::<Row>().columns((Row::k, Row::body, Row::note));
    let mut stored: Vec<(String, String, Option<String>)> = s.exec(q)?.all();
    stored.sort();
    assert_eq!(stored.len(), reference.len(), "{what}: rows of inj_rows");
    for ((k, body, note), (rk, (rbody, rnote))) in stored.iter().zip(reference) {
        let show = |k, b, n| format!("({}, {}, {})", short(k), short(b), short_opt(n));
        assert!(
            k == rk && body == rbody && note == rnote,
            "{what}: stored {} where the reference has {}",
            show(k, body, note),
            show(rk, rbody, rnote)
        );
    }
    Ok(())
}

fn short(s: &str) -> String {
    match s.chars().count() {
        n if n > 60 => format!(
            "{:?}... ({n} chars)",
            s.chars().take(40).collect::<String>()
        ),
        _ => format!("{s:?}"),
    }
}

fn short_opt(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "None".to_owned(), short)
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// `result` is the unique violation of `columns` of `table`, named exactly.
fn unique_violation<T: std::fmt::Debug>(result: Result<T>, table: &str, columns: &[&str]) {
    let named = match &result {
        Err(Error::UniqueViolation {
            table: t,
            columns: c,
            ..
        }) => t == table && c == columns,
        _ => false,
    };
    assert!(
        named,
        "expected a unique violation of {table} {columns:?}, got {result:?}"
    );
}

/// Whether SQLite takes `pattern` as a LIKE pattern: it refuses patterns longer than
/// SQLITE_MAX_LIKE_PATTERN_LENGTH (50 000 bytes) with `Error::InvalidValue`.
fn sqlite_takes_pattern(backend: Backend, pattern_bytes: usize) -> bool {
    backend != Backend::Sqlite || pattern_bytes <= 50_000
}

/// A pattern SQLite refuses as too long: `Error::InvalidValue`, and the session goes on.
fn too_long<T: std::fmt::Debug>(what: &str, p: &str, r: Result<T>) {
    match r {
        Err(Error::InvalidValue(why)) if why.contains("pattern too complex") => {}
        other => panic!("{what} {} on SQLite gave {other:?}", short(p)),
    }
}

/// The pattern `contains` builds: the needle with `%`, `_` and `\` escaped, between `%`s.
fn escaped_len(needle: &str) -> usize {
    needle.len() + needle.matches(['%', '_', '\\']).count() + 2
}

// ---------------------------------------------------------------------------------------------
// The payloads in every value position.

fn key(kind: char, i: usize) -> String {
    format!("key:{kind}:{i}")
}

fn payloads_stay_data(db: &TestDb) -> Result<()> {
    let payloads = corpus();
    assert!(payloads.len() >= 500, "{} payloads", payloads.len());
    run_corpus(db, "payloads", &payloads)
}

fn long_payloads_stay_data(db: &TestDb) -> Result<()> {
    run_corpus(db, "long payloads", &long_corpus())
}

/// Every payload in every position; prints what was tried.
fn run_corpus(db: &TestDb, label: &str, payloads: &[String]) -> Result<()> {
    let start = std::time::Instant::now();
    assert!(
        payloads
            .iter()
            .all(|p| !p.starts_with("key:") && p != "seed")
    );
    let backend = db.backend;
    // The payload is the key of its upserted row, but for values too large for PostgreSQL's
    // index (refused, as step 4 checks).
    let too_large = |p: &String| backend == Backend::Postgres && p.len() > 1 << 19;
    let keys: Vec<String> = (payloads.iter().enumerate())
        .map(|(i, p)| if too_large(p) { key('p', i) } else { p.clone() })
        .collect();
    let mut positions: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut count = |position: &'static str| *positions.entry(position).or_default() += 1;
    let upsert = |r: Row, col: Column<Row, String>| insert([r]).on_conflict(Row::k).do_update(col);

    let mut s = db.engine.session()?;
    let sentinel = |name: &str| Sentinel {
        id: None,
        name: name.to_owned(),
    };
    s.add_all(SENTINELS.map(sentinel))?;
    s.commit()?;
    let before = tables(db)?;
    let mut reference = Reference::new();

    // 1. session.add: the payload in two columns; rows to update later.
    for (i, p) in payloads.iter().enumerate() {
        s.add(row(&key('a', i), p, Some(p)))?;
        count("session.add (body)");
        count("session.add (note)");
        reference.insert(key('a', i), (p.clone(), Some(p.clone())));
        for kind in ['u', 'b'] {
            s.add(row(&key(kind, i), "seed", None))?;
            reference.insert(key(kind, i), ("seed".to_owned(), None));
        }
    }
    s.commit()?;
    intact(db, "after session.add", &before, &reference)?;

    // 2. insert([..]), a statement per payload; the rows it returns hold the payload.
    for (i, p) in payloads.iter().enumerate() {
        let stored = s.exec(insert([row(&key('i', i), p, None)]))?.all();
        assert!(
            stored.len() == 1 && stored[0].body == *p,
            "insert([..]) {}",
            short(p)
        );
        count("insert([..])");
        reference.insert(key('i', i), (p.clone(), None));
    }
    s.commit()?;
    intact(db, "after insert([..])", &before, &reference)?;

    // 3. session.add of loaded rows whose columns changed, and update().set(..).
    let loaded = s.exec(select::<Row>().where_(Row::k.starts_with("key:u:")))?;
    assert_eq!(loaded.len(), payloads.len());
    for mut r in loaded.all() {
        let i: usize = r.k["key:u:".len()..].parse().expect("a key of ours");
        let p = &payloads[i];
        r.body.clone_from(p);
        r.note = Some(p.clone());
        s.add(r)?;
        count("session.add of a loaded row (body)");
        count("session.add of a loaded row (note)");
        reference.insert(key('u', i), (p.clone(), Some(p.clone())));
    }
    s.commit()?;
    for (i, p) in payloads.iter().enumerate() {
        let q = update::<Row>().set(Row::body, p);
        let n = s.exec(q.where_(Row::k.eq(key('b', i))))?;
        assert_eq!(n, 1, "update().set(body, {})", short(p));
        count("update().set(..)");
        reference.insert(key('b', i), (p.clone(), None));
    }
    s.commit()?;
    intact(db, "after the updates", &before, &reference)?;

    // 4. Upserts on the payload as conflict key: the first inserts, the second updates; a
    //    plain duplicate is a typed unique violation. A key too large for PostgreSQL's index
    //    (class 54, "index row requires ... bytes") is `Error::InvalidValue`.
    for p in payloads.iter().filter(|p| too_large(p)) {
        let r = s.exec(upsert(row(p, p, None), Row::body));
        assert!(
            matches!(r, Err(Error::InvalidValue(_))),
            "key {}: {r:?}",
            short(p)
        );
        s.rollback()?;
        count("upsert on a key too large to index (InvalidValue)");
    }
    for (p, k) in payloads.iter().zip(&keys) {
        let stored = s.exec(upsert(row(k, p, None), Row::body))?.all();
        assert!(stored.len() == 1 && stored[0].k == *k && stored[0].body == *p);
        count("upsert inserting (k, body)");
        let up = insert([row(k, "not written", Some(p))]).on_conflict(Row::k);
        let stored = s.exec(up.do_update(Row::note))?.all();
        assert!(
            stored.len() == 1 && stored[0].body == *p && stored[0].note.as_deref() == Some(p),
            "upsert of {} returned {stored:?}",
            short(p)
        );
        count("upsert updating (conflict key, note)");
        reference.insert(k.clone(), (p.clone(), Some(p.clone())));
    }
    s.commit()?;
    for (p, k) in payloads.iter().zip(&keys) {
        s.add(row(k, p, None))?;
        unique_violation(s.commit(), "inj_rows", &["k"]);
        s.rollback()?;
        count("duplicate key (UniqueViolation)");
    }
    intact(db, "after the upserts", &before, &reference)?;

    // 5. update().where_(eq) and raw_execute binds.
    for (i, p) in payloads.iter().enumerate() {
        let n = s.exec(update::<Row>().set(Row::note, p).where_(Row::body.eq(p)))?;
        let mut expected = 0;
        for (_, note) in reference.values_mut().filter(|(b, _)| b == p) {
            *note = Some(p.clone());
            expected += 1;
        }
        assert_eq!(n, expected, "update().where_(body.eq({}))", short(p));
        count("update().set(..).where_(eq)");
        let q = raw_execute("UPDATE inj_rows SET note = ? WHERE k = ?");
        assert_eq!(s.exec(q.bind(p).bind(key('i', i)))?, 1);
        count("raw_execute bind");
    }
    s.commit()?;
    drop(s);
    intact(db, "after update where", &before, &reference)?;

    // 6. Reads: every filter, against the reference: each body, its characters and its rows.
    let total = reference.len() as i64;
    let mut bodies: BTreeMap<&String, (Vec<char>, i64)> = BTreeMap::new();
    for (b, _) in reference.values() {
        bodies
            .entry(b)
            .or_insert_with(|| (b.chars().collect(), 0))
            .1 += 1;
    }
    let rows_where = |f: &dyn Fn(&str, &[char]) -> bool| -> i64 {
        bodies
            .iter()
            .filter(|(b, (chars, _))| f(b, chars))
            .map(|(_, (_, n))| n)
            .sum()
    };
    let mut s = db.engine.session()?;
    let n_of = |s: &mut Session, cond: tablemodel::Cond<Row>| -> Result<i64> {
        s.exec(select::<Row>().where_(cond).count())
    };
    for (p, k) in payloads.iter().zip(&keys) {
        let mine = rows_where(&|b, _| b == p);
        assert_eq!(mine, 5);
        let by_key = s.exec(select::<Row>().where_(Row::k.eq(k)))?.one()?;
        assert!(by_key.body == *p && by_key.note.as_deref() == Some(p));
        count("select where k.eq");
        let q = select::<Row>().where_(Row::body.eq(p)).columns(Row::k);
        let mut found: Vec<String> = s.exec(q)?.all();
        found.sort();
        let expected = reference.iter().filter(|(_, (b, _))| b == p);
        assert!(
            found.iter().eq(expected.map(|(k, _)| k)),
            "eq {}: {}",
            short(p),
            found.len()
        );
        count("eq");
        assert_eq!(
            n_of(&mut s, Row::body.ne(p))?,
            total - mine,
            "ne {}",
            short(p)
        );
        count("ne");
        assert_eq!(n_of(&mut s, Row::note.eq(p))?, mine, "note eq {}", short(p));
        count("eq on an Option column");
        let list = [p.as_str(), "\u{1}not a payload"];
        assert_eq!(n_of(&mut s, Row::body.in_(list))?, mine, "in_ {}", short(p));
        count("in_");
        assert_eq!(n_of(&mut s, Row::body.not_in([p]))?, total - mine);
        count("not_in");
        let q = raw::<i64>("SELECT COUNT(*) FROM inj_rows WHERE body = ?");
        assert_eq!(s.exec(q.bind(p))?.one()?, mine, "raw bind {}", short(p));
        count("raw bind (filter)");
        let echo = s
            .exec(raw::<String>("SELECT CAST(? AS TEXT)").bind(p))?
            .one()?;
        assert!(echo == *p, "raw echo {}", short(&echo));
        count("raw bind (echo)");

        // The pattern operators; SQLite refuses patterns over 50 000 bytes.
        let (len, q) = (escaped_len(p), p.as_str());
        #[rustfmt::skip]
        let ops = [
            ("contains", len, Row::body.contains(q), rows_where(&|b, _| b.contains(q))),
            ("starts_with", len - 1, Row::body.starts_with(q), rows_where(&|b, _| b.starts_with(q))),
            ("ends_with", len - 1, Row::body.ends_with(q), rows_where(&|b, _| b.ends_with(q))),
        ];
        for (op, pattern_len, cond, want) in ops {
            let n = n_of(&mut s, cond);
            if sqlite_takes_pattern(backend, pattern_len) {
                assert_eq!(n?, want, "{op} {}", short(p));
            } else {
                too_long(op, p, n);
            }
            count(op);
        }
        if sqlite_takes_pattern(backend, p.len()) {
            let mut like = None;
            match (like_tokens(p), n_of(&mut s, Row::body.like(p))) {
                (Some(toks), Ok(n)) => {
                    like = Some(n);
                    let expected = rows_where(&|_, chars| like_match(&toks, chars));
                    assert_eq!(n, expected, "like {}", short(p));
                }
                // A pattern ending in a lone escape: PostgreSQL refuses it once a match reaches
                // the escape, SQLite matches nothing.
                (None, Err(Error::InvalidValue(_))) if backend == Backend::Postgres => {
                    s.rollback()?;
                }
                (None, Ok(0)) => {}
                (_, other) => panic!("like {} gave {other:?}", short(p)),
            }
            match n_of(&mut s, Row::body.ilike(p)) {
                // Whatever LIKE matches, ILIKE matches.
                Ok(n) => assert!(n >= like.unwrap_or(0), "ilike {} found {n}", short(p)),
                Err(Error::InvalidValue(_)) if like_tokens(p).is_none() => s.rollback()?,
                Err(e) => panic!("ilike {} gave {e:?}", short(p)),
            }
        } else {
            too_long("like", p, n_of(&mut s, Row::body.like(p)));
            too_long("ilike", p, n_of(&mut s, Row::body.ilike(p)));
        }
        count("like");
        count("ilike");
    }
    // The whole corpus as one IN list.
    let everything: Vec<&str> = payloads.iter().map(String::as_str).collect();
    assert_eq!(n_of(&mut s, Row::body.in_(everything.clone()))?, total);
    assert_eq!(n_of(&mut s, Row::body.not_in(everything.clone()))?, 0);
    let as_keys = keys.iter().filter(|k| payloads.contains(k)).count();
    assert_eq!(n_of(&mut s, Row::k.in_(everything))?, as_keys as i64);
    payloads
        .iter()
        .for_each(|_| count("in_ list of the corpus"));
    drop(s);
    intact(db, "after the reads", &before, &reference)?;

    // 7. Deletes by the payload.
    let mut s = db.engine.session()?;
    for (i, (p, k)) in payloads.iter().zip(&keys).enumerate() {
        let n = s.exec(delete::<Row>().where_(Row::k.eq(k)))?;
        assert_eq!(n, 1, "delete where k = {}", short(p));
        reference.remove(k);
        count("delete().where_(k.eq)");
        let n = s.exec(delete::<Row>().where_(Row::body.eq(p) & Row::k.eq(key('b', i))))?;
        assert_eq!(n, 1);
        reference.remove(&key('b', i));
        count("delete().where_(body.eq)");
    }
    s.commit()?;
    intact(db, "after the deletes", &before, &reference)?;

    let mut report = String::new();
    for (position, n) in &positions {
        let _ = write!(report, "\n    {position}: {n}");
    }
    println!(
        "injection {label} on {}: {} payloads x {} positions = {} (payload, position) pairs \
         tried, {:.1} s{report}",
        name(backend),
        payloads.len(),
        positions.len(),
        positions.values().sum::<usize>(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Identifiers.

/// Hand-written SQL: each `{}` of `template` replaced by the next of `names`, quoted as an
/// identifier (`"..."`, double quotes doubled).
fn sql(template: &str, names: &[&str]) -> String {
    let mut parts = template.split("{}");
    let mut out = parts.next().unwrap_or_default().to_owned();
    for (part, name) in parts.zip(names) {
        out += &format!("\"{}\"{part}", name.replace('"', "\"\""));
    }
    out
}

fn keywords_keep_working(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let k = |from: &str, group: i64| Keywords {
        id: None,
        from_: from.to_owned(),
        order_: Some(format!("order of {from}")),
        group_: group,
        user_: "user".to_owned(),
        table_: "table".to_owned(),
    };
    let first = s.add(k("select", 1))?;
    let dangerous = "'; DROP TABLE inj_sentinel; --";
    s.add_all([k("from", 2), k("where", 3), k(dangerous, 4)])?;
    s.commit()?;
    let first = s.refresh(first)?;
    let id = first.id.expect("a generated key");
    assert_eq!(s.get::<Keywords>(id)?.as_ref(), Some(&first));

    // Multi-row insert (PostgreSQL draws keys from the sequence of "select"."where").
    let stored = s.exec(insert([k("group", 5), k("order", 6)]))?.all();
    assert!(stored.iter().all(|r| r.id.is_some()));
    // Select, order, filters.
    let q = select::<Keywords>().where_(Keywords::group_.ge(2) & Keywords::from_.ne("order"));
    let rows = s.exec(q.order_by(Keywords::group_.desc()))?.all();
    let froms: Vec<&str> = rows.iter().map(|r| r.from_.as_str()).collect();
    assert_eq!(froms, ["group", dangerous, "where", "from"]);
    let q = select::<Keywords>().where_(Keywords::order_.contains("of w"));
    assert_eq!(s.exec(q.count())?, 1);
    // Update: a loaded row, a bulk update.
    let q = select::<Keywords>().where_(Keywords::from_.eq("from"));
    let mut row = s.exec(q)?.one()?;
    row.order_ = None;
    row.table_ = "\"table\"".to_owned();
    s.add(row.clone())?;
    s.commit()?;
    assert_eq!(s.get::<Keywords>(row.id.unwrap())?, Some(row));
    let q = update::<Keywords>().set(Keywords::user_, "current_user");
    assert_eq!(s.exec(q.where_(Keywords::group_.in_([1, 2, 3])))?, 3);
    // Upsert on "from".
    let q = insert([k("select", 99)]).on_conflict(Keywords::from_);
    let up = s.exec(q.do_update(Keywords::group_))?.all();
    assert_eq!((up[0].id, up[0].group_), (Some(id), 99));
    // The CHECK on "table" and the unique "from" are enforced and reported.
    s.commit()?;
    let q = raw_execute(&sql("UPDATE {} SET {} = ?", &["select", "table"]));
    match s.exec(q.bind("x".repeat(41))) {
        Err(Error::CheckViolation { columns, .. }) => assert_eq!(columns, ["table"]),
        other => panic!("expected a check violation, got {other:?}"),
    }
    s.rollback()?;
    s.add(k("where", 7))?;
    unique_violation(s.commit(), "select", &["from"]);
    s.rollback()?;
    // The default is the text 'current_user', not the function.
    let names = ["select", "from", "group", "table"];
    let q = raw_execute(&sql("INSERT INTO {} ({}, {}, {}) VALUES (?, ?, ?)", &names));
    assert_eq!(s.exec(q.bind("raw").bind(8).bind("t"))?, 1);
    let q = raw::<String>(&sql(
        "SELECT {} FROM {} WHERE {} = ?",
        &["user", "select", "from"],
    ));
    assert_eq!(s.exec(q.bind("raw"))?.one()?, "current_user");
    // Delete: through the session and in bulk.
    s.delete(&first)?;
    s.commit()?;
    assert!(s.get::<Keywords>(id)?.is_none());
    assert_eq!(
        s.exec(delete::<Keywords>().where_(Keywords::group_.gt(4)))?,
        3
    );
    s.commit()?;
    assert_eq!(s.exec(select::<Keywords>().count())?, 3);
    Ok(())
}

fn quoted_identifiers_keep_working(db: &TestDb) -> Result<()> {
    let table = Weird::TABLE.name;
    let payloads = corpus();
    let mut s = db.engine.session()?;
    let w = |name: &str, n: i32| Weird {
        id: None,
        name: name.to_owned(),
        spaced: Some(format!("{name}?")),
        dangerous: name.chars().rev().collect(),
        mixed: n,
    };
    // Payloads as values of the weird columns too.
    let some: Vec<&String> = payloads
        .iter()
        .filter(|p| p.len() < 200)
        .take(120)
        .collect();
    let first = s.add(w(some[0], 0))?;
    for (i, p) in some.iter().enumerate().skip(1) {
        s.add(w(p, i as i32))?;
    }
    s.commit()?;
    let first = s.refresh(first)?;
    let id = first.id.unwrap();
    assert_eq!(s.get::<Weird>(id)?.as_ref(), Some(&first));
    let mut fresh = db.engine.session()?;
    for (i, p) in some.iter().enumerate() {
        let r = fresh
            .exec(select::<Weird>().where_(Weird::name.eq(*p)))?
            .one()?;
        assert_eq!(
            r,
            Weird {
                id: r.id,
                ..w(p, i as i32)
            }
        );
    }
    drop(fresh);

    // Multi-row insert: on PostgreSQL the key sequence is found from the quoted table name.
    let stored = s
        .exec(insert([w("multi 1", 500), w("multi 2", 501)]))?
        .all();
    assert!(stored.iter().all(|r| r.id.is_some()));
    // Select with order, in_, contains, count.
    let q = select::<Weird>().where_(Weird::mixed.ge(500) | Weird::name.in_(["'", "\""]));
    let rows = s.exec(q.order_by(Weird::mixed.desc()))?.all();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert!(["'", "\""].iter().all(|q| some.iter().any(|p| p == q)));
    assert_eq!((&names[..2], names.len()), (&["multi 2", "multi 1"][..], 4));
    let q = select::<Weird>().where_(Weird::spaced.ends_with("multi 1?"));
    assert_eq!(s.exec(q.count())?, 1);
    // Update: a loaded row and a bulk update.
    let mut row = s.get::<Weird>(id)?.unwrap();
    row.spaced = None;
    row.dangerous = "'; DROP TABLE inj_sentinel; --".to_owned();
    s.add(row.clone())?;
    s.commit()?;
    assert_eq!(db.engine.session()?.get::<Weird>(id)?, Some(row));
    let q = update::<Weird>().set(Weird::spaced, "bulk ? $1");
    assert_eq!(s.exec(q.where_(Weird::mixed.between(1, 10)))?, 10);
    // Upsert on the quoted unique column.
    let q = insert([w("multi 1", 600)]).on_conflict(Weird::name);
    let up = s.exec(q.do_update((Weird::mixed, Weird::spaced)))?.all();
    assert_eq!((up[0].id, up[0].mixed), (stored[0].id, 600));
    s.commit()?;
    // A duplicate is a unique violation naming the quoted table and column exactly.
    s.add(w("multi 2", 1))?;
    unique_violation(s.commit(), table, &["na\"me"]);
    s.rollback()?;
    // The range of "MiXeD": validated by `add`, and a CHECK constraint for other writers.
    let r = s.add(w("too big", 1001));
    assert!(matches!(r, Err(Error::Validation(_))), "{r:?}");
    let q = raw_execute(&sql("UPDATE {} SET {} = ?", &[table, "MiXeD"]));
    match s.exec(q.bind(5000)) {
        Err(Error::CheckViolation { columns, .. }) => assert_eq!(columns, ["MiXeD"]),
        other => panic!("expected a check violation, got {other:?}"),
    }
    s.rollback()?;

    // Hand-written SQL naming the columns, with a `?` and a `$1` inside a quoted identifier:
    // the placeholders are the bound ones only, and the text default is stored as written.
    let (spaced, dangerous) = ("col umn ? $1 /*", "'); DROP TABLE inj_sentinel; --");
    let names = [table, "na\"me", spaced, "MiXeD"];
    let q = raw_execute(&sql("INSERT INTO {} ({}, {}, {}) VALUES (?, ?, ?)", &names));
    assert_eq!(s.exec(q.bind("raw").bind("raw ?").bind(7))?, 1);
    let names = [spaced, dangerous, table, "na\"me"];
    let q = raw::<(Option<String>, String)>(&sql("SELECT {}, {} FROM {} WHERE {} = ?", &names));
    let (spaced, dangerous) = s.exec(q.bind("raw"))?.one()?;
    assert_eq!(spaced.as_deref(), Some("raw ?"));
    assert_eq!(dangerous, "it's a \\ default -- /* */ $$");
    let raw_row = s
        .exec(select::<Weird>().where_(Weird::name.eq("raw")))?
        .one()?;
    assert_eq!(raw_row.dangerous, dangerous);

    // Delete: through the session and in bulk.
    s.delete(&raw_row)?;
    s.commit()?;
    assert!(s.get::<Weird>(raw_row.id.unwrap())?.is_none());
    assert_eq!(
        s.exec(delete::<Weird>().where_(Weird::name.starts_with("multi")))?,
        2
    );
    s.commit()?;
    assert_eq!(s.exec(select::<Weird>().count())?, some.len() as i64);

    // The table with a dot in its name works as well.
    let dotted = || Dotted {
        id: None,
        xy: "a.b, c".to_owned(),
    };
    let d = s.add(dotted())?;
    s.commit()?;
    let d = s.refresh(d)?;
    assert_eq!(
        s.exec(select::<Dotted>().where_(Dotted::xy.eq("a.b, c")))?
            .one()?,
        d
    );
    s.add(dotted())?;
    unique_violation(s.commit(), "dot.ted", &["x.y, z"]);
    s.rollback()?;
    s.delete(&d)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Dotted>().count())?, 0);

    // Nothing ran: the sentinel is empty here (this test writes none) and still exists.
    assert_eq!(s.exec(select::<Sentinel>().count())?, 0);
    println!(
        "injection identifiers on {}: {} payloads as values of quoted columns",
        name(db.backend),
        some.len()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Library bugs these checks found, now fixed, as minimal cases.

/// A LIKE pattern longer than SQLite's limit (SQLITE_MAX_LIKE_PATTERN_LENGTH, 50 000 bytes) is
/// `Error::InvalidValue` on SQLite (it was an untyped `Error::Backend`), and the session goes
/// on; PostgreSQL answers.
fn long_pattern_is_an_invalid_value_on_sqlite(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let needle = "a".repeat(50_000); // the pattern is "%" + needle + "%": 50 002 bytes
    s.add(row("k", &needle, None))?;
    s.commit()?;
    let n = s.exec(select::<Row>().where_(Row::body.contains(&needle)).count());
    match db.backend {
        Backend::Sqlite => too_long("contains", &needle, n),
        Backend::Postgres => assert_eq!(n?, 1),
    }
    s.rollback()?;
    let shorter = Row::body.contains(&needle[..49_000]);
    assert_eq!(s.exec(select::<Row>().where_(shorter).count())?, 1);
    Ok(())
}

/// A unique violation names a table and a column holding `.` and `, ` (the separators of
/// SQLite's message) exactly: SQLite said ("dot", ["ted.x.y"]), PostgreSQL ("dot.ted",
/// ["x.y", "z"]).
fn unique_violation_names_dotted_identifiers(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let same = || Dotted {
        id: None,
        xy: "same".to_owned(),
    };
    s.add_all([same(), same()])?;
    unique_violation(s.commit(), "dot.ted", &["x.y, z"]);
    s.rollback()?;
    Ok(())
}

/// A unique violation names a column holding a double quote as it is (PostgreSQL doubled the
/// quote: `na""me`).
fn unique_violation_names_quoted_columns(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let (name, dangerous) = ("same".to_owned(), String::new());
    let w = Weird {
        id: None,
        name,
        spaced: None,
        dangerous,
        mixed: 0,
    };
    s.add_all([w.clone(), w])?;
    unique_violation(s.commit(), Weird::TABLE.name, &["na\"me"]);
    s.rollback()?;
    Ok(())
}

/// On PostgreSQL a value too large for the B-tree index of a unique text column (1 MiB that
/// compresses to 12 KB: SQLSTATE 54000, "index row requires 12024 bytes, maximum size is
/// 8191") is `Error::InvalidValue` (it was an untyped `Error::Backend`), and the session goes
/// on after `rollback`; SQLite stores it.
fn huge_unique_value_is_an_invalid_value_on_postgres(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(row(&"\u{2019}'".repeat(1 << 18), "", None))?;
    let r = s.commit();
    match db.backend {
        Backend::Postgres => assert!(matches!(r, Err(Error::InvalidValue(_))), "{r:?}"),
        Backend::Sqlite => r?,
    }
    s.rollback()?;
    s.add(row("small", "", None))?;
    s.commit()?;
    let stored = 1 + i64::from(db.backend == Backend::Sqlite);
    assert_eq!(s.exec(select::<Row>().count())?, stored);
    Ok(())
}

backend_tests!(
    payloads_stay_data,
    long_payloads_stay_data,
    keywords_keep_working,
    quoted_identifiers_keep_working,
    long_pattern_is_an_invalid_value_on_sqlite,
    unique_violation_names_dotted_identifiers,
    unique_violation_names_quoted_columns,
    huge_unique_value_is_an_invalid_value_on_postgres,
);
