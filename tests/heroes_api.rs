//! The heroes web API example over real HTTP, following the test sequences of SQLModel's
//! FastAPI tutorial, on SQLite and PostgreSQL: the app listens on an ephemeral loopback port and
//! a blocking client (ureq) drives it.

mod common;

#[allow(dead_code)]
#[path = "../examples/heroes_api.rs"]
mod heroes_api;

use std::time::Duration;

use common::TestDb;
use heroes_api::Hero;
use serde_json::{Value, json};
use tablemodel::prelude::*;

/// The example app, serving on 127.0.0.1 at a port the system picked.
struct Api {
    base: String,
    agent: ureq::Agent,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Api {
    fn start(db: &TestDb) -> Api {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let addr = listener.local_addr().expect("bound address");
        let engine = tablemodel::AsyncEngine::new(db.engine.clone());
        let app = heroes_api::app(engine);
        runtime.spawn(async move { axum::serve(listener, app).await });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Api {
            base: format!("http://{addr}"),
            agent,
            runtime: Some(runtime),
        }
    }

    /// Sends a request (with a JSON body if given) and returns the status and JSON body.
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let response = match (method, body) {
            ("GET", None) => self.agent.get(&url).call(),
            ("DELETE", None) => self.agent.delete(&url).call(),
            ("POST", Some(b)) => self.agent.post(&url).send_json(b),
            ("PATCH", Some(b)) => self.agent.patch(&url).send_json(b),
            (m, b) => panic!("no such request in these tests: {m} with body {b:?}"),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            content_type, "application/json",
            "{method} {path} answered {status} without JSON"
        );
        let json = response
            .body_mut()
            .read_json::<Value>()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        (status, json)
    }

    fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, None)
    }
    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, Some(body))
    }
    fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("PATCH", path, Some(body))
    }
    fn delete(&self, path: &str) -> (u16, Value) {
        self.send("DELETE", path, None)
    }

    /// Creates a hero that must be accepted, returning its JSON.
    fn hero(&self, body: Value) -> Value {
        let (status, hero) = self.post("/heroes/", body);
        assert_eq!(status, 201, "{hero}");
        hero
    }
}

impl Drop for Api {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

/// `hero` (a `HeroPublic`) as `GET /heroes/{id}` answers it: with its team, here none.
fn with_no_team(hero: &Value) -> Value {
    let mut hero = hero.clone();
    hero["team"] = Value::Null;
    hero
}

/// A response never shows a password or its hash.
fn assert_no_secret(json: &Value) {
    let text = json.to_string();
    assert!(
        !text.contains("password") && !text.contains("argon2"),
        "{text}"
    );
}

fn create_hero(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let (status, hero) = api.post(
        "/heroes/",
        json!({"name": "Deadpond", "secret_name": "Dive Wilson", "password": "chimichanga"}),
    );
    assert_eq!(status, 201, "{hero}");
    assert_eq!(hero["name"], "Deadpond");
    assert_eq!(hero["secret_name"], "Dive Wilson");
    assert_eq!(hero["age"], Value::Null);
    assert!(hero["id"].is_i64());
    assert_no_secret(&hero);
    Ok(())
}

fn create_hero_ignores_the_client_id(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let hero = api.hero(json!({
        "id": 9000, "name": "Deadpond", "secret_name": "Dive Wilson", "password": "x"
    }));
    assert_ne!(hero["id"], 9000);
    assert_eq!(api.get("/heroes/9000").0, 404);
    assert_eq!(api.get(&format!("/heroes/{}", hero["id"])).0, 200);
    Ok(())
}

fn create_hero_incomplete(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    // No secret_name.
    let (status, body) = api.post("/heroes/", json!({"name": "Deadpond", "password": "x"}));
    assert_eq!(status, 422);
    assert!(
        body["detail"].as_str().unwrap().contains("secret_name"),
        "{body}"
    );
    assert_eq!(api.get("/heroes/").1, json!([]));
    Ok(())
}

fn create_hero_invalid(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let (status, body) = api.post(
        "/heroes/",
        json!({
            "name": "Deadpond",
            "secret_name": {"message": "Do you wanna know my secret identity?"},
            "password": "x",
        }),
    );
    assert_eq!(status, 422, "{body}");

    // Every broken rule, by field.
    let (status, body) = api.post(
        "/heroes/",
        json!({"name": "", "secret_name": "x", "age": -1, "password": "x"}),
    );
    assert_eq!(status, 422);
    let errors: Vec<(&str, &str)> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [("age", "range"), ("name", "length")], "{body}");
    assert_eq!(body["errors"][1]["params"], json!({"min": 1, "max": 100}));
    Ok(())
}

