//! Compile-time guarantees: mistakes in models and queries are rejected by the compiler with a
//! message that names the mistake at the user's code.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
