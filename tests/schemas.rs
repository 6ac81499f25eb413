//! API schemas generated from a model: `HeroCreate` in, `HeroPublic` out, `HeroUpdate` for
//! partial updates, with the model's validation rules, and public schemas nesting related
//! models (`public_with`), on SQLite and PostgreSQL.

mod common;

use chrono::{DateTime, Utc};
use common::TestDb;
use serde_json::json;
use tablemodel::Patch;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "heroes", create = HeroCreate, public = HeroPublic, update = HeroUpdate)]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    /// The hero's public name.
    #[model(unique)]
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    pub secret_name: String,
    #[validate(range(min = 0, max = 150))]
    pub age: Option<i32>,
    #[model(default = 1)]
    #[validate(range(min = 1, max = 10))]
    pub power: i32,
    #[model(default = Utc::now, skip_create, skip_update)]
    pub created_at: DateTime<Utc>,
    #[model(skip_public)]
    pub notes: Option<String>,
}

/// The tutorial's heroes with passwords: the create schema has a field of its own, and the
/// model a column no schema shows.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "agents", create = AgentCreate, public = AgentPublic, update = AgentUpdate)]
#[model(create_field(#[validate(length(min = 8))] pub password: String))]
#[model(update_field(pub password: String))]
pub struct Agent {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(email)]
    pub email: String,
    #[model(skip_schemas)]
    pub hashed_password: String,
    #[model(version)]
    pub version: i64,
}

/// A natural key: the create schema carries it, the update schema cannot change it, and the
/// public schema needs no fallible conversion.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "countries", create = CountryCreate, public = CountryPublic, update = CountryUpdate)]
pub struct Country {
    #[model(primary_key)]
    #[validate(length(equal = 2))]
    pub code: String,
    pub name: String,
    /// A default function, called when the client leaves the field out.
    #[model(default = euro)]
    pub currency: String,
    #[model(default = "en")]
    pub language: String,
}

/// A squad and its members: the public schema with the members nested.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "squads", public = SquadPublic)]
#[model(public_with(SquadPublicWithMembers { members: Vec<MemberPublic> }))]
pub struct Squad {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
    #[model(has_many(Member, foreign_key = squad_id))]
    pub members: Related<Vec<Member>>,
}

/// A member of at most one squad, on any number of missions. One schema nests the squad, another
/// the squad with its members and the missions.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "members", public = MemberPublic)]
#[model(public_with(MemberPublicWithSquad { squad: Option<SquadPublic> }))]
#[model(public_with(MemberPublicWithAll {
    squad: Option<SquadPublicWithMembers>,
    missions: Vec<MissionPublic>,
}))]
pub struct Member {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(skip_public)]
    pub secret_name: String,
    #[model(foreign_key = Squad::id)]
    pub squad_id: Option<i64>,
    /// The member's squad.
    #[model(belongs_to(Squad, key = squad_id))]
    pub squad: Related<Option<Squad>>,
    #[model(many_to_many(Mission, link = MemberMission, from = member_id, to = mission_code))]
    pub missions: Related<Vec<Mission>>,
}

/// A natural key: its public conversion is a `From`, which `public_with` takes as well.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "missions", public = MissionPublic)]
pub struct Mission {
    #[model(primary_key)]
    pub code: String,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "member_missions")]
pub struct MemberMission {
    #[model(primary_key, foreign_key = Member::id, on_delete = cascade)]
    pub member_id: i64,
    #[model(primary_key, foreign_key = Mission::code, on_delete = cascade)]
    pub mission_code: String,
}

fn euro() -> String {
    "EUR".to_owned()
}

fn hash(password: &str) -> String {
    format!("hashed:{}", password.chars().rev().collect::<String>())
}

fn failing_fields(error: &Error) -> Vec<String> {
    let Error::Validation(errors) = error else {
        panic!("expected a validation error, got {error:?}");
    };
    let mut fields: Vec<String> = errors
        .field_errors()
        .keys()
        .map(|k| k.to_string())
        .collect();
    fields.sort();
    fields
}

