//! Fixed sequences: scenarios written by hand, and the sequences the random test found
//! (each failed before the library was fixed).

use super::runner::fixed;
use super::*;

use Field::Value as Set;
use Name::{Dup, Free};
use Op::*;
use Using::{Got, Held};

fn name(n: usize) -> Field {
    Field::Name(Free(n))
}

// The rows are 1 = ("a", 0), 2 = ("b", 0), ...; `Change(n, Got, Set(0))` reads a row.

/// Found shrunk: another session's writes after a commit meet no transaction of this one (on
/// SQLite its reads hold one), whose copies read before keep that session's columns.
fn other_session_between_commits(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(1)), Commit];
    let then = [Other(Write::Rename, 0, 2, 8), Other(Write::Value, 1, 0, 9)];
    let end = [Change(0, Held, Set(3)), Delete(1, Held), Commit, Query];
    fixed(db, 2, &[&ops, &then, &end], &[(1, "c", 3)])
}

/// Copies read before a bulk update and before a raw one change another column: the updates
/// are kept.
fn bulk_update_then_change_of_a_copy_read_before(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(1)), Change(1, Got, Set(1)), Flush];
    let then = [BulkUpdate(0, 5, false), Change(0, Held, name(2))];
    let end = [BulkUpdate(1, 6, true), Change(1, Held, name(3))];
    let want = [(1, "c", 5), (2, "d", 6)];
    fixed(db, 2, &[&ops, &then, &end, &[Commit, Query]], &want)
}

/// Unique names freed by deletes in savepoints, a violation undone by its savepoint, a row
/// switch, and a rollback of it all.
fn savepoints_with_unique_names(db: &TestDb) -> Result<()> {
    let ops = [Begin, Delete(0, Got), Add(Free(0), 1), Begin];
    let then = [Add(Dup(1), 2), Query, Delete(1, Got), ReAdd(1, Free(1), 3)];
    let end = [Commit, Query, Rollback, Query];
    fixed(db, 2, &[&ops, &then, &end], &[(1, "a", 0), (2, "b", 0)])
}

// Regressions: sequences the random test found, each failing before the library fixed it.

/// A `get` after an update that wrote only the name reads the row the bulk update changed.
fn get_after_a_partial_write_reads_the_row_again(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(0)), BulkUpdate(0, 5, false)];
    let then = [Change(0, Held, name(1)), Flush, Change(0, Got, Set(5))];
    fixed(db, 1, &[&ops, &then], &[(1, "b", 5)])
}

/// A row switch writes every column: the row ends as re-added after a raw UPDATE of it.
fn row_switch_writes_every_column(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(0)), BulkUpdate(0, 5, true)];
    let then = [Delete(0, Got), ReAdd(0, Free(0), 0)];
    fixed(db, 1, &[&ops, &then], &[(1, "a", 0)])
}

/// A change taken back before the flush is written back.
fn change_taken_back_is_written(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(5)), Change(0, Held, Set(0))];
    fixed(db, 1, &[&ops], &[(1, "a", 0)])
}

/// A new row added again before its insert is flushed is inserted once, as added last.
fn add_of_a_staged_insert_inserts_once(db: &TestDb) -> Result<()> {
    let ops = [Add(Free(0), 0), Change(0, Held, Set(1))];
    fixed(db, 0, &[&ops], &[(1, "a", 1)])
}

/// A row renamed by another session, deleted through a copy with its old name: the delete
/// frees the new name before a new row takes it.
fn delete_of_a_stale_copy_frees_the_rows_name(db: &TestDb) -> Result<()> {
    let ops = [
        Change(1, Got, Set(0)),
        Commit,
        Other(Write::Rename, 1, 4, 8),
    ];
    let then = [Delete(1, Held), Add(Free(4), 0)];
    fixed(db, 2, &[&ops, &then], &[(1, "a", 0), (3, "e", 0)])
}

/// A delete staged after a staged write of its row runs after it, and before the insert that
/// takes its name.
fn delete_after_a_write_of_its_row_runs_in_place(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(5)), Delete(0, Held), Add(Free(0), 0)];
    fixed(db, 1, &[&ops], &[(2, "a", 0)])?;
    let ops = [Add(Free(0), 0), Delete(0, Held), Add(Free(0), 0)];
    fixed(db, 0, &[&ops], &[(2, "a", 0)])
}

/// A loaded row deleted by a bulk or a raw DELETE, added again changed, is inserted.
fn add_after_bulk_delete_inserts(db: &TestDb) -> Result<()> {
    for raw in [false, true] {
        let ops = [Change(0, Got, Set(0)), BulkDelete(0, false, raw)];
        fixed(db, 1, &[&ops, &[ReAdd(0, Free(0), 1)]], &[(1, "a", 1)])?;
    }
    Ok(())
}

