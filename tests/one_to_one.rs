//! One-to-one relationships, the tutorial's Hero and Weapon, on SQLite and PostgreSQL: each
//! model holds the other (`Related<Option<..>>` both ways), `has_one` on the side without the
//! key and `belongs_to` on the side that holds it, loaded and written from either side.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "oo_weapons")]
pub struct Weapon {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(has_one(Hero, foreign_key = weapon_id, back_populates = weapon))]
    pub hero: Related<Option<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "oo_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(foreign_key = Weapon::id)]
    pub weapon_id: Option<i64>,
    #[model(belongs_to(Weapon, key = weapon_id))]
    pub weapon: Related<Option<Weapon>>,
}

fn weapon(name: &str) -> Weapon {
    Weapon {
        id: None,
        name: name.into(),
        hero: Related::NotLoaded,
    }
}

fn hero(name: &str) -> Hero {
    Hero {
        id: None,
        name: name.into(),
        weapon_id: None,
        weapon: Related::NotLoaded,
    }
}

fn written_from_either_side_and_loaded_both_ways(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    // From the hero's side: the weapon is stored first, the hero points at it.
    let mut deadpond = hero("Deadpond");
    deadpond.weapon.set(Some(weapon("Katana")));
    let deadpond = s.add(deadpond)?;
    // From the weapon's side: the hero takes the weapon's new key.
    let mut shield = weapon("Shield");
    shield.hero.set(Some(hero("Captain North America")));
    let shield = s.add(shield)?;
    s.commit()?;
    let deadpond = s.refresh(deadpond)?;
    let shield = s.refresh(shield)?;
    let katana = s
        .get::<Weapon>(deadpond.weapon_id.expect("linked"))?
        .expect("stored");
    assert_eq!(katana.name, "Katana");

    let heroes = s
        .exec(select::<Hero>().order_by(Hero::name).load(Hero::weapon))?
        .all();
    let weapons: Vec<Option<String>> = heroes
        .iter()
        .map(|h| h.weapon.get().map(|w| w.as_ref().map(|w| w.name.clone())))
        .collect::<Result<_>>()?;
    assert_eq!(weapons, [Some("Shield".into()), Some("Katana".into())]);

    let query = select::<Weapon>().where_(Weapon::id.eq(shield.id.expect("stored")));
    let loaded = s.exec(query.load(Weapon::hero))?.one()?;
    let holder = loaded
        .hero
        .get()?
        .as_ref()
        .expect("a hero holds the shield");
    assert_eq!(holder.name, "Captain North America");
    // back_populates: the hero read through the weapon holds the weapon.
    let back = holder.weapon.get()?.as_ref().map(|w| w.name.as_str());
    assert_eq!(back, Some("Shield"));
    Ok(())
}

/// The weapon's side set to no hero releases the hero; deleting a weapon does too.
fn clearing_or_deleting_the_side_without_the_key_releases_the_other(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut katana = weapon("Katana");
    katana.hero.set(Some(hero("Deadpond")));
    let mut shield = weapon("Shield");
    shield.hero.set(Some(hero("Rusty-Man")));
    let (katana, shield) = (s.add(katana)?, s.add(shield)?);
    s.commit()?;
    let (katana, shield) = (s.refresh(katana)?, s.refresh(shield)?);

    let query = select::<Weapon>().where_(Weapon::id.eq(katana.id.expect("stored")));
    let mut loaded = s.exec(query.load(Weapon::hero))?.one()?;
    loaded.hero.set(None);
    s.add(loaded)?;
    s.commit()?;
    let deadpond = s
        .exec(select::<Hero>().where_(Hero::name.eq("Deadpond")))?
        .one()?;
    assert_eq!(deadpond.weapon_id, None);

    s.delete(&shield)?;
    s.commit()?;
    let rusty = s
        .exec(select::<Hero>().where_(Hero::name.eq("Rusty-Man")))?
        .one()?;
    assert_eq!(rusty.weapon_id, None);
    assert_eq!(s.exec(select::<Weapon>().count())?, 1);
    Ok(())
}

backend_tests!(
    written_from_either_side_and_loaded_both_ways,
    clearing_or_deleting_the_side_without_the_key_releases_the_other,
);