fn create_validates_and_builds_the_model(db: &TestDb) -> Result<()> {
    let create: HeroCreate = serde_json::from_value(json!({
        "id": 99,                      // not in the schema: ignored
        "name": "Deadpond",
        "secret_name": "Dive Wilson",
        "created_at": "1999-01-01T00:00:00Z", // left out of the create schema: ignored
    }))
    .unwrap();
    assert_eq!(create.power, 1, "a literal default fills a missing field");
    assert_eq!(create.age, None);
    let hero = Hero::from_create(create)?;
    assert_eq!(hero.id, None, "the client's id is not taken");
    assert_eq!(
        (hero.name.as_str(), hero.power, hero.notes.as_deref()),
        ("Deadpond", 1, None)
    );
    assert!(hero.created_at > DateTime::<Utc>::from_timestamp(1_000_000_000, 0).unwrap());

    let mut session = db.engine.session()?;
    let handle = session.add(hero)?;
    session.commit()?;
    let stored = session.refresh(handle)?;
    let public = HeroPublic::try_from(stored.clone())?;
    assert_eq!(Some(public.id), stored.id);
    let out = serde_json::to_value(&public).unwrap();
    assert_eq!(out["name"], "Deadpond");
    assert_eq!(out["age"], serde_json::Value::Null);
    assert!(
        out.get("notes").is_none(),
        "skip_public leaves the field out"
    );
    assert!(out.get("created_at").is_some());

    // TryFrom, too.
    let create: HeroCreate = serde_json::from_value(
        json!({"name": "Rusty-Man", "secret_name": "Tommy Sharp", "age": 48, "power": 7}),
    )
    .unwrap();
    let hero: Hero = create.try_into()?;
    assert_eq!((hero.age, hero.power), (Some(48), 7));
    Ok(())
}

fn create_reports_every_failing_field(_db: &TestDb) -> Result<()> {
    let create: HeroCreate = serde_json::from_value(json!({
        "name": "", "secret_name": "x", "age": 200, "power": 11
    }))
    .unwrap();
    let error = Hero::from_create(create).unwrap_err();
    assert_eq!(failing_fields(&error), ["age", "name", "power"]);

    // A required field missing is serde's to refuse, naming it.
    let missing = serde_json::from_value::<HeroCreate>(json!({"name": "Deadpond"})).unwrap_err();
    assert!(missing.to_string().contains("secret_name"), "{missing}");
    Ok(())
}

fn public_needs_a_stored_key(_db: &TestDb) -> Result<()> {
    let unsaved = Hero::new("Deadpond", "Dive Wilson");
    match HeroPublic::try_from(unsaved) {
        Err(Error::Statement(message)) => assert!(message.contains("store it first"), "{message}"),
        other => panic!("expected Error::Statement, got {other:?}"),
    }
    // Without a generated key the conversion cannot fail.
    let public = CountryPublic::from(Country::new("FR", "France"));
    assert_eq!(public.code, "FR");
    Ok(())
}

fn update_tells_absent_from_null(db: &TestDb) -> Result<()> {
    let mut session = db.engine.session()?;
    let handle = session.add(Hero {
        age: Some(48),
        notes: Some("likes tea".into()),
        ..Hero::new("Rusty-Man", "Tommy Sharp")
    })?;
    session.commit()?;
    let mut hero = session.refresh(handle)?;

    // A missing field is kept, `null` clears, a value is written; an unknown field is ignored.
    let update: HeroUpdate =
        serde_json::from_value(json!({"age": null, "power": 3, "id": 7})).unwrap();
    assert_eq!(update.name, Patch::Absent);
    assert_eq!(update.age, Patch::Null);
    assert_eq!(update.power, Patch::Value(3));
    let changed = hero.apply(update)?;
    assert_eq!(changed, ["age", "power"]);
    assert_eq!(
        (hero.age, hero.power, hero.name.as_str()),
        (None, 3, "Rusty-Man")
    );
    assert_eq!(hero.notes.as_deref(), Some("likes tea"));
    session.add(hero.clone())?;
    session.commit()?;
    let stored = session.get::<Hero>(hero.id.unwrap())?.unwrap();
    assert_eq!((stored.age, stored.power), (None, 3));

    // Writing the same value again changes nothing.
    let same: HeroUpdate = serde_json::from_value(json!({"power": 3})).unwrap();
    assert!(hero.apply(same)?.is_empty());

    // The update's own rules, all at once, and nothing written when they fail.
    let bad = HeroUpdate {
        name: Patch::Value(String::new()),
        age: Patch::Value(-1),
        secret_name: Patch::Null, // only Rust code can build this: serde refuses it
        ..HeroUpdate::default()
    };
    let error = hero.apply(bad).unwrap_err();
    assert_eq!(failing_fields(&error), ["age", "name", "secret_name"]);
    assert_eq!(hero.name, "Rusty-Man");
    Ok(())
}

