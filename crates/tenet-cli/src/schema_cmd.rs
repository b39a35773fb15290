//! `tenet schema`: what a policy author may write about the records.

use std::fmt::Write;
use tenet::model::{FinanceItem, Kind, Level, Mode, Role, Status};
use tenet::schema::{self, Entity};
use tenet::syntax::ast::RelKind;

/// The record model as text.
pub fn render() -> String {
    let mut out = String::from("Entities and their fields (x.field):\n");
    for (name, e) in [
        ("district", Entity::District),
        ("school", Entity::School),
        ("person", Entity::Person),
        ("activity", Entity::Activity),
        ("session", Entity::Session),
        ("enrollment", Entity::Enrollment),
        ("mentorship", Entity::Mentorship),
    ] {
        let _ = writeln!(out, "\n  {name}");
        for (field, _, ty, meaning) in schema::fields(e) {
            let _ = writeln!(out, "    {field:<17} {:<20} {meaning}", ty.to_string());
        }
        if e.has_attrs() {
            let _ = writeln!(
                out,
                "    {:<17} {:<20} an extra column of the data file",
                "attr(\"col\")", "text"
            );
        }
    }
    let _ = writeln!(out, "\n  window (each … as w)");
    for (field, _, ty, meaning) in schema::window_fields() {
        let _ = writeln!(out, "    {field:<17} {:<20} {meaning}", ty.to_string());
    }
    let _ = writeln!(out, "\nRelations (count(…), sum(x in …), share(…)):");
    for kind in RelKind::ALL {
        let name = kind.name();
        let (_, links) = schema::relation(kind);
        let _ = writeln!(out, "  {name:<12} every {name} in the dataset");
        for (link, _, meaning) in links {
            let _ = writeln!(
                out,
                "  {:<12} {meaning}",
                format!("{name} {} x", link.name())
            );
        }
    }
    let _ = writeln!(out, "\nValues:");
    let _ = writeln!(out, "  roles          {}", Role::names().join(", "));
    let _ = writeln!(out, "  level          {}", Level::names().join(", "));
    let _ = writeln!(out, "  kind           {}", Kind::names().join(", "));
    let _ = writeln!(out, "  mode           {}", Mode::names().join(", "));
    let _ = writeln!(out, "  status         {}", Status::names().join(", "));
    let _ = writeln!(out, "  finance items  {}", FinanceItem::names().join(", "));
    out
}
