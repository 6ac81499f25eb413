//! SQLModel's FastAPI tutorial, the heroes and teams API, with axum.
//!
//! ```sh
//! cargo run --features axum --example heroes_api                 # on an in-memory SQLite database
//! cargo run --features axum,utoipa --example heroes_api          # also serves /openapi.json
//! DATABASE_URL=sqlite:///database.db cargo run --features axum --example heroes_api
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo run --features axum,postgres --example heroes_api
//! ```
//!
//! It serves on 127.0.0.1:8000 (or `ADDR`):
//!
//! | Route | Does |
//! |-------|------|
//! | `POST /heroes/` | creates a hero from a `HeroCreate` (its `password` hashed with Argon2id into `hashed_password`, which no response shows): 201 and the `HeroPublic` |
//! | `GET /heroes/?offset=0&limit=100` | a page of heroes; `limit` is at most 100 |
//! | `GET /heroes/{hero_id}` | one hero with its team (`HeroPublicWithTeam`), or 404 |
//! | `PATCH /heroes/{hero_id}` | writes the fields the `HeroUpdate` carries: a field left out is kept, `"age": null` clears the age |
//! | `DELETE /heroes/{hero_id}` | `{"ok": true}`, or 404 |
//! | `POST`, `GET`, `PATCH`, `DELETE` `/teams/...` | the same for teams; `GET /teams/{team_id}` answers the team with its heroes (`TeamPublicWithHeroes`); deleting a team leaves its heroes without one |
//!
//! Errors are JSON (`tablemodel::axum::ApiError`): 404 for a missing row, 422 for a body that is
//! malformed or breaks a rule (naming each field and rule), 409 for a team name already taken.
//! The schemas with related models nested (`public_with`) are filled from relationships loaded
//! with the hero or team, in one query more.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tablemodel::AsyncEngine;
use tablemodel::axum::{ApiError, Db};
use tablemodel::prelude::*;

/// A team of heroes.
#[derive(Model, Debug, Clone)]
#[model(table = "team", create = TeamCreate, public = TeamPublic, update = TeamUpdate)]
#[model(public_with(TeamPublicWithHeroes { heroes: Vec<HeroPublic> }))]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    /// The team's name, unique.
    #[model(unique)]
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    /// Where the team meets.
    #[validate(length(max = 200))]
    pub headquarters: String,
    /// The team's heroes.
    #[model(has_many(Hero, foreign_key = team_id))]
    pub heroes: Related<Vec<Hero>>,
}

/// A hero. The create schema takes a password, which the API stores hashed; no schema shows the
/// hash.
#[derive(Model, Debug, Clone)]
#[model(table = "hero", create = HeroCreate, public = HeroPublic, update = HeroUpdate)]
#[model(public_with(HeroPublicWithTeam { team: Option<TeamPublic> }))]
#[model(create_field(
    /// The hero's password, stored hashed and never returned.
    pub password: String
))]
#[model(update_field(
    /// A new password, stored hashed.
    pub password: String
))]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    /// The hero's public name.
    #[model(index)]
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    /// Who the hero really is.
    pub secret_name: String,
    /// Age in years, if known.
    #[model(index)]
    #[validate(range(min = 0, max = 10_000))]
    pub age: Option<i32>,
    #[model(skip_schemas)]
    pub hashed_password: String,
    /// The hero's team, if any.
    #[model(foreign_key = Team::id, on_delete = set_null, index)]
    pub team_id: Option<i64>,
    /// The hero's team, `null` when the hero has none.
    #[model(belongs_to(Team, key = team_id))]
    pub team: Related<Option<Team>>,
}

/// Hashes a password with Argon2id and a random salt, as a PHC string (`$argon2id$v=19$...`).
pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .expect("Argon2 with its default parameters hashes any password")
        .to_string()
}

/// `?offset=0&limit=100`, as the tutorial's list routes take them.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "utoipa", into_params(parameter_in = Query))]
pub struct Page {
    /// Rows to skip.
    #[serde(default)]
    #[cfg_attr(feature = "utoipa", param(minimum = 0))]
    pub offset: i64,
    /// Rows to return, at most 100.
    #[serde(default = "Page::default_limit")]
    #[cfg_attr(feature = "utoipa", param(minimum = 0, maximum = 100, default = 100))]
    pub limit: i64,
}

