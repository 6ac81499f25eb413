//! Failures, typed: constraint violations named the same way on every backend, sessions that
//! stay usable after them, query results that are not there, and engines that cannot connect.

mod common;

use std::time::{Duration, Instant};

use common::{Backend, TestDb};
use tablemodel::EngineOptions;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique, index)]
    #[validate(length(min = 3, max = 50))]
    pub username: String,
    #[model(unique)]
    #[validate(email)]
    pub email: String,
    pub full_name: Option<String>,
    #[model(default = true)]
    pub is_active: bool,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "posts")]
pub struct Post {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    pub content: String,
    #[model(default = false)]
    pub published: bool,
    #[model(foreign_key = User::id)]
    pub author_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
    pub headquarters: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "heroes", unique(team_id, name))]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub secret_name: String,
    #[validate(range(min = 0, max = 150))]
    pub age: Option<i32>,
    #[model(foreign_key = Team::id, on_delete = cascade)]
    pub team_id: Option<i64>,
}

/// The guide's `safe_create_user`: every failure becomes a message and the session is rolled
/// back so that it can go on.
fn safe_create_user(
    session: &mut Session,
    username: &str,
    email: &str,
) -> std::result::Result<User, String> {
    let outcome = session.add(User::new(username, email)).and_then(|handle| {
        session.commit()?;
        session.refresh(handle)
    });
    outcome.map_err(|e| {
        let _ = session.rollback();
        match e {
            Error::Validation(errors) => format!("Validation error: {errors}"),
            Error::UniqueViolation { .. } => "Username or email already exists".to_owned(),
            e => format!("Database error: {e}"),
        }
    })
}

fn user_names(s: &mut Session) -> Result<Vec<String>> {
    let users = s.exec(select::<User>().order_by(User::username))?;
    Ok(users.into_iter().map(|u| u.username).collect())
}

fn expect_unique(err: &Error, table: &str, columns: &[&str]) {
    match err {
        Error::UniqueViolation {
            table: t,
            columns: c,
            ..
        } if t == table && c == columns => {}
        other => panic!("expected a duplicate on {table} {columns:?}, got {other:?}"),
    }
    assert!(!err.is_transient(), "{err:?}");
}

fn the_guide_safe_create_user_scenario(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let alice = safe_create_user(&mut s, "alice", "alice@example.com").expect("created");
    assert!(alice.id.is_some() && alice.is_active);

    let invalid = safe_create_user(&mut s, "ab", "invalid-email").unwrap_err();
    assert!(invalid.starts_with("Validation error"), "{invalid}");
    assert!(
        invalid.contains("username") && invalid.contains("email"),
        "{invalid}"
    );

    let taken = safe_create_user(&mut s, "alice", "other@example.com").unwrap_err();
    assert_eq!(taken, "Username or email already exists");
    let taken = safe_create_user(&mut s, "alice2", "alice@example.com").unwrap_err();
    assert_eq!(taken, "Username or email already exists");

    let bob = safe_create_user(&mut s, "bob", "bob@example.com").expect("created");
    assert_ne!(bob.id, alice.id);
    assert_eq!(user_names(&mut s)?, ["alice", "bob"]);
    Ok(())
}

fn unique_violations_name_table_and_columns(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(User::new("testuser", "test1@example.com"))?;
    s.commit()?;

    s.add(User::new("testuser", "test2@example.com"))?;
    let err = s.commit().unwrap_err();
    expect_unique(&err, "users", &["username"]);
    assert_eq!(
        err.to_string(),
        "a row with the same username already exists in users"
    );
    s.rollback()?;

    s.add(User::new("otheruser", "test1@example.com"))?;
    expect_unique(&s.commit().unwrap_err(), "users", &["email"]);
    s.rollback()?;

    let mut team = Team::new("Preventers", "Sharp Tower");
    s.insert(&mut team)?;
    let heroes = [
        Hero::new("Deadpond", "Dive Wilson"),
        Hero {
            team_id: team.id,
            ..Hero::new("Deadpond", "Dive Wilson")
        },
    ];
    s.add_all(heroes.clone())?;
    s.commit()?;
    // Twice on no team is fine (NULLs are distinct); twice on one team is not.
    s.add(heroes[1].clone())?;
    expect_unique(&s.commit().unwrap_err(), "heroes", &["team_id", "name"]);
    s.rollback()?;

    s.add(Team::new("Preventers", "Elsewhere"))?;
    expect_unique(&s.commit().unwrap_err(), "teams", &["name"]);
    s.rollback()?;

    // Duplicates within one flush, and through a bulk UPDATE.
    s.add_all([
        User::new("carol", "carol@example.com"),
        User::new("carol", "carol2@example.com"),
    ])?;
    expect_unique(&s.commit().unwrap_err(), "users", &["username"]);
    s.rollback()?;
    let rename = update::<User>().set(User::email, "test1@example.com");
    s.add(User::new("dave", "dave@example.com"))?;
    s.commit()?;
    expect_unique(&s.exec(rename).unwrap_err(), "users", &["email"]);
    s.rollback()?;

    // The session goes on.
    s.add(User::new("erin", "erin@example.com"))?;
    s.commit()?;
    assert_eq!(user_names(&mut s)?, ["dave", "erin", "testuser"]);
    Ok(())
}

