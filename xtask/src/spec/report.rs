//! `spec diff` output: a report grouped by tag for people, JSON for machines.

use super::diff::{Difference, Level};
use serde_json::json;
use std::fmt::Write;

/// How many changes and notes; deliberate differences count as notes (neither fails a check).
pub fn counts(differences: &[Difference]) -> (usize, usize) {
    let changes = count(differences, Level::Change);
    (changes, differences.len() - changes)
}

fn count(differences: &[Difference], level: Level) -> usize {
    differences.iter().filter(|d| d.level == level).count()
}

/// The report for people: changes grouped by tag and operation; notes too when `notes`, else
/// only counted (there are dozens, all deliberate).
pub fn text(differences: &[Difference], upstream: &str, project: &str, notes: bool) -> String {
    let changes = count(differences, Level::Change);
    let deliberate = count(differences, Level::Deliberate);
    let note_count = count(differences, Level::Note);
    let mut out = format!(
        "upstream {upstream} vs {project}: {changes} change{}, {deliberate} deliberate, {note_count} note{}\n",
        plural(changes),
        plural(note_count)
    );
    if changes == 0 {
        out.push_str("The project's spec reflects everything upstream states.\n");
    } else {
        out.push_str(
            "Changes are upstream facts the project lacks; `cargo xtask spec sync` applies them.\n",
        );
    }
    if deliberate > 0 {
        out.push_str(
            "Deliberate differences are choices the spec marks with x-mcp-deliberate (reason after the dash).\n",
        );
    }
    if note_count > 0 {
        out.push_str("Notes are deliberate project refinements; sync keeps them");
        out.push_str(if notes {
            ".\n"
        } else {
            " (`--notes` lists them).\n"
        });
    }
    let shown: Vec<&Difference> = differences
        .iter()
        .filter(|d| notes || d.level != Level::Note)
        .collect();
    // Tags in order of first appearance, operations in order within each tag.
    let mut tags: Vec<&str> = Vec::new();
    for d in &shown {
        if !tags.contains(&d.tag.as_str()) {
            tags.push(&d.tag);
        }
    }
    for tag in tags {
        let _ = write!(out, "\n## {tag}\n");
        let in_tag: Vec<&Difference> = shown.iter().copied().filter(|d| d.tag == tag).collect();
        let mut operations = Vec::new();
        for d in &in_tag {
            let key = d.op_key();
            if !operations.contains(&key) {
                operations.push(key);
            }
        }
        for key in operations {
            let mut of_op: Vec<&Difference> = in_tag
                .iter()
                .copied()
                .filter(|d| d.op_key() == key)
                .collect();
            of_op.sort_by_key(|d| d.level);
            let id = of_op[0].operation_id.as_deref().unwrap_or("no operationId");
            let _ = writeln!(out, "{key} ({id})");
            for d in of_op {
                let level = match d.level {
                    Level::Change => "change    ",
                    Level::Deliberate => "deliberate",
                    Level::Note => "note      ",
                };
                match &d.deliberate {
                    Some(why) => {
                        let _ = writeln!(out, "  {level}  {} — {why}", d.message);
                    }
                    None => {
                        let _ = writeln!(out, "  {level}  {}", d.message);
                    }
                }
            }
        }
    }
    out
}

pub fn json(differences: &[Difference], upstream: &str, project: &str) -> String {
    let report = json!({
        "upstream": upstream,
        "project": project,
        "changes": count(differences, Level::Change),
        "deliberate": count(differences, Level::Deliberate),
        "notes": count(differences, Level::Note),
        "differences": differences,
    });
    let mut text = serde_json::to_string_pretty(&report).expect("JSON values serialize");
    text.push('\n');
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