impl Page {
    fn default_limit() -> i64 {
        100
    }

    /// Offset and limit for a query, or 422 when they are out of range.
    fn bounds(query: Result<Query<Page>, QueryRejection>) -> Result<(u64, u64), ApiError> {
        let Query(page) = query?;
        let out_of_range = |what: &str| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{what} is out of range"),
            )
        };
        let offset = u64::try_from(page.offset).map_err(|_| out_of_range("offset"))?;
        let limit = u64::try_from(page.limit)
            .ok()
            .filter(|&l| l <= 100)
            .ok_or_else(|| out_of_range("limit (0 to 100)"))?;
        Ok((offset, limit))
    }
}

/// Runs CPU-heavy `work` (password hashing) on tokio's blocking pool.
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::from(Error::backend(e)))
}

/// `{"ok": true}`, the tutorial's answer to a delete.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Deleted {
    /// Always true.
    pub ok: bool,
}

type Reply<T> = Result<Json<T>, ApiError>;

#[cfg_attr(feature = "utoipa", utoipa::path(
    post, path = "/heroes/", tag = "heroes", request_body = HeroCreate,
    responses(
        (status = 201, description = "The hero, as stored", body = HeroPublic),
        (status = 400, description = "The body is not JSON", body = tablemodel::axum::ErrorBody),
        (status = 409, description = "The team does not exist", body = tablemodel::axum::ErrorBody),
        (status = 415, description = "The body is not declared JSON", body = tablemodel::axum::ErrorBody),
        (status = 422, description = "A field is missing, mistyped or breaks a rule", body = tablemodel::axum::ErrorBody),
    )
))]
async fn create_hero(
    mut db: Db,
    body: Result<Json<HeroCreate>, JsonRejection>,
) -> Result<(StatusCode, Json<HeroPublic>), ApiError> {
    let Json(hero) = body?;
    // Validated before the (deliberately slow) hash is computed, which runs on tokio's
    // blocking pool: not on the runtime's threads, nor holding a database connection.
    let hero =
        off_runtime(move || Hero::from_create_with(hero, |h| hash_password(&h.password))).await??;
    let handle = db.add(hero).await?;
    db.commit().await?;
    let hero = db.refresh(handle).await?;
    Ok((StatusCode::CREATED, Json(HeroPublic::try_from(hero)?)))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    get, path = "/heroes/", tag = "heroes", params(Page),
    responses(
        (status = 200, description = "A page of heroes", body = Vec<HeroPublic>),
        (status = 400, description = "A parameter is not a number", body = tablemodel::axum::ErrorBody),
        (status = 422, description = "A parameter is out of range", body = tablemodel::axum::ErrorBody),
    )
))]
async fn read_heroes(
    mut db: Db,
    page: Result<Query<Page>, QueryRejection>,
) -> Reply<Vec<HeroPublic>> {
    let (offset, limit) = Page::bounds(page)?;
    let query = select::<Hero>()
        .order_by(Hero::id)
        .offset(offset)
        .limit(limit);
    let heroes = db.exec(query).await?.all();
    let heroes = heroes.into_iter().map(HeroPublic::try_from);
    Ok(Json(heroes.collect::<Result<_>>()?))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    get, path = "/heroes/{hero_id}", tag = "heroes",
    params(("hero_id" = i64, Path, description = "The hero's id")),
    responses(
        (status = 200, description = "The hero, with its team", body = HeroPublicWithTeam),
        (status = 400, description = "The id is not a number", body = tablemodel::axum::ErrorBody),
        (status = 404, description = "No such hero", body = tablemodel::axum::ErrorBody),
    )
))]
async fn read_hero(mut db: Db, id: Result<Path<i64>, PathRejection>) -> Reply<HeroPublicWithTeam> {
    let Path(hero_id) = id?;
    let query = select::<Hero>()
        .where_(Hero::id.eq(hero_id))
        .load(Hero::team);
    let hero = db.exec(query).await?.first();
    let hero = hero.ok_or_else(|| ApiError::not_found("Hero not found"))?;
    Ok(Json(HeroPublicWithTeam::try_from(hero)?))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    patch, path = "/heroes/{hero_id}", tag = "heroes", request_body = HeroUpdate,
    params(("hero_id" = i64, Path, description = "The hero's id")),
    responses(
        (status = 200, description = "The hero, updated", body = HeroPublic),
        (status = 400, description = "The id is not a number, or the body not JSON", body = tablemodel::axum::ErrorBody),
        (status = 404, description = "No such hero", body = tablemodel::axum::ErrorBody),
        (status = 409, description = "The team does not exist", body = tablemodel::axum::ErrorBody),
        (status = 415, description = "The body is not declared JSON", body = tablemodel::axum::ErrorBody),
        (status = 422, description = "A field is mistyped, null where it cannot be, or breaks a rule", body = tablemodel::axum::ErrorBody),
    )
))]
async fn update_hero(
    mut db: Db,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<HeroUpdate>, JsonRejection>,
) -> Reply<HeroPublic> {
    let Path(hero_id) = id?;
    let Json(update) = body?;
    let mut hero = db
        .get::<Hero>(hero_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Hero not found"))?;
    // The update's own field first: `apply` writes only columns. The hash runs on tokio's
    // blocking pool.
    let password = update.password.value().cloned();
    hero.apply(update)?;
    if let Some(password) = password {
        hero.hashed_password = off_runtime(move || hash_password(&password)).await?;
    }
    db.add(hero.clone()).await?;
    db.commit().await?;
    Ok(Json(HeroPublic::try_from(hero)?))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    delete, path = "/heroes/{hero_id}", tag = "heroes",
    params(("hero_id" = i64, Path, description = "The hero's id")),
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 400, description = "The id is not a number", body = tablemodel::axum::ErrorBody),
        (status = 404, description = "No such hero", body = tablemodel::axum::ErrorBody),
    )
))]
async fn delete_hero(mut db: Db, id: Result<Path<i64>, PathRejection>) -> Reply<Deleted> {
    let Path(hero_id) = id?;
    let hero = db
        .get::<Hero>(hero_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Hero not found"))?;
    db.delete(hero).await?;
    db.commit().await?;
    Ok(Json(Deleted { ok: true }))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    post, path = "/teams/", tag = "teams", request_body = TeamCreate,
    responses(
        (status = 201, description = "The team, as stored", body = TeamPublic),
        (status = 400, description = "The body is not JSON", body = tablemodel::axum::ErrorBody),
        (status = 409, description = "The name is taken", body = tablemodel::axum::ErrorBody),
        (status = 415, description = "The body is not declared JSON", body = tablemodel::axum::ErrorBody),
        (status = 422, description = "A field is missing, mistyped or breaks a rule", body = tablemodel::axum::ErrorBody),
    )
))]
async fn create_team(
    mut db: Db,
    body: Result<Json<TeamCreate>, JsonRejection>,
) -> Result<(StatusCode, Json<TeamPublic>), ApiError> {
    let Json(team) = body?;
    let handle = db.add(Team::from_create(team)?).await?;
    db.commit().await?;
    let team = db.refresh(handle).await?;
    Ok((StatusCode::CREATED, Json(TeamPublic::try_from(team)?)))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    get, path = "/teams/", tag = "teams", params(Page),
    responses(
        (status = 200, description = "A page of teams", body = Vec<TeamPublic>),
        (status = 400, description = "A parameter is not a number", body = tablemodel::axum::ErrorBody),
        (status = 422, description = "A parameter is out of range", body = tablemodel::axum::ErrorBody),
    )
))]
async fn read_teams(
    mut db: Db,
    page: Result<Query<Page>, QueryRejection>,
) -> Reply<Vec<TeamPublic>> {
    let (offset, limit) = Page::bounds(page)?;
    let query = select::<Team>()
        .order_by(Team::id)
        .offset(offset)
        .limit(limit);
    let teams = db.exec(query).await?.all();
    let teams = teams.into_iter().map(TeamPublic::try_from);
    Ok(Json(teams.collect::<Result<_>>()?))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    get, path = "/teams/{team_id}", tag = "teams",
    params(("team_id" = i64, Path, description = "The team's id")),
    responses(
        (status = 200, description = "The team, with its heroes", body = TeamPublicWithHeroes),
        (status = 400, description = "The id is not a number", body = tablemodel::axum::ErrorBody),
        (status = 404, description = "No such team", body = tablemodel::axum::ErrorBody),
    )
))]
async fn read_team(
    mut db: Db,
    id: Result<Path<i64>, PathRejection>,
) -> Reply<TeamPublicWithHeroes> {
    let Path(team_id) = id?;
    let query = select::<Team>()
        .where_(Team::id.eq(team_id))
        .load(Team::heroes);
    let team = db.exec(query).await?.first();
    let team = team.ok_or_else(|| ApiError::not_found("Team not found"))?;
    Ok(Json(TeamPublicWithHeroes::try_from(team)?))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    patch, path = "/teams/{team_id}", tag = "teams", request_body = TeamUpdate,
    params(("team_id" = i64, Path, description = "The team's id")),
    responses(
        (status = 200, description = "The team, updated", body = TeamPublic),
        (status = 400, description = "The id is not a number, or the body not JSON", body = tablemodel::axum::ErrorBody),
        (status = 404, description = "No such team", body = tablemodel::axum::ErrorBody),
        (status = 409, description = "The name is taken", body = tablemodel::axum::ErrorBody),
        (status = 415, description = "The body is not declared JSON", body = tablemodel::axum::ErrorBody),
        (status = 422, description = "A field is mistyped, null, or breaks a rule", body = tablemodel::axum::ErrorBody),
    )
))]
async fn update_team(
    mut db: Db,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<TeamUpdate>, JsonRejection>,
) -> Reply<TeamPublic> {
    let Path(team_id) = id?;
    let Json(update) = body?;
    let mut team = db
        .get::<Team>(team_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Team not found"))?;
    team.apply(update)?;
    db.add(team.clone()).await?;
    db.commit().await?;
    Ok(Json(TeamPublic::try_from(team)?))
}

#[cfg_attr(feature = "utoipa", utoipa::path(
    delete, path = "/teams/{team_id}", tag = "teams",
    params(("team_id" = i64, Path, description = "The team's id")),
    responses(
        (status = 200, description = "Deleted; its heroes are left without a team", body = Deleted),
        (status = 400, description = "The id is not a number", body = tablemodel::axum::ErrorBody),
        (status = 404, description = "No such team", body = tablemodel::axum::ErrorBody),
    )
))]
async fn delete_team(mut db: Db, id: Result<Path<i64>, PathRejection>) -> Reply<Deleted> {
    let Path(team_id) = id?;
    let team = db
        .get::<Team>(team_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Team not found"))?;
    db.delete(team).await?;
    db.commit().await?;
    Ok(Json(Deleted { ok: true }))
}

/// The OpenAPI document of the routes above.
#[cfg(feature = "utoipa")]
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Heroes API",
        description = "SQLModel's FastAPI tutorial on tablemodel and axum"
    ),
    paths(
        create_hero,
        read_heroes,
        read_hero,
        update_hero,
        delete_hero,
        create_team,
        read_teams,
        read_team,
        update_team,
        delete_team,
    ),
    components(schemas(
        HeroCreate,
        HeroPublic,
        HeroUpdate,
        HeroPublicWithTeam,
        TeamCreate,
        TeamPublic,
        TeamUpdate,
        TeamPublicWithHeroes,
        Deleted,
        tablemodel::axum::ErrorBody,
    ))
)]
pub struct ApiDoc;

/// The application: every route, over the engine's database (whose tables must exist).
pub fn app(engine: AsyncEngine) -> Router {
    let router = Router::new()
        .route("/heroes/", get(read_heroes).post(create_hero))
        .route(
            "/heroes/{hero_id}",
            get(read_hero).patch(update_hero).delete(delete_hero),
        )
        .route("/teams/", get(read_teams).post(create_team))
        .route(
            "/teams/{team_id}",
            get(read_team).patch(update_team).delete(delete_team),
        );
    #[cfg(feature = "utoipa")]
    let router = router.route(
        "/openapi.json",
        get(|| async { Json(<ApiDoc as utoipa::OpenApi>::openapi()) }),
    );
    router.with_state(engine)
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".to_owned());
    let engine = tablemodel::create_async_engine(&url).await?;
    engine.run_sync(|e| metadata().create_all(e)).await??;
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "heroes API on http://{addr} ({} database)",
        engine.dialect().name()
    );
    if cfg!(feature = "utoipa") {
        println!("OpenAPI document: http://{addr}/openapi.json");
    }
    axum::serve(listener, app(engine))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