fn not_null_violation_from_raw_sql(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let insert = raw_execute("INSERT INTO users (username, email) VALUES (?, NULL)").bind("nobody");
    let err = s.exec(insert).unwrap_err();
    assert!(
        matches!(&err, Error::NotNullViolation { table, column, .. } if table == "users" && column == "email"),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert_eq!(
        err.to_string(),
        "users.email may not be NULL: give it a value"
    );

    s.add(User::new("alice", "alice@example.com"))?;
    s.commit()?;
    let null_title = raw_execute("UPDATE posts SET title = NULL");
    s.add(Post::new("Hello", "World"))?;
    let err = s.exec(null_title).unwrap_err();
    assert!(
        matches!(&err, Error::NotNullViolation { table, column, .. } if table == "posts" && column == "title"),
        "{err:?}"
    );
    // The post staged before the failing statement was flushed by it and survives it.
    s.commit()?;
    assert_eq!(s.exec(select::<Post>().count())?, 1);
    assert_eq!(user_names(&mut s)?, ["alice"]);
    Ok(())
}

fn foreign_key_violations(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Post {
        author_id: Some(999),
        ..Post::new("Orphan", "No author")
    })?;
    let err = s.commit().unwrap_err();
    assert!(
        matches!(&err, Error::ForeignKeyViolation { table: Some(t), .. } if t == "posts"),
        "{err:?}"
    );
    assert!(!err.is_transient());
    if db.backend == Backend::Postgres {
        assert!(
            matches!(&err, Error::ForeignKeyViolation { constraint: Some(c), .. } if c == "fk_posts_author_id"),
            "{err:?}"
        );
    }
    s.rollback()?;

    let mut alice = User::new("alice", "alice@example.com");
    s.insert(&mut alice)?;
    s.add(Post {
        author_id: alice.id,
        ..Post::new("Hello", "World")
    })?;
    s.commit()?;

    // Deleting a user who still has posts is refused (no ON DELETE action).
    s.delete(&alice)?;
    assert!(matches!(s.commit(), Err(Error::ForeignKeyViolation { .. })));
    s.rollback()?;
    let still_there = s.get::<User>(alice.id.unwrap())?;
    assert_eq!(still_there.map(|u| u.username).as_deref(), Some("alice"));
    assert_eq!(s.exec(select::<Post>().count())?, 1);

    // A team's heroes go with it (ON DELETE CASCADE), so no violation there.
    let mut team = Team::new("Preventers", "Sharp Tower");
    s.insert(&mut team)?;
    s.add(Hero {
        team_id: team.id,
        ..Hero::new("Rusty-Man", "Tommy Sharp")
    })?;
    s.commit()?;
    s.delete(&team)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Hero>().count())?, 0);
    Ok(())
}

fn deleting_a_referenced_row_names_the_table_written_to(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut alice = User::new("alice", "alice@example.com");
    s.insert(&mut alice)?;
    s.add(Post {
        author_id: alice.id,
        ..Post::new("Hello", "World")
    })?;
    s.commit()?;
    s.delete(&alice)?;
    let err = s.commit().unwrap_err();
    // The DELETE wrote to `users`: that is the table named, as for every other violation.
    assert!(
        matches!(&err, Error::ForeignKeyViolation { table: Some(t), .. } if t == "users"),
        "{err:?}"
    );
    assert!(!err.is_transient());
    s.rollback()?;
    assert_eq!(s.exec(select::<User>().count())?, 1);
    Ok(())
}

