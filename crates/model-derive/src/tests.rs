//! Snapshots of what the derive generates for representative models, pretty-printed, and the
//! messages of the mistakes it refuses.
//!
//! A change to the generated code shows up here as a snapshot diff to review; a refactoring of
//! the generator leaves every snapshot as it was. Built with the `utoipa` feature, the API
//! schemas also implement `ToSchema`: the snapshots of models with schemas then carry the suffix
//! `utoipa`, so both sets live side by side (`cargo test -p model-derive` and
//! `cargo test -p model-derive --features utoipa`); models without schemas expand the same
//! either way and share one snapshot.

use syn::DeriveInput;

use crate::{expand, parse};

/// The derive's output for `input`, as formatted Rust source, and whether it has API schemas
/// (which the `utoipa` feature changes).
fn expansion(input: &DeriveInput) -> (String, bool) {
    let model = match parse::Model::from_input(input) {
        Ok(model) => model,
        Err(errors) => panic!("the model is refused: {:?}", messages(errors)),
    };
    let s = &model.schemas;
    let schemas =
        s.create.is_some() || s.public.is_some() || s.update.is_some() || !s.public_with.is_empty();
    let tokens = expand::expand(&model);
    let file: syn::File = match syn::parse2(tokens.clone()) {
        Ok(file) => file,
        Err(e) => panic!("the generated code does not parse ({e}):\n{tokens}"),
    };
    (prettyplease::unparse(&file), schemas)
}

/// Every message the derive reports for `input`.
fn errors(input: &DeriveInput) -> Vec<String> {
    match parse::Model::from_input(input) {
        Ok(_) => panic!("the model is accepted"),
        Err(errors) => messages(errors),
    }
}

fn messages(errors: syn::Error) -> Vec<String> {
    errors.into_iter().map(|e| e.to_string()).collect()
}

/// Asserts the snapshot `name` of the expansion of a struct.
macro_rules! snapshot {
    ($name:literal, $($input:tt)*) => {{
        let input: DeriveInput = syn::parse_quote!($($input)*);
        let (code, schemas) = expansion(&input);
        let name = if cfg!(feature = "utoipa") && schemas {
            concat!($name, "_utoipa")
        } else {
            $name
        };
        insta::assert_snapshot!(name, code);
    }};
}

/// Keys, column settings, defaults of every kind, a version column, a skipped field and
/// multi-column indexes: no relationship, no schema.
#[test]
fn plain() {
    snapshot!(
        "plain",
        #[derive(Model)]
        #[model(table = "members", unique(team_id, nickname), index(level, score))]
        pub struct Member {
            /// `None` until stored.
            #[model(primary_key)]
            pub id: Option<i64>,
            #[model(foreign_key = Team::id, on_delete = cascade, on_update = restrict, index)]
            pub team_id: i64,
            #[model(column = "nick")]
            pub nickname: String,
            #[model(unique)]
            pub email: Option<String>,
            #[model(default = 0)]
            pub level: i16,
            #[model(default = -1.5)]
            pub score: f64,
            #[model(default = 3)]
            pub rank: Option<u8>,
            #[model(default = true)]
            pub active: bool,
            #[model(default = "en")]
            pub language: String,
            #[model(default = Utc::now)]
            pub joined_at: DateTime<Utc>,
            #[model(version)]
            pub version: i32,
            #[model(skip)]
            pub scratch: Vec<String>,
            pub r#type: String,
        }
    );
}

/// A composite natural key of text and integer; a struct named in CamelCase takes a
/// snake_case table.
#[test]
fn composite_key() {
    snapshot!(
        "composite_key",
        #[derive(Model)]
        pub(crate) struct HeroTeamLink {
            #[model(primary_key, foreign_key = Hero::id, on_delete = cascade)]
            hero_id: i64,
            #[model(primary_key, foreign_key = Team::code, on_delete = restrict)]
            team_code: String,
            is_training: Option<bool>,
        }
    );
}