/// A row whose insert was rolled back, read again, is updated when added.
fn add_after_undone_insert_and_read_updates(db: &TestDb) -> Result<()> {
    let ops = [BulkDelete(0, false, false), ReAdd(0, Free(0), 1), Flush];
    fixed(
        db,
        1,
        &[&ops, &[Rollback, Change(0, Got, Set(3))]],
        &[(1, "a", 3)],
    )
}

/// A row re-added with another name after its delete: the delete, a rename that takes the
/// freed name, then the insert, in staging order.
fn re_add_with_another_name_inserts_in_place(db: &TestDb) -> Result<()> {
    let ops = [
        Change(0, Got, Set(0)),
        Delete(1, Got),
        Change(0, Held, name(1)),
    ];
    let want = [(1, "b", 0), (2, "a", 0)];
    fixed(db, 2, &[&ops, &[ReAdd(0, Free(0), 0)]], &want)
}

backend_tests!(
    other_session_between_commits,
    bulk_update_then_change_of_a_copy_read_before,
    savepoints_with_unique_names,
    get_after_a_partial_write_reads_the_row_again,
    row_switch_writes_every_column,
    change_taken_back_is_written,
    add_of_a_staged_insert_inserts_once,
    delete_of_a_stale_copy_frees_the_rows_name,
    delete_after_a_write_of_its_row_runs_in_place,
    add_after_bulk_delete_inserts,
    add_after_undone_insert_and_read_updates,
    re_add_with_another_name_inserts_in_place,
    re_add_after_a_write_and_a_delete_of_the_row,
    re_add_of_an_unchanged_bulk_deleted_row,
    add_after_an_undone_re_insert_of_a_loaded_row,
    duplicate_after_a_row_switch_of_a_changed_row,
    update_taking_a_name_waits_for_the_update_freeing_it,
    delete_through_a_stale_copy_frees_the_stored_name,
    rollback_keeps_what_was_read_after_the_write,
    rollback_after_a_bulk_write_keeps_what_was_known,
    re_add_of_a_row_gone_takes_its_name_after_the_delete_freeing_it,
    change_key_moves_the_row,
    change_key_to_a_held_key_is_a_violation,
);

// Bugs the random test found, fixed since: each sequence failed on SQLite and PostgreSQL.

/// A row re-added after a staged write of it and a staged delete: the re-add takes the
/// write's place, the delete still runs after it, and the row is gone. The second sequence
/// is the one that found RowSwitchKeepsOldColumns.
fn re_add_after_a_write_and_a_delete_of_the_row(db: &TestDb) -> Result<()> {
    let ops = [Add(Free(0), 0), Delete(0, Held), ReAdd(0, Free(0), 0)];
    fixed(db, 0, &[&ops], &[(1, "a", 0)])?;
    let ops = [Change(0, Got, Set(7)), Delete(0, Held)];
    fixed(db, 1, &[&ops, &[ReAdd(0, Free(0), 0)]], &[(1, "a", 0)])
}

/// A row the session added (or read), deleted by a bulk or a raw DELETE, added again as the
/// session knew it: nothing is staged (no column differs), and the row stays deleted.
fn re_add_of_an_unchanged_bulk_deleted_row(db: &TestDb) -> Result<()> {
    for raw in [false, true] {
        let re_add = [BulkDelete(0, false, raw), ReAdd(0, Free(0), 0)];
        fixed(db, 0, &[&[Add(Free(0), 0)], &re_add], &[(1, "a", 0)])?;
        fixed(db, 1, &[&[Change(0, Got, Set(0))], &re_add], &[(1, "a", 0)])?;
    }
    Ok(())
}

/// A loaded row deleted by a bulk DELETE, added again (its UPDATE inserts it) and flushed,
/// then rolled back: the row exists and the session holds its entry, but remembers it as
/// gone, so adding a copy without reading the row again is an INSERT: `UniqueViolation` (on
/// `id` on PostgreSQL, `name` on SQLite) instead of an UPDATE.
fn add_after_an_undone_re_insert_of_a_loaded_row(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(0)), BulkDelete(0, false, false)];
    let then = [ReAdd(0, Free(0), 1), Flush, Rollback];
    let end = [Change(0, Held, Set(2))];
    fixed(db, 1, &[&ops, &then, &end], &[(1, "a", 2)])
}

/// A row renamed, deleted, re-added with the new name (a row switch): a new row taking that
/// name must fail.
fn duplicate_after_a_row_switch_of_a_changed_row(db: &TestDb) -> Result<()> {
    let ops = [
        Change(0, Got, name(1)),
        Delete(0, Held),
        ReAdd(0, Free(1), 0),
    ];
    fixed(db, 1, &[&ops, &[Add(Dup(1), 0)]], &[(1, "a", 0)])
}