fn read_heroes_with_pagination(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    for (name, secret) in [
        ("Deadpond", "Dive Wilson"),
        ("Rusty-Man", "Tommy Sharp"),
        ("Spider-Boy", "Pedro Parqueador"),
    ] {
        api.hero(json!({"name": name, "secret_name": secret, "password": "x"}));
    }
    let (status, all) = api.get("/heroes/");
    assert_eq!(status, 200);
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Deadpond", "Rusty-Man", "Spider-Boy"]);
    all.as_array().unwrap().iter().for_each(assert_no_secret);

    let (_, page) = api.get("/heroes/?offset=1&limit=1");
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(page[0]["name"], "Rusty-Man");
    assert_eq!(api.get("/heroes/?offset=2").1.as_array().unwrap().len(), 1);
    assert_eq!(api.get("/heroes/?limit=100").1.as_array().unwrap().len(), 3);
    assert_eq!(api.get("/heroes/?limit=101").0, 422);
    assert_eq!(api.get("/heroes/?offset=-1").0, 422);
    assert_eq!(api.get("/heroes/?limit=many").0, 400);
    Ok(())
}

fn read_hero(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let created =
        api.hero(json!({"name": "Deadpond", "secret_name": "Dive Wilson", "password": "x"}));
    let (status, hero) = api.get(&format!("/heroes/{}", created["id"]));
    assert_eq!(status, 200);
    assert_eq!(hero, with_no_team(&created));
    let (status, body) = api.get("/heroes/424242");
    assert_eq!((status, body), (404, json!({"detail": "Hero not found"})));
    assert_eq!(api.get("/heroes/not-a-number").0, 400);
    Ok(())
}

fn update_hero(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let created = api.hero(json!({
        "name": "Deadpond", "secret_name": "Dive Wilson", "age": 30, "password": "x"
    }));
    let path = format!("/heroes/{}", created["id"]);

    // One field changes, the others stay.
    let (status, hero) = api.patch(&path, json!({"name": "Deadpuddle"}));
    assert_eq!(status, 200, "{hero}");
    assert_eq!(hero["name"], "Deadpuddle");
    assert_eq!(hero["secret_name"], "Dive Wilson");
    assert_eq!(hero["age"], 30);
    assert_eq!(api.get(&path).1, with_no_team(&hero));

    // null clears a NULL-able field; a field that cannot be NULL refuses it.
    let (_, hero) = api.patch(&path, json!({"age": null}));
    assert_eq!(hero["age"], Value::Null);
    assert_eq!(api.get(&path).1["age"], Value::Null);
    let (status, body) = api.patch(&path, json!({"secret_name": null}));
    assert_eq!(status, 422);
    assert!(
        body["detail"].as_str().unwrap().contains("secret_name"),
        "{body}"
    );

    // Rules hold for updates too, and a failed update leaves the row alone.
    let (status, body) = api.patch(&path, json!({"name": "", "age": 5}));
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "name");
    assert_eq!(api.get(&path).1, with_no_team(&hero));

    // An empty patch changes nothing; an unknown hero is a 404.
    assert_eq!(api.patch(&path, json!({})).1, hero);
    let (status, body) = api.patch("/heroes/424242", json!({"name": "Nobody"}));
    assert_eq!((status, body), (404, json!({"detail": "Hero not found"})));
    Ok(())
}