fn check_violation_from_a_bulk_update(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Hero {
        age: Some(48),
        ..Hero::new("Rusty-Man", "Tommy Sharp")
    })?;
    s.commit()?;
    let err = s.exec(update::<Hero>().set(Hero::age, 200)).unwrap_err();
    match &err {
        Error::CheckViolation {
            table,
            constraint,
            columns,
            ..
        } => {
            assert_eq!(table, "heroes");
            assert_eq!(constraint, "ck_heroes_age_range");
            assert_eq!(columns, &["age"]);
        }
        other => panic!("expected a CHECK violation, got {other:?}"),
    }
    assert!(!err.is_transient());
    assert_eq!(
        err.to_string(),
        "a value of heroes.age breaks the check constraint ck_heroes_age_range"
    );
    s.rollback()?;
    s.exec(update::<Hero>().set(Hero::age, 49))?;
    s.commit()?;
    let hero = s.exec(select::<Hero>())?.one()?;
    assert_eq!(hero.age, Some(49));
    Ok(())
}

fn a_failed_flush_keeps_committed_rows_and_drops_failed_ones(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(User::new("alice", "alice@example.com"))?;
    s.commit()?;

    s.add_all([
        User::new("bob", "bob@example.com"),
        User::new("carol", "carol@example.com"),
        User::new("mallory", "alice@example.com"),
    ])?;
    expect_unique(&s.commit().unwrap_err(), "users", &["email"]);
    // The failed writes stay staged: committing again fails the same way.
    expect_unique(&s.commit().unwrap_err(), "users", &["email"]);
    s.rollback()?;
    assert_eq!(user_names(&mut s)?, ["alice"]);
    let mut other = db.engine.session()?;
    assert_eq!(user_names(&mut other)?, ["alice"]);
    drop(other);

    // Writes flushed earlier in the same transaction survive a later failed flush.
    s.add(User::new("dave", "dave@example.com"))?;
    s.flush()?;
    s.add(User::new("alice", "alice2@example.com"))?;
    expect_unique(&s.flush().unwrap_err(), "users", &["username"]);
    s.set_autoflush(false);
    assert_eq!(user_names(&mut s)?, ["alice", "dave"]);
    s.rollback()?;
    s.set_autoflush(true);
    assert_eq!(user_names(&mut s)?, ["alice"], "dave was never committed");

    s.add(User::new("erin", "erin@example.com"))?;
    s.commit()?;
    assert_eq!(user_names(&mut s)?, ["alice", "erin"]);
    Ok(())
}

fn missing_rows_are_typed(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let err = s.exec(select::<User>())?.one().unwrap_err();
    assert!(matches!(err, Error::NoResult), "{err:?}");
    assert!(s.exec(select::<User>())?.first().is_none());
    assert!(s.get::<User>(999_999)?.is_none());

    let handles = s.add_all([
        User::new("alice", "alice@example.com"),
        User::new("bob", "bob@example.com"),
    ])?;
    s.commit()?;
    let err = s.exec(select::<User>())?.one().unwrap_err();
    assert!(matches!(err, Error::MultipleResults), "{err:?}");
    let bob = s
        .exec(select::<User>().where_(User::username.eq("bob")))?
        .one()?;
    assert_eq!(bob.email, "bob@example.com");

    // A row deleted behind the session's back (once its reads are done) cannot be refreshed.
    s.commit()?;
    let mut other = db.engine.session()?;
    other.exec(delete::<User>().where_(User::username.eq("alice")))?;
    other.commit()?;
    let err = s.refresh(handles[0]).unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    assert_eq!(s.refresh(handles[1])?.username, "bob");
    s.delete(&bob)?;
    s.commit()?;
    let err = s.refresh(&bob).unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    assert!(s.get::<User>(bob.id.unwrap())?.is_none());

    // Changing a row that another session deleted meanwhile updates nothing: NotFound.
    let mut carol = User::new("carol", "carol@example.com");
    s.insert(&mut carol)?;
    s.commit()?;
    let mut other = db.engine.session()?;
    other.exec(delete::<User>().where_(User::username.eq("carol")))?;
    other.commit()?;
    carol.full_name = Some("Carol Danvers".into());
    s.add(carol)?;
    assert!(matches!(s.commit(), Err(Error::NotFound)));
    s.rollback()?;

    // A model that was never stored has no row to refresh or delete.
    let never = User::new("zed", "zed@example.com");
    assert!(matches!(s.refresh(&never), Err(Error::NotFound)));
    assert!(matches!(s.delete(&never), Err(Error::Statement(_))));
    Ok(())
}