/// An update (staged first, as a row a raw UPDATE may have deleted is written even
/// unchanged) that takes a name another staged update frees runs after it.
fn update_taking_a_name_waits_for_the_update_freeing_it(db: &TestDb) -> Result<()> {
    let ops = [
        Change(1, Got, name(0)),
        Add(Free(0), 0),
        Change(0, Got, name(0)),
        BulkUpdate(0, 4, true),
    ];
    let then = [
        Change(0, Held, Field::Name(Dup(0))),
        Change(1, Held, name(2)),
        Change(0, Held, name(1)),
    ];
    fixed(
        db,
        2,
        &[&ops, &then],
        &[(1, "b", 4), (2, "d", 0), (3, "c", 0)],
    )
}

// The next sequences are as the random test shrank them: a large `usize` picks a row by its
// position modulo the number of rows.

/// A copy renamed, the rename rolled back, the row deleted through that copy after a new row
/// took the name the row still holds: the delete runs first (what the session read of the
/// row says which name it frees, not the stale copy).
fn delete_through_a_stale_copy_frees_the_stored_name(db: &TestDb) -> Result<()> {
    let ops = [
        Add(Dup(2), 0),
        Commit,
        Delete(923067439744915737, Got),
        Change(3624995573623966453, Got, Field::Name(Free(3))),
        Rollback,
    ];
    let then = [
        Add(Free(0), 0),
        Delete(7915952135175664634, Held),
        Change(13158623387935510091, Held, Field::Name(Free(0))),
    ];
    fixed(
        db,
        2,
        &[&ops, &then],
        &[(1, "a", 0), (2, "b", 0), (4, "c", 0)],
    )
}

/// A row read after a write of it in the transaction, the transaction rolled back: the
/// session keeps the columns as read (the write left them alone), so a change of one back to
/// an older value is still written.
fn rollback_keeps_what_was_read_after_the_write(db: &TestDb) -> Result<()> {
    let ops = [
        Add(Free(0), 0),
        Add(Free(2), 3),
        ChangeKey(1056276050759109306, Got, None, 0),
        Delete(1893594819642928211, Got),
        BulkUpdate(0, 4, true),
        Commit,
    ];
    let then = [
        Change(0, Held, Field::Name(Free(2))),
        Query,
        ReAdd(4361965223201893153, Free(0), 0),
        Change(13350172471700648838, Got, Field::Name(Dup(0))),
        Change(0, Held, Set(3)),
    ];
    fixed(db, 0, &[&ops, &then], &[(2, "a", 3)])
}

/// A read after a bulk write of the transaction sees what a rollback undoes: the rollback
/// leaves the session's entry as before the transaction's writes.
fn rollback_after_a_bulk_write_keeps_what_was_known(db: &TestDb) -> Result<()> {
    let ops = [
        Change(0, Got, name(1)),
        BulkUpdate(0, 4, false),
        Delete(0, Got),
    ];
    let then = [Rollback, Change(0, Held, Field::Name(Free(0)))];
    fixed(db, 1, &[&ops, &then], &[(1, "a", 4)])
}

/// A row a bulk DELETE removed, added again (its UPDATE finds no row and inserts it): the
/// insert takes its name after the delete of the row holding it.
fn re_add_of_a_row_gone_takes_its_name_after_the_delete_freeing_it(db: &TestDb) -> Result<()> {
    let ops = [
        Add(Free(0), 2),
        Add(Free(0), 2),
        Delete(1202152933424962320, Got),
        BulkDelete(7146885790509962913, false, false),
        Add(Free(1), 2),
        BulkDelete(0, true, false),
    ];
    let then = [
        Add(Dup(1), 0),
        Delete(0, Held),
        ReAdd(1623052753604337550, Free(1), 0),
    ];
    fixed(db, 2, &[&ops, &then], &[(5, "b", 0)])
}

/// `change_key` of a changed copy: one row, under its new key, with the change.
fn change_key_moves_the_row(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(1)), ChangeKey(0, Held, None, 5), Query];
    let then = [Change(1, Got, name(3)), Commit, Query];
    fixed(db, 2, &[&ops, &then], &[(2, "b", 0), (3, "d", 5)])
}

/// `change_key` to the key of another row fails on it and changes nothing.
fn change_key_to_a_held_key_is_a_violation(db: &TestDb) -> Result<()> {
    let ops = [ChangeKey(0, Got, Some(1), 7), Query];
    fixed(db, 2, &[&ops], &[(1, "a", 0), (2, "b", 0)])
}
