//! The quickstart: users and their posts, from defining the models to deleting a user.
//!
//! It walks through the SQLModel guide's first sections (models, engine and session, CRUD,
//! querying) with tablemodel, printing each step and its result.
//!
//! ```text
//! cargo run --example quickstart                  # a SQLite file in a temporary directory
//! ECHO=1 cargo run --example quickstart           # ... and every SQL statement it sends
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!     cargo run --features postgres --example quickstart
//! ```
//!
//! With `DATABASE_URL` set, the example drops its two tables (`users`, `posts`) first, so that
//! it can run again on the same database.

use chrono::{DateTime, Duration, Utc};
mod common;

use tablemodel::ValidationErrors;
use tablemodel::prelude::*;

// ---------------------------------------------------------------------------------------------
// Models: one struct is the table, the validated model and the typed column handles.
// ---------------------------------------------------------------------------------------------

/// A user; `User::username` and friends are typed column handles for queries.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "users")]
pub struct User {
    /// `None` until the row is stored, then the key the database generated.
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique, index)]
    #[validate(length(min = 3, max = 50))]
    pub username: String,
    #[model(unique)]
    #[validate(email)]
    pub email: String,
    /// `Option` makes the column NULL-able.
    #[validate(length(max = 100))]
    pub full_name: Option<String>,
    #[model(default = true)]
    pub is_active: bool,
    /// A default factory: `User::new` calls it.
    #[model(default = Utc::now)]
    pub created_at: DateTime<Utc>,
}

/// A post, written by a user; deleting the user deletes the posts (`on_delete = cascade`).
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
    #[model(foreign_key = User::id, on_delete = cascade, index)]
    pub author_id: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// CRUD, as functions over a session (the guide's create_user, get_user_by_id, ...).
// ---------------------------------------------------------------------------------------------

/// Creates a user: validated and staged by `add`, written by `commit`, read back by `refresh`
/// with its generated id.
fn create_user(
    session: &mut Session,
    username: &str,
    email: &str,
    full_name: Option<&str>,
) -> Result<User> {
    let mut user = User::new(username, email);
    user.full_name = full_name.map(str::to_owned);
    let handle = session.add(user)?;
    session.commit()?;
    session.refresh(handle)
}

/// Creates several users in one transaction.
fn create_users_bulk(session: &mut Session, users: Vec<User>) -> Result<Vec<User>> {
    let handles = session.add_all(users)?;
    session.commit()?;
    handles.into_iter().map(|h| session.refresh(h)).collect()
}

fn get_user_by_id(session: &mut Session, id: i64) -> Result<Option<User>> {
    session.get::<User>(id)
}

fn get_user_by_username(session: &mut Session, username: &str) -> Result<Option<User>> {
    Ok(session
        .exec(select::<User>().where_(User::username.eq(username)))?
        .first())
}

/// One page of active users, in username order.
fn get_active_users(session: &mut Session, skip: u64, limit: u64) -> Result<Vec<User>> {
    Ok(session
        .exec(
            select::<User>()
                .where_(User::is_active.eq(true))
                .order_by(User::username)
                .offset(skip)
                .limit(limit),
        )?
        .all())
}

/// Users whose username or email contains `term`.
fn search_users(session: &mut Session, term: &str) -> Result<Vec<User>> {
    Ok(session
        .exec(
            select::<User>()
                .where_(User::username.contains(term) | User::email.contains(term))
                .order_by(User::id),
        )?
        .all())
}

/// Loads a user, applies `change`, and writes only the columns that changed.
fn update_user(
    session: &mut Session,
    id: i64,
    change: impl FnOnce(&mut User),
) -> Result<Option<User>> {
    let Some(mut user) = session.get::<User>(id)? else {
        return Ok(None);
    };
    change(&mut user);
    session.add(user.clone())?;
    session.commit()?;
    session.refresh(&user).map(Some)
}

/// A soft delete.
fn deactivate_user(session: &mut Session, id: i64) -> Result<bool> {
    Ok(update_user(session, id, |u| u.is_active = false)?.is_some())
}

