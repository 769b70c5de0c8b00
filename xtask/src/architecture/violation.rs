//! What the architecture check reports, and why it could not run.

use std::fmt;
use std::path::PathBuf;

/// One broken rule, with the file (relative to the workspace, `/`-separated) and line to look at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Violation {
    /// A top-level module of `src/` that the layer table does not place.
    UnlistedModule { file: String, module: String },
    /// Imports from a layer above the importing file's own, one per importing and imported file.
    UpwardImport {
        file: String,
        line: usize,
        /// Every path that reaches `target`, as written (e.g. `crate::mcp::catalog::ToolDef`);
        /// `line` is the first one's.
        paths: Vec<String>,
        layer: String,
        target: String,
        target_layer: String,
    },
    /// Files that import from each other, directly or round a longer circle.
    Cycle {
        /// Every file of the strongly connected set, sorted.
        files: Vec<String>,
        /// One circle through them, as `file:line `path` → file` steps.
        steps: Vec<String>,
    },
    /// A hand-written function longer than the limit.
    LongFunction {
        file: String,
        line: usize,
        name: String,
        lines: usize,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::UnlistedModule { file, module } => write!(
                f,
                "{file}: module `{module}` is not in the layer table: add it to the layer table \
                 (LAYERS in xtask/src/architecture/layers.rs) or move it into a layer"
            ),
            Violation::UpwardImport {
                file,
                line,
                paths,
                layer,
                target,
                target_layer,
            } => write!(
                f,
                "{file}:{line}: {layer} imports from {target_layer} ({target}): `{}`",
                paths.join("`, `")
            ),
            Violation::Cycle { files, steps } => {
                write!(
                    f,
                    "{} files import from each other: {}",
                    files.len(),
                    files.join(", ")
                )?;
                for step in steps {
                    write!(f, "\n    {step}")?;
                }
                Ok(())
            }
            Violation::LongFunction {
                file,
                line,
                name,
                lines,
            } => write!(f, "{file}:{line}: `{name}` is {lines} lines: split it"),
        }
    }
}

impl Violation {
    /// The rule broken, as an index into `RULES`.
    fn rule(&self) -> usize {
        match self {
            Violation::UnlistedModule { .. } | Violation::UpwardImport { .. } => 0,
            Violation::Cycle { .. } => 1,
            Violation::LongFunction { .. } => 2,
        }
    }
}

const RULES: [&str; 3] = [
    "wrong-way imports (a module imports from a layer above its own)",
    "import cycles between files",
    "hand-written functions that are too long",
];

/// The violations grouped by rule, one per line, for a test failure or a file.
pub fn report(violations: &[Violation]) -> String {
    let mut text = format!("architecture check: {} violations\n", violations.len());
    for (rule, title) in RULES.iter().enumerate() {
        let group: Vec<_> = violations.iter().filter(|v| v.rule() == rule).collect();
        text.push_str(&format!("\n{title}: {}\n", group.len()));
        for violation in group {
            text.push_str(&format!("  {violation}\n"));
        }
    }
    text
}

/// Why the sources could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("cannot parse {path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{file} declares `mod {module};` but neither {module}.rs nor {module}/mod.rs exists")]
    MissingModule { file: String, module: String },
}
