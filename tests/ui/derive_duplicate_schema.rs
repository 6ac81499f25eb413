use tablemodel::prelude::*;

#[derive(Model)]
#[model(create = HeroCreate, create = NewHero)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
