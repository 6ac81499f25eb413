// `public_with = Name` is refused with the form `public_with(Name { ... })`.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(public = HeroPublic, public_with = HeroPublicWithTeam)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