/// Every validation rule, with messages, codes and bounds that are not literals; rules on an
/// `Option` check only a present value.
#[test]
fn validation() {
    snapshot!(
        "validation",
        #[derive(Model)]
        #[model(table = "users")]
        pub struct User {
            #[model(primary_key)]
            pub id: Option<i64>,
            #[validate(length(min = 3, max = 50, message = "3 to 50 characters"))]
            pub username: String,
            #[validate(email(message = "not an email address", code = "mail"))]
            pub email: String,
            #[validate(url)]
            pub homepage: Option<String>,
            #[validate(length(equal = 2))]
            pub country: String,
            #[validate(length(max = MAX_BIO))]
            pub bio: Option<String>,
            #[validate(range(min = 0, max = 150))]
            pub age: Option<i32>,
            #[validate(range(exclusive_min = 0.0, exclusive_max = 1.0))]
            pub ratio: f32,
            #[validate(range(min = LOWEST))]
            pub karma: i64,
            #[validate(regex(path = *HANDLE), contains(pattern = "@"), does_not_contain(pattern = " "))]
            pub handle: String,
            #[validate(custom(function = "check_password", code = "weak"))]
            pub password: String,
            #[validate(custom(function = check_tags))]
            pub tags: Option<String>,
        }
    );
}

/// Both sides of one-to-many and one-to-one relationships, and many-to-many through a link
/// model.
#[test]
fn relations() {
    snapshot!(
        "relations_team",
        #[derive(Model)]
        #[model(table = "teams")]
        pub struct Team {
            #[model(primary_key)]
            pub id: Option<i64>,
            #[model(unique)]
            pub name: String,
            /// The team's heroes.
            #[model(has_many(Hero, foreign_key = team_id, back_populates = team))]
            pub heroes: Related<Vec<Hero>>,
            #[model(has_many(Mission, foreign_key = team_id, cascade_delete))]
            pub missions: Related<Vec<Mission>>,
            #[model(has_one(Base, foreign_key = team_id))]
            pub base: Related<Option<Base>>,
            #[model(many_to_many(Hero, link = HeroTeamLink, from = team_id, to = hero_id))]
            pub members: Related<Vec<Hero>>,
        }
    );
    snapshot!(
        "relations_hero",
        #[derive(Model)]
        #[model(table = "heroes")]
        pub struct Hero {
            #[model(primary_key)]
            pub id: Option<i64>,
            pub name: String,
            #[model(foreign_key = Team::id, on_delete = set_null, index)]
            pub team_id: Option<i64>,
            #[model(belongs_to(Team, key = team_id))]
            pub team: Related<Option<Team>>,
            #[model(many_to_many(crate::Team, link = crate::HeroTeamLink, from = hero_id, to = team_id))]
            pub teams: Related<Vec<crate::Team>>,
        }
    );
}

/// SQLModel's tutorial hero: create, public and update schemas, a doc comment the schemas
/// repeat, a default, a default function, and fields some schemas leave out.
#[test]
fn schemas() {
    snapshot!(
        "schemas_hero",
        #[derive(Model)]
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
            #[model(skip)]
            pub cache: Option<String>,
        }
    );
}

/// A natural text key the create schema carries and the update schema cannot change; the public
/// conversion is then a `From`. Numbers of several widths take lax integers.
#[test]
fn schemas_natural_key() {
    snapshot!(
        "schemas_country",
        #[derive(Model)]
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
            #[model(default = 0)]
            pub population: u64,
            pub area: Option<f64>,
            #[validate(range(min = 1, max = 12))]
            pub founded_month: Option<u8>,
            #[model(default = -3)]
            pub offset: Option<i16>,
            pub r#type: String,
        }
    );
}

/// Fields of the create and update schemas that are not columns, a column no schema shows (the
/// create conversion then asks for it) and a version column, which no schema carries.
#[test]
fn schemas_extra_fields() {
    snapshot!(
        "schemas_player",
        #[derive(Model)]
        #[model(table = "players", create = PlayerCreate, public = PlayerPublic, update = PlayerUpdate)]
        #[model(create_field(
            /// At least eight characters.
            #[validate(length(min = 8))]
            pub password: String
        ))]
        #[model(create_field(pub invited_by: Option<i64>))]
        #[model(update_field(pub password: String))]
        pub struct Player {
            #[model(primary_key)]
            pub id: Option<i64>,
            #[validate(email)]
            pub email: String,
            #[model(skip_schemas)]
            pub hashed_password: String,
            #[model(version)]
            pub version: i64,
        }
    );
    // Several values only the caller can give: `fill` returns them as a tuple.
    snapshot!(
        "schemas_fill_many",
        #[derive(Model)]
        #[model(table = "accounts", create = AccountCreate)]
        pub struct Account {
            #[model(primary_key)]
            pub id: Option<i32>,
            pub login: String,
            #[model(skip_create)]
            pub salt: String,
            #[model(skip_create)]
            pub owner_id: i64,
        }
    );
    // A field of the create schema only, nothing missing: `fill` returns `()`.
    snapshot!(
        "schemas_fill_nothing",
        #[derive(Model)]
        #[model(table = "notes", create = NoteCreate)]
        #[model(create_field(pub tag: Option<String>))]
        pub struct Note {
            #[model(primary_key)]
            pub id: Option<i64>,
            pub body: String,
        }
    );
}