fn passwords_are_hashed_and_never_returned(db: &TestDb) -> Result<()> {
    use argon2::password_hash::{PasswordVerifier, phc::PasswordHash};
    let api = Api::start(db);
    let created = api.hero(json!({
        "name": "Deadpond", "secret_name": "Dive Wilson", "password": "chimichanga"
    }));
    assert_no_secret(&created);
    let id = created["id"].as_i64().unwrap();
    let stored = |engine: &Engine| -> Result<String> {
        Ok(engine.session()?.get::<Hero>(id)?.unwrap().hashed_password)
    };
    let verifies = |hash: &str, password: &str| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &PasswordHash::new(hash).unwrap())
            .is_ok()
    };
    let hash = stored(&db.engine)?;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(verifies(&hash, "chimichanga") && !verifies(&hash, "wrong"));

    // A PATCH without a password keeps the hash; with one, replaces it.
    let (_, hero) = api.patch(&format!("/heroes/{id}"), json!({"age": 31}));
    assert_no_secret(&hero);
    assert_eq!(stored(&db.engine)?, hash);
    let (_, hero) = api.patch(&format!("/heroes/{id}"), json!({"password": "new one"}));
    assert_no_secret(&hero);
    let new_hash = stored(&db.engine)?;
    assert!(verifies(&new_hash, "new one") && !verifies(&new_hash, "chimichanga"));
    for (_, body) in [api.get("/heroes/"), api.get(&format!("/heroes/{id}"))] {
        assert_no_secret(&body);
    }
    Ok(())
}

fn delete_hero(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let created =
        api.hero(json!({"name": "Deadpond", "secret_name": "Dive Wilson", "password": "x"}));
    let path = format!("/heroes/{}", created["id"]);
    assert_eq!(api.delete(&path), (200, json!({"ok": true})));
    assert_eq!(api.get(&path).0, 404);
    assert_eq!(
        api.delete(&path),
        (404, json!({"detail": "Hero not found"}))
    );
    assert!(
        db.engine
            .session()?
            .get::<Hero>(created["id"].as_i64().unwrap())?
            .is_none()
    );
    Ok(())
}

fn teams(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let (status, team) = api.post(
        "/teams/",
        json!({"name": "Preventers", "headquarters": "Sharp Tower"}),
    );
    assert_eq!(status, 201, "{team}");
    let team_path = format!("/teams/{}", team["id"]);

    // The name is unique: a second team of that name is a conflict naming the column.
    let (status, body) = api.post(
        "/teams/",
        json!({"name": "Preventers", "headquarters": "Elsewhere"}),
    );
    assert_eq!(status, 409);
    assert_eq!(body["columns"], json!(["name"]));

    let (_, teams) = api.get("/teams/?limit=10");
    assert_eq!(teams, json!([team.clone()]));
    let (_, team) = api.patch(&team_path, json!({"headquarters": "Sister Margaret's Bar"}));
    assert_eq!(team["name"], "Preventers");
    assert_eq!(team["headquarters"], "Sister Margaret's Bar");
    assert_eq!(api.get("/teams/424242").0, 404);

    // A hero on the team; a team that does not exist is refused.
    let hero = api.hero(json!({
        "name": "Rusty-Man", "secret_name": "Tommy Sharp", "password": "x", "team_id": team["id"]
    }));
    assert_eq!(hero["team_id"], team["id"]);
    let (status, _) = api.post(
        "/heroes/",
        json!({"name": "Nobody", "secret_name": "x", "password": "x", "team_id": 424242}),
    );
    assert_eq!(status, 409);

    // Deleting the team leaves its hero without one.
    assert_eq!(api.delete(&team_path), (200, json!({"ok": true})));
    assert_eq!(api.get(&team_path).0, 404);
    let (_, hero) = api.get(&format!("/heroes/{}", hero["id"]));
    assert_eq!(hero["team_id"], Value::Null);
    assert_eq!(api.delete(&team_path).0, 404);
    Ok(())
}