/// A hard delete; the user's posts go with it.
fn delete_user(session: &mut Session, id: i64) -> Result<bool> {
    let Some(user) = session.get::<User>(id)? else {
        return Ok(false);
    };
    session.delete(&user)?;
    session.commit()?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Querying posts. Relationships (`user.posts`) are not built yet: posts are found by
//    their `author_id`.
// ---------------------------------------------------------------------------------------------

fn new_post(author: &User, title: &str, content: &str, published: bool) -> Post {
    let mut post = Post::new(title, content);
    post.published = published;
    post.author_id = author.id;
    post
}

fn posts_of(session: &mut Session, author_id: i64) -> Result<Vec<Post>> {
    Ok(session
        .exec(
            select::<Post>()
                .where_(Post::author_id.eq(author_id))
                .order_by(Post::id),
        )?
        .all())
}

// ---------------------------------------------------------------------------------------------
// Printing.
// ---------------------------------------------------------------------------------------------

fn step(title: &str) {
    println!("\n== {title}");
}

fn show_user(u: &User) -> String {
    format!(
        "#{} {:<6} <{}>{}{}",
        u.id.unwrap_or_default(),
        u.username,
        u.email,
        u.full_name
            .as_deref()
            .map(|n| format!(" \"{n}\""))
            .unwrap_or_default(),
        if u.is_active { "" } else { " (inactive)" },
    )
}

fn show_post(p: &Post) -> String {
    format!(
        "#{} {:?} by user #{}{}",
        p.id.unwrap_or_default(),
        p.title,
        p.author_id.unwrap_or_default(),
        if p.published { "" } else { " (draft)" },
    )
}

fn usernames(users: &[User]) -> String {
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    format!("[{}]", names.join(", "))
}

/// Every failing field and rule, one a line.
fn print_validation(errors: &ValidationErrors) {
    let mut fields: Vec<_> = errors.field_errors().into_iter().collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    for (field, errors) in fields {
        for e in errors {
            let mut params: Vec<String> =
                e.params.iter().map(|(k, v)| format!("{k} {v}")).collect();
            params.sort();
            let params = if params.is_empty() {
                String::new()
            } else {
                format!(" ({})", params.join(", "))
            };
            println!("   {field}: fails `{}`{params}", e.code);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Engine and session, then the walk-through.
// ---------------------------------------------------------------------------------------------

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    // The guard is declared before the engine, so the file outlives the engine's connections.
    let (_temp_dir, engine) = common::open("quickstart")?;

    step("Create the tables");
    metadata().create_all(&engine)?;
    let tables: Vec<&str> = metadata().tables().iter().map(|t| t.name).collect();
    println!("created (if missing): {}", tables.join(", "));

    let mut session = engine.session()?;

    step("Create users: add, commit, refresh");
    let alice = create_user(
        &mut session,
        "alice",
        "alice@example.com",
        Some("Alice Liddell"),
    )?;
    let bob = create_user(&mut session, "bob", "bob@example.com", None)?;
    println!("{}", show_user(&alice));
    println!("{}", show_user(&bob));
    let alice_id = alice.id.ok_or("alice has no id")?;
    let bob_id = bob.id.ok_or("bob has no id")?;

    step("Bulk insert with add_all");
    let mut carol = User::new("carol", "carol.bobbins@example.com");
    carol.full_name = Some("Carol Bobbins".into());
    let bulk = create_users_bulk(
        &mut session,
        vec![
            carol,
            User::new("dave", "dave@example.org"),
            User::new("erin", "erin@example.org"),
            User::new("frank", "frank@example.com"),
        ],
    )?;
    for u in &bulk {
        println!("{}", show_user(u));
    }

    step(&format!("Get a user by id ({bob_id})"));
    match get_user_by_id(&mut session, bob_id)? {
        Some(u) => println!("found {}", show_user(&u)),
        None => println!("no user #{bob_id}"),
    }
    println!(
        "id 9999: {:?}",
        get_user_by_id(&mut session, 9999)?.map(|u| u.username)
    );

    step("Get a user by username: select + first()");
    if let Some(u) = get_user_by_username(&mut session, "carol")? {
        println!("carol -> {}", show_user(&u));
    }
    println!(
        "nobody -> {:?}",
        get_user_by_username(&mut session, "nobody")?.map(|u| u.username)
    );

    step("Active users, two a page: where is_active, order by username, offset/limit");
    let mut skip = 0;
    loop {
        let page = get_active_users(&mut session, skip, 2)?;
        if page.is_empty() {
            break;
        }
        println!("offset {skip}: {}", usernames(&page));
        skip += 2;
    }

    step("Search: username contains \"bob\" | email contains \"bob\"");
    let found = search_users(&mut session, "bob")?;
    for u in &found {
        println!("{}", show_user(u));
    }

    step("Users created in the last hour: created_at between");
    let now = Utc::now();
    let recent = session
        .exec(select::<User>().where_(User::created_at.between(now - Duration::hours(1), now)))?
        .len();
    println!("{recent} users");

    step("Update a user: get, change, add, commit (only changed columns are written)");
    let updated = update_user(&mut session, alice_id, |u| {
        u.full_name = Some("Alice P. Liddell".into())
    })?
    .ok_or("alice is gone")?;
    println!("{}", show_user(&updated));
    println!("written: full_name only (UPDATE users SET full_name = … WHERE id = {alice_id})");

    step("Deactivate a user (soft delete)");
    println!(
        "bob deactivated: {}",
        deactivate_user(&mut session, bob_id)?
    );
    println!(
        "active users now: {}",
        usernames(&get_active_users(&mut session, 0, 100)?)
    );

    step("A validation failure: every failing field and rule");
    let mut bad = User::new("ab", "not-an-email");
    bad.full_name = Some("x".repeat(120));
    match session.add(bad) {
        Err(Error::Validation(errors)) => print_validation(&errors),
        Err(e) => return Err(e.into()),
        Ok(_) => return Err("an invalid user was accepted".into()),
    }

    step("A unique violation: caught as Error::UniqueViolation, then rollback");
    match create_user(&mut session, "alice", "another.alice@example.com", None) {
        Err(Error::UniqueViolation { table, columns, .. }) => {
            println!("duplicate value in {table} ({})", columns.join(", "));
            session.rollback()?;
            println!("rolled back");
        }
        Err(e) => return Err(e.into()),
        Ok(u) => return Err(format!("a duplicate username was stored: {u:?}").into()),
    }
    let n = session.exec(select::<User>().where_(User::username.eq("alice")).count())?;
    println!("users named alice: {n}");

    step("Posts for a user, by query on author_id");
    session.add_all([
        new_post(
            &alice,
            "Down the rabbit hole",
            "It was all very curious.",
            true,
        ),
        new_post(&alice, "A mad tea party", "No room! No room!", false),
        new_post(&alice, "Drafts", "", false),
        new_post(&bob, "Hello", "First post.", true),
    ])?;
    session.commit()?;
    for p in posts_of(&mut session, alice_id)? {
        println!("{}", show_post(&p));
    }
    let published = session
        .exec(
            select::<Post>()
                .where_(Post::published.eq(true))
                .order_by(Post::id),
        )?
        .all();
    println!("published:");
    for p in &published {
        let author = match p.author_id {
            Some(id) => session.get::<User>(id)?.map(|u| u.username),
            None => None,
        };
        println!(
            "  {:?} by {}",
            p.title,
            author.as_deref().unwrap_or("nobody")
        );
    }
    for u in [alice_id, bob_id] {
        let n = session.exec(select::<Post>().where_(Post::author_id.eq(u)).count())?;
        println!("user #{u} wrote {n} posts");
    }

    step("Bulk statements: update::<User>() and delete::<Post>()");
    let n = session.exec(
        update::<User>()
            .set(User::is_active, false)
            .where_(User::email.ends_with("@example.org")),
    )?;
    println!("deactivated {n} users with an @example.org address");
    let n = session.exec(delete::<Post>().where_(Post::published.eq(false)))?;
    println!("deleted {n} draft posts");
    session.commit()?;
    println!(
        "active users now: {}",
        usernames(&get_active_users(&mut session, 0, 100)?)
    );

    step("Delete a user: their posts are deleted by the database (on_delete = cascade)");
    let posts_before = session.exec(select::<Post>().count())?;
    println!("alice deleted: {}", delete_user(&mut session, alice_id)?);
    println!(
        "alice now: {:?}",
        get_user_by_id(&mut session, alice_id)?.map(|u| u.username)
    );
    println!(
        "posts: {posts_before} before, {} after ({} by alice)",
        session.exec(select::<Post>().count())?,
        session.exec(
            select::<Post>()
                .where_(Post::author_id.eq(alice_id))
                .count()
        )?
    );
    println!("users left: {}", session.exec(select::<User>().count())?);

    println!("\ndone");
    Ok(())
}
