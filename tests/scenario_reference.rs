//! `docs/scenario-reference.md` is generated from the field registry: this test fails when the
//! committed file is stale. Regenerate with `INCSIM_BLESS=1 cargo test --test scenario_reference`.

use std::path::Path;

#[test]
fn scenario_reference_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-reference.md");
    let generated = incsim::scenario::fields::reference_markdown();
    if std::env::var_os("INCSIM_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/scenario-reference.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/scenario-reference.md is stale: regenerate it with \
         `INCSIM_BLESS=1 cargo test --test scenario_reference` and commit it"
    );
}

#[test]
fn every_field_of_the_registry_is_in_the_reference() {
    let text = incsim::scenario::fields::reference_markdown();
    for f in incsim::scenario::fields::FIELDS {
        assert!(text.contains(&format!("| `{}` |", f.path)), "{}", f.path);
    }
    // `currency` and its default are documented (issue 10).
    assert!(
        text.contains("| `currency` | ISO 4217 code | `\"USD\"` |"),
        "{text}"
    );
}