/// Public schemas with related models nested, over has_many, belongs_to and many_to_many.
#[test]
fn schemas_public_with() {
    snapshot!(
        "public_with_squad",
        #[derive(Model)]
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
    );
    snapshot!(
        "public_with_member",
        #[derive(Model)]
        #[model(table = "members", public = MemberPublic)]
        #[model(public_with(MemberPublicWithSquad { squad: Option<SquadPublic> }))]
        #[model(public_with(MemberPublicWithAll {
            squad: Option<SquadPublicWithMembers>,
            missions: Vec<MissionPublic>,
        }))]
        pub struct Member {
            #[model(primary_key)]
            pub id: Option<i64>,
            #[validate(length(min = 1))]
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
    );
    // A natural key: no public schema of its own, and a conversion that cannot fail.
    snapshot!(
        "public_with_mission",
        #[derive(Model)]
        #[model(table = "missions")]
        #[model(public_with(MissionPublicWithMembers { members: Vec<MemberPublic> }))]
        pub struct Mission {
            #[model(primary_key)]
            pub code: String,
            pub title: String,
            #[model(many_to_many(Member, link = MemberMission, from = mission_code, to = member_id))]
            pub members: Related<Vec<Member>>,
        }
    );
}

/// The constructor under another name, which `from_create` calls, and handles renamed so that
/// the user's own items named `name` and `team` can coexist; a relationship's `key` is reached
/// through its column's handle.
#[test]
fn renamed_inherent_items() {
    snapshot!(
        "renamed_constructor_and_handles",
        #[derive(Model)]
        #[model(table = "heroes", new = "create", create = HeroCreate)]
        pub struct Hero {
            #[model(primary_key, handle = "id_col")]
            pub id: Option<i64>,
            #[model(handle = "name_col")]
            pub name: String,
            #[model(default = 1)]
            pub power: i32,
            #[model(foreign_key = Team::id, handle = "team_id_col")]
            pub team_id: Option<i64>,
            #[model(belongs_to(Team, key = team_id), handle = "team_rel")]
            pub team: Related<Option<Team>>,
        }
    );
    snapshot!(
        "renamed_relationship_handles",
        #[derive(Model)]
        #[model(table = "teams")]
        pub struct Team {
            #[model(primary_key)]
            pub id: Option<i64>,
            #[model(has_many(Hero, foreign_key = team_id_col, cascade_delete), handle = "heroes_rel")]
            pub heroes: Related<Vec<Hero>>,
            #[model(many_to_many(Hero, link = HeroTeamLink, from = team_id, to = hero_id), handle = "members_rel")]
            pub members: Related<Vec<Hero>>,
        }
    );
}

/// No constructor: the create conversion builds the model itself. A field may then be named
/// `new`.
#[test]
fn no_constructor() {
    snapshot!(
        "no_new",
        #[derive(Model)]
        #[model(table = "heroes", no_new, create = HeroCreate)]
        pub struct Hero {
            #[model(primary_key)]
            pub id: Option<i64>,
            pub name: String,
            #[model(skip_create)]
            pub secret_name: String,
            pub age: Option<i32>,
            #[model(default = 1)]
            pub power: i32,
            #[model(default = Utc::now)]
            pub created_at: DateTime<Utc>,
            #[model(version)]
            pub version: i64,
            #[model(skip)]
            pub cache: Option<String>,
            pub new: bool,
        }
    );
}

fn assert_errors(input: DeriveInput, expected: &[&str]) {
    assert_eq!(errors(&input), expected);
}