fn pool_timeout_is_a_pool_error(db: &TestDb) -> Result<()> {
    let options = EngineOptions::default()
        .pool_size(1)
        .connect_timeout(Duration::from_millis(300));
    let name = "pool_timeout";
    let small = match db.backend {
        Backend::Sqlite => TestDb::sqlite_with(name, options),
        Backend::Postgres => TestDb::postgres_with(name, options).expect("server"),
    };
    let mut holder = small.engine.session()?;
    holder.add(User::new("alice", "alice@example.com"))?;
    holder.flush()?;

    let started = Instant::now();
    let err = small.engine.session().err().expect("no free connection");
    assert!(matches!(err, Error::Pool(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        err.to_string()
            .starts_with("no database connection became free in time ("),
        "{err}"
    );
    assert!(
        err.to_string()
            .ends_with("): end sessions sooner, or raise the pool size or the connect timeout")
    );

    holder.commit()?;
    drop(holder);
    let mut s = small.engine.session()?;
    assert_eq!(user_names(&mut s)?, ["alice"]);
    Ok(())
}

fn expect_connection_error(url: &str, options: &EngineOptions) {
    match tablemodel::create_engine_with(url, options) {
        Err(Error::Connection(message)) => assert!(!message.is_empty()),
        Err(other) => panic!("{url}: expected Error::Connection, got {other:?}"),
        Ok(_) => panic!("{url}: expected Error::Connection, got an engine"),
    }
}

fn unusable_urls_are_connection_errors(db: &TestDb) -> Result<()> {
    let quick = EngineOptions::default().connect_timeout(Duration::from_millis(500));
    for url in [
        "mysql://root@localhost/app",
        "",
        "no-scheme-at-all",
        "postgres://postgres@127.0.0.1:1/x",
        "postgresql://postgres@127.0.0.1:1/x",
        "postgres://postgres@127.0.0.1:notaport/x",
        "postgres://postgres@127.0.0.1:5432/x?sslmode=bogus",
        "sqlite:///no/such/directory/app.db",
        "sqlite:////no/such/directory/app.db",
        "sqlite:///app.db?cache=shared",
        "sqlite:///app.db?mode=readonly",
    ] {
        expect_connection_error(url, &quick);
    }
    assert!(matches!(
        tablemodel::create_engine("mysql://root@localhost/app"),
        Err(Error::Connection(_))
    ));
    assert!(matches!(
        tablemodel::create_engine("postgres://postgres@127.0.0.1:1/x"),
        Err(Error::Connection(_))
    ));
    // The engine under test is unaffected.
    let mut s = db.engine.session()?;
    s.add(User::new("alice", "alice@example.com"))?;
    s.commit()?;
    Ok(())
}

/// SQLite URLs as SQLAlchemy reads them: three slashes and a relative path, four slashes for
/// an absolute one; `mode=ro` opens read-only, `mode=rw` needs the file to exist.
#[test]
fn sqlite_urls_follow_sqlalchemy_and_honour_mode() -> Result<()> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let absolute = dir.path().join("app.db");
    // Four slashes: the absolute path.
    let rw = tablemodel::create_engine(&format!("sqlite:///{}", absolute.display()))?;
    metadata().create_all(&rw)?;
    let mut s = rw.session()?;
    s.add(User::new("alice", "alice@example.com"))?;
    s.commit()?;
    drop(s);
    assert!(absolute.exists());

    let ro = tablemodel::create_engine(&format!("sqlite:///{}?mode=ro", absolute.display()))?;
    let mut r = ro.session()?;
    assert_eq!(r.exec(select::<User>().count())?, 1, "reads work read-only");
    r.add(User::new("bob", "bob@example.com"))?;
    assert!(r.commit().is_err(), "a read-only engine refuses writes");
    r.rollback()?;
    assert_eq!(ro.session()?.exec(select::<User>().count())?, 1);

    // mode=rw: the file must exist.
    let missing = dir.path().join("missing.db");
    expect_connection_error(
        &format!("sqlite:///{}?mode=rw", missing.display()),
        &EngineOptions::default(),
    );
    assert!(!missing.exists());

    // Three slashes: relative to the working directory (checked without creating a file there:
    // a relative path into a directory that does not exist fails to open).
    expect_connection_error(
        "sqlite:///no-such-directory-here/app.db",
        &EngineOptions::default(),
    );
    Ok(())
}

backend_tests!(
    the_guide_safe_create_user_scenario,
    unique_violations_name_table_and_columns,
    not_null_violation_from_raw_sql,
    foreign_key_violations,
    deleting_a_referenced_row_names_the_table_written_to,
    check_violation_from_a_bulk_update,
    a_failed_flush_keeps_committed_rows_and_drops_failed_ones,
    missing_rows_are_typed,
    pool_timeout_is_a_pool_error,
    unusable_urls_are_connection_errors,
);