fn update_refuses_null_for_required_fields(_db: &TestDb) -> Result<()> {
    let error = serde_json::from_value::<HeroUpdate>(json!({"name": null})).unwrap_err();
    assert!(error.to_string().contains("cannot be cleared"), "{error}");
    // Serialization leaves absent fields out and writes null for Null.
    let update = HeroUpdate {
        age: Patch::Null,
        power: Patch::Value(2),
        ..HeroUpdate::default()
    };
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"age": null, "power": 2})
    );
    // JSON Schema's integers include `3.0`, as the OpenAPI document promises.
    let whole: HeroUpdate = serde_json::from_value(json!({"age": 48.0, "power": 2.0})).unwrap();
    assert_eq!(
        (whole.age, whole.power),
        (Patch::Value(48), Patch::Value(2))
    );
    assert!(serde_json::from_value::<HeroUpdate>(json!({"power": null})).is_err());
    assert!(serde_json::from_value::<HeroUpdate>(json!({"age": 1.5})).is_err());
    let create: HeroCreate =
        serde_json::from_value(json!({"name": "a", "secret_name": "b", "age": 30.0, "power": 2.0}))
            .unwrap();
    assert_eq!((create.age, create.power), (Some(30), 2));
    let round: HeroUpdate = serde_json::from_value(serde_json::to_value(&update).unwrap()).unwrap();
    assert_eq!(
        (round.age, round.power, round.name),
        (Patch::Null, Patch::Value(2), Patch::Absent)
    );
    Ok(())
}

fn extra_create_fields_need_a_decision(db: &TestDb) -> Result<()> {
    let create: AgentCreate = serde_json::from_value(json!({
        "email": "m@example.com", "password": "correct horse", "hashed_password": "x"
    }))
    .unwrap();
    let agent = Agent::from_create_with(create, |c| hash(&c.password))?;
    assert_eq!(agent.hashed_password, hash("correct horse"));
    assert_eq!(agent.version, 1);

    let mut session = db.engine.session()?;
    let handle = session.add(agent)?;
    session.commit()?;
    let agent = session.refresh(handle)?;
    let public = serde_json::to_value(AgentPublic::try_from(agent.clone())?).unwrap();
    assert_eq!(
        public,
        json!({"id": agent.id, "email": "m@example.com", "version": 1})
    );

    // The extra field's rules count; `fill` does not run when they fail.
    let weak: AgentCreate =
        serde_json::from_value(json!({"email": "not an email", "password": "short"})).unwrap();
    let error = Agent::from_create_with(weak, |_| unreachable!("not called")).unwrap_err();
    assert_eq!(failing_fields(&error), ["email", "password"]);

    // An update's own field is the caller's to use; `apply` writes the columns.
    let mut agent = agent;
    let update: AgentUpdate = serde_json::from_value(json!({"password": "new secret"})).unwrap();
    if let Patch::Value(password) = &update.password {
        agent.hashed_password = hash(password);
    }
    assert!(agent.apply(update)?.is_empty());
    assert_eq!(agent.hashed_password, hash("new secret"));
    Ok(())
}

fn natural_keys(db: &TestDb) -> Result<()> {
    let create: CountryCreate =
        serde_json::from_value(json!({"code": "FRA", "name": "France"})).unwrap();
    assert_eq!(
        failing_fields(&Country::from_create(create).unwrap_err()),
        ["code"]
    );
    let create: CountryCreate =
        serde_json::from_value(json!({"code": "FR", "name": "France", "language": "fr"})).unwrap();
    assert_eq!(
        (create.currency.as_str(), create.language.as_str()),
        ("EUR", "fr")
    );
    let swiss: CountryCreate =
        serde_json::from_value(json!({"code": "CH", "name": "Suisse", "currency": "CHF"})).unwrap();
    assert_eq!(
        (swiss.currency.as_str(), swiss.language.as_str()),
        ("CHF", "en")
    );
    let mut session = db.engine.session()?;
    session.add(Country::from_create(create)?)?;
    session.commit()?;

    // The key is not part of the update: a client cannot move the row.
    let update: CountryUpdate =
        serde_json::from_value(json!({"code": "DE", "name": "République française"})).unwrap();
    let mut france = session.get::<Country>("FR")?.unwrap();
    assert_eq!(france.apply(update)?, ["name"]);
    session.add(france)?;
    session.commit()?;
    assert_eq!(
        session.get::<Country>("FR")?.unwrap().name,
        "République française"
    );
    Ok(())
}