#[test]
fn constructor_attribute_errors() {
    let contradiction = "`no_new` and `new = \"...\"` contradict each other: keep `no_new` for no constructor, or `new = \"...\"` to name it";
    assert_errors(
        syn::parse_quote! {
            #[model(no_new, new = "create")]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
            }
        },
        &[contradiction],
    );
    assert_errors(
        syn::parse_quote! {
            #[model(new = "create")]
            #[model(no_new)]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
            }
        },
        &[contradiction],
    );
    assert_errors(
        syn::parse_quote! {
            #[model(new = "create", new = "make")]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
            }
        },
        &["the constructor is already named: keep one `new = \"...\"`"],
    );
    let takes = "`new` takes the name of the constructor as a string: write `new = \"create\"`";
    for input in [
        syn::parse_quote! {
            #[model(new = create)]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
            }
        },
        syn::parse_quote! {
            #[model(new)]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
            }
        },
    ] {
        assert_errors(input, &[takes]);
    }
    for (name, input) in [
        (
            "2x",
            syn::parse_quote! {
                #[model(new = "2x")]
                struct Hero {
                    #[model(primary_key)]
                    id: Option<i64>,
                }
            },
        ),
        (
            "fn",
            syn::parse_quote! {
                #[model(new = "fn")]
                struct Hero {
                    #[model(primary_key)]
                    id: Option<i64>,
                }
            },
        ),
        (
            "",
            syn::parse_quote! {
                #[model(new = "")]
                struct Hero {
                    #[model(primary_key)]
                    id: Option<i64>,
                }
            },
        ),
    ] {
        let message = format!(
            "`{name}` is not a Rust identifier: `new` names the constructor, as in `new = \"create\"`"
        );
        assert_errors(input, &[message.as_str()]);
    }
    assert_errors(
        syn::parse_quote! {
            #[model(no_new = true)]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
            }
        },
        &["`no_new` takes no value: write `no_new` alone"],
    );
    assert_errors(
        syn::parse_quote! {
            #[model(new = "apply", update = HeroUpdate)]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                name: String,
            }
        },
        &["`Hero::apply` is the update schema's `apply`: name the constructor otherwise"],
    );
}

#[test]
fn handle_attribute_errors() {
    assert_errors(
        syn::parse_quote! {
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                #[model(handle = "fn")]
                name: String,
            }
        },
        &[
            "`fn` is not a Rust identifier: `handle` names the field's handle, as in `handle = \"name_col\"`",
        ],
    );
    assert_errors(
        syn::parse_quote! {
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                #[model(handle = name_col)]
                name: String,
            }
        },
        &[
            "`handle` takes the name of the field's handle as a string: write `handle = \"name_col\"`",
        ],
    );
    assert_errors(
        syn::parse_quote! {
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                #[model(skip, handle = "cache_col")]
                cache: String,
            }
        },
        &["a `skip` field is neither a column nor a relationship and has no handle: drop `handle`"],
    );
    assert_errors(
        syn::parse_quote! {
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                #[model(handle = "name")]
                nickname: String,
                name: String,
            }
        },
        &[
            "`Hero::name` is already the handle of `nickname`: give one of them another name with `handle = \"...\"`",
        ],
    );
}

/// A field named like a generated method is refused with the ways out; renaming its handle, or
/// the constructor, is one.
#[test]
fn handle_clashes() {
    assert_errors(
        syn::parse_quote! {
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                new: bool,
            }
        },
        &[
            "`Hero::new` is both the constructor and the handle of `new`: rename the handle with `handle = \"new_col\"`, or the constructor with `new = \"...\"` (or `no_new`) on the struct",
        ],
    );
    assert_errors(
        syn::parse_quote! {
            #[model(update = HeroUpdate)]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                #[model(handle = "apply")]
                name: String,
            }
        },
        &[
            "`Hero::apply` is both the update schema's `apply` and the handle of `name`: rename the handle with `handle = \"apply_col\"`",
        ],
    );
    for input in [
        syn::parse_quote! {
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                #[model(handle = "new_col")]
                new: bool,
            }
        },
        syn::parse_quote! {
            #[model(new = "create")]
            struct Hero {
                #[model(primary_key)]
                id: Option<i64>,
                new: bool,
            }
        },
    ] {
        let input: DeriveInput = input;
        assert!(parse::Model::from_input(&input).is_ok());
    }
}