/// The tutorial's `HeroPublicWithTeam` and `TeamPublicWithHeroes`: a hero read alone comes with
/// its team, a team with its heroes.
fn read_with_relationships(db: &TestDb) -> Result<()> {
    let api = Api::start(db);
    let (_, preventers) = api.post(
        "/teams/",
        json!({"name": "Preventers", "headquarters": "Sharp Tower"}),
    );
    let (_, z_force) = api.post(
        "/teams/",
        json!({"name": "Z-Force", "headquarters": "Sister Margaret's Bar"}),
    );
    let rusty = api.hero(json!({
        "name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48, "password": "x",
        "team_id": preventers["id"],
    }));
    let spider = api.hero(json!({
        "name": "Spider-Boy", "secret_name": "Pedro Parqueador", "password": "x"
    }));
    let tarantula = api.hero(json!({
        "name": "Tarantula", "secret_name": "Natalia Roman-on", "age": 32, "password": "x",
        "team_id": preventers["id"],
    }));

    // A hero with its team, as TeamPublic; without one, null.
    let (status, hero) = api.get(&format!("/heroes/{}", rusty["id"]));
    assert_eq!(status, 200, "{hero}");
    let mut expected = rusty.clone();
    expected["team"] = preventers.clone();
    assert_eq!(hero, expected);
    assert_no_secret(&hero);
    let (_, hero) = api.get(&format!("/heroes/{}", spider["id"]));
    assert_eq!(hero, with_no_team(&spider));

    // A team with its heroes, each a HeroPublic, in the order they were created.
    let team_path = format!("/teams/{}", preventers["id"]);
    let (status, team) = api.get(&team_path);
    assert_eq!(status, 200, "{team}");
    let mut expected = preventers.clone();
    expected["heroes"] = json!([rusty, tarantula]);
    assert_eq!(team, expected);
    assert_no_secret(&team);
    let (_, team) = api.get(&format!("/teams/{}", z_force["id"]));
    assert_eq!(team["heroes"], json!([]));

    // A hero moved to another team shows up there, and the list routes stay plain.
    let (_, moved) = api.patch(
        &format!("/heroes/{}", spider["id"]),
        json!({"team_id": z_force["id"]}),
    );
    assert!(moved.get("team").is_none(), "{moved}");
    let (_, hero) = api.get(&format!("/heroes/{}", spider["id"]));
    assert_eq!(hero["team"], z_force);
    let (_, team) = api.get(&format!("/teams/{}", z_force["id"]));
    assert_eq!(team["heroes"], json!([moved]));
    let (_, heroes) = api.get("/heroes/");
    assert!(heroes[0].get("team").is_none(), "{heroes}");
    let (_, teams) = api.get("/teams/");
    assert!(teams[0].get("heroes").is_none(), "{teams}");
    assert_eq!(
        api.get("/teams/424242"),
        (404, json!({"detail": "Team not found"}))
    );
    Ok(())
}

backend_tests!(
    create_hero,
    create_hero_ignores_the_client_id,
    create_hero_incomplete,
    create_hero_invalid,
    read_heroes_with_pagination,
    read_hero,
    update_hero,
    passwords_are_hashed_and_never_returned,
    delete_hero,
    teams,
    read_with_relationships,
);

#[cfg(feature = "utoipa")]
#[test]
fn serves_the_openapi_document() {
    let db = TestDb::sqlite("openapi");
    let api = Api::start(&db);
    let (status, doc) = api.get("/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let schemas = &doc["components"]["schemas"];
    for name in [
        "HeroCreate",
        "HeroPublic",
        "HeroUpdate",
        "HeroPublicWithTeam",
        "TeamCreate",
        "TeamPublicWithHeroes",
        "ErrorBody",
    ] {
        assert!(schemas.get(name).is_some(), "no {name} schema");
    }
    assert_eq!(
        schemas["HeroCreate"]["required"],
        json!(["name", "secret_name", "password"])
    );
    assert!(
        schemas["HeroPublic"]["properties"]
            .get("hashed_password")
            .is_none()
    );
    assert!(doc["paths"]["/heroes/{hero_id}"]["patch"].is_object());

    // The nested schemas refer to the related models' public schemas.
    assert_eq!(
        schemas["HeroPublicWithTeam"]["properties"]["team"]["oneOf"][1]["$ref"],
        "#/components/schemas/TeamPublic"
    );
    assert_eq!(
        schemas["TeamPublicWithHeroes"]["properties"]["heroes"]["items"]["$ref"],
        "#/components/schemas/HeroPublic"
    );
    let read = &doc["paths"]["/teams/{team_id}"]["get"]["responses"]["200"];
    assert_eq!(
        read["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/TeamPublicWithHeroes"
    );
}