/// The Preventers (Rusty-Man and Tarantula, Rusty-Man on mission "M1") and Spider-Boy, in no
/// squad: the members' keys in that order.
fn preventers(db: &TestDb) -> Result<[i64; 3]> {
    let mut session = db.engine.session()?;
    let mut squad = Squad::new("Preventers");
    squad.members.set(vec![
        Member::new("Rusty-Man", "Tommy Sharp"),
        Member::new("Tarantula", "Natalia Roman-on"),
    ]);
    session.add(squad)?;
    session.add(Member::new("Spider-Boy", "Pedro Parqueador"))?;
    session.add(Mission::new("M1", "Save the city"))?;
    session.commit()?;
    let members = session.exec(select::<Member>().order_by(Member::id))?.all();
    let mission = session.get::<Mission>("M1")?.unwrap();
    session.link(&members[0], Member::missions, &mission)?;
    session.commit()?;
    let ids: Vec<i64> = members.iter().map(|m| m.id.unwrap()).collect();
    Ok([ids[0], ids[1], ids[2]])
}

fn public_with_nests_loaded_relations(db: &TestDb) -> Result<()> {
    let [rusty, tarantula, spider] = preventers(db)?;
    let mut session = db.engine.session()?;

    // belongs_to: the squad's public schema, or None.
    let members = session
        .exec(select::<Member>().order_by(Member::id).load(Member::squad))?
        .all();
    let members: Vec<MemberPublicWithSquad> = members
        .into_iter()
        .map(MemberPublicWithSquad::try_from)
        .collect::<Result<_>>()?;
    let squad = members[0].squad.clone().expect("Rusty-Man has a squad");
    assert_eq!(squad.name, "Preventers");
    assert_eq!(Some(squad.id), members[0].squad_id);
    assert!(members[2].squad.is_none());
    assert_eq!(
        serde_json::to_value(&members[0]).unwrap(),
        json!({
            "id": rusty, "name": "Rusty-Man", "squad_id": squad.id,
            "squad": {"id": squad.id, "name": "Preventers"},
        }),
        "the public columns (no secret_name), then the squad"
    );
    assert_eq!(
        serde_json::to_value(&members[2]).unwrap()["squad"],
        serde_json::Value::Null
    );

    // has_many: every member's public schema, in key order.
    let squad = session
        .exec(select::<Squad>().load(Squad::members))?
        .one()?;
    let squad = SquadPublicWithMembers::try_from(squad)?;
    let names: Vec<&str> = squad.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Rusty-Man", "Tarantula"]);
    assert_eq!(
        serde_json::to_value(&squad.members[1]).unwrap(),
        json!({"id": tarantula, "name": "Tarantula", "squad_id": squad.id})
    );

    // many_to_many, and a nested schema of its own: the squad with its members.
    let spider_boy = session
        .exec(
            select::<Member>()
                .where_(Member::id.eq(spider))
                .load(Member::squad.then(Squad::members))
                .load(Member::missions),
        )?
        .one()?;
    let spider_boy = MemberPublicWithAll::try_from(spider_boy)?;
    assert!(spider_boy.squad.is_none() && spider_boy.missions.is_empty());
    let rusty_man = session
        .exec(
            select::<Member>()
                .where_(Member::id.eq(rusty))
                .load(Member::squad.then(Squad::members))
                .load(Member::missions),
        )?
        .one()?;
    let rusty_man = MemberPublicWithAll::try_from(rusty_man)?;
    assert_eq!(rusty_man.squad.as_ref().unwrap().members.len(), 2);
    assert_eq!(
        serde_json::to_value(&rusty_man.missions).unwrap(),
        json!([{"code": "M1", "title": "Save the city"}])
    );

    // Back from JSON: a response a client reads; a missing relationship is empty.
    let json = serde_json::to_value(&rusty_man).unwrap();
    let read: MemberPublicWithAll = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), json);
    let bare: MemberPublicWithSquad =
        serde_json::from_value(json!({"id": 1, "name": "x", "squad_id": null})).unwrap();
    assert!(bare.squad.is_none());
    Ok(())
}

fn public_with_needs_the_relations_loaded(db: &TestDb) -> Result<()> {
    let [rusty, ..] = preventers(db)?;
    let mut session = db.engine.session()?;
    let not_loaded = |r: Result<MemberPublicWithSquad>| matches!(r, Err(Error::NotLoaded));

    // Read without loading: the relation is not read behind the caller's back.
    let member = session.get::<Member>(rusty)?.unwrap();
    assert!(not_loaded(MemberPublicWithSquad::try_from(member.clone())));
    let squad = session.get::<Squad>(member.squad_id.unwrap())?.unwrap();
    assert!(matches!(
        SquadPublicWithMembers::try_from(squad),
        Err(Error::NotLoaded)
    ));

    // Every nested relationship must be loaded, a nested schema's own ones included.
    let load_squad = |session: &mut Session, nested: bool| -> Result<Member> {
        let query = select::<Member>().where_(Member::id.eq(rusty));
        let query = if nested {
            query.load(Member::squad.then(Squad::members))
        } else {
            query.load(Member::squad)
        };
        session.exec(query)?.one()
    };
    let mut fresh = db.engine.session()?;
    let squad_only = load_squad(&mut fresh, false)?;
    assert!(MemberPublicWithSquad::try_from(squad_only.clone()).is_ok());
    assert!(matches!(
        MemberPublicWithAll::try_from(squad_only),
        Err(Error::NotLoaded)
    ));
    let mut fresh = db.engine.session()?;
    let without_missions = load_squad(&mut fresh, true)?;
    assert!(matches!(
        MemberPublicWithAll::try_from(without_missions),
        Err(Error::NotLoaded)
    ));

    // Loaded by hand works too; a model never stored still has no key to show.
    let mut unsaved = Member::new("Deadpond", "Dive Wilson");
    unsaved.squad.set(None);
    match MemberPublicWithSquad::try_from(unsaved) {
        Err(Error::Statement(message)) => assert!(message.contains("store it first"), "{message}"),
        other => panic!("expected Error::Statement, got {other:?}"),
    }
    Ok(())
}

#[cfg(feature = "utoipa")]
#[test]
fn openapi_nests_the_related_schemas() {
    use utoipa::{PartialSchema, ToSchema};
    let member = serde_json::to_value(MemberPublicWithSquad::schema()).unwrap();
    assert_eq!(MemberPublicWithSquad::name(), "MemberPublicWithSquad");
    let squad = &member["properties"]["squad"];
    assert_eq!(
        squad["oneOf"],
        json!([{"type": "null"}, {"$ref": "#/components/schemas/SquadPublic"}])
    );
    assert_eq!(squad["description"], "The member's squad.");
    assert_eq!(
        member["required"],
        json!(["id", "name", "squad_id", "squad"])
    );
    assert!(member["properties"].get("secret_name").is_none());

    let squad = serde_json::to_value(SquadPublicWithMembers::schema()).unwrap();
    let members = &squad["properties"]["members"];
    assert_eq!(members["type"], "array");
    assert_eq!(
        members["items"],
        json!({"$ref": "#/components/schemas/MemberPublic"})
    );

    // The schemas referred to, nested ones too, for the document's components.
    let mut schemas = Vec::new();
    <MemberPublicWithAll as ToSchema>::schemas(&mut schemas);
    let mut names: Vec<&str> = schemas.iter().map(|(n, _)| n.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["MemberPublic", "MissionPublic", "SquadPublicWithMembers"]
    );
}

#[cfg(feature = "utoipa")]
#[test]
fn openapi_schemas_follow_the_columns_and_rules() {
    use utoipa::{PartialSchema, ToSchema};
    let create = serde_json::to_value(HeroCreate::schema()).unwrap();
    assert_eq!(HeroCreate::name(), "HeroCreate");
    assert_eq!(create["required"], json!(["name", "secret_name"]));
    let name = &create["properties"]["name"];
    assert_eq!(
        (
            name["type"].clone(),
            name["minLength"].clone(),
            name["maxLength"].clone()
        ),
        (json!("string"), json!(1), json!(100))
    );
    assert_eq!(name["description"], "The hero's public name.");
    assert_eq!(
        create["properties"]["age"]["type"],
        json!(["integer", "null"])
    );
    assert_eq!(create["properties"]["age"]["maximum"], json!(150));
    assert!(create["properties"].get("id").is_none());

    let public = serde_json::to_value(HeroPublic::schema()).unwrap();
    assert_eq!(public["properties"]["id"]["type"], "integer");
    assert_eq!(public["properties"]["created_at"]["format"], "date-time");
    assert!(public["properties"].get("notes").is_none());

    let update = serde_json::to_value(HeroUpdate::schema()).unwrap();
    assert!(update.get("required").is_none());
    assert_eq!(update["properties"]["name"]["type"], "string");
    assert_eq!(
        update["properties"]["age"]["type"],
        json!(["integer", "null"])
    );

    let agent = serde_json::to_value(AgentCreate::schema()).unwrap();
    assert_eq!(agent["properties"]["email"]["format"], "email");
    assert_eq!(agent["properties"]["password"]["type"], "string");
    assert!(agent["properties"].get("hashed_password").is_none());
}

backend_tests!(
    create_validates_and_builds_the_model,
    create_reports_every_failing_field,
    public_needs_a_stored_key,
    update_tells_absent_from_null,
    update_refuses_null_for_required_fields,
    extra_create_fields_need_a_decision,
    natural_keys,
    public_with_nests_loaded_relations,
    public_with_needs_the_relations_loaded,
);
