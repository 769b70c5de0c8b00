//! Rule a: in `src/`, no module imports from a layer above its own.

use super::resolve::Edge;
use super::tree::{Crate, FileId};
use super::violation::Violation;
use std::collections::BTreeMap;

/// A top-level module of `src/` and where it sits.
pub struct Layer {
    pub module: &'static str,
    /// 1 is the bottom; a module may import from its own rank and below.
    pub rank: u8,
    pub why: &'static str,
}

/// The layers of `src/`, bottom to top (issue 13). The crate roots (`lib.rs`, `main.rs`) wire
/// everything, so they count as `app`.
pub const LAYERS: &[Layer] = &[
    Layer {
        module: "foundation",
        rank: 1,
        why: "secrets, metrics, the Redis link, TLS/HTTP setup, config types: used by all",
    },
    Layer {
        module: "spec",
        rank: 2,
        why: "tables derived from the spec, read by every layer that needs operation facts",
    },
    Layer {
        module: "store",
        rank: 3,
        why: "the durable multi-user store (SQL): users, sealed grants, clients, codes, tokens",
    },
    Layer {
        module: "credentials",
        rank: 4,
        why: "grants, token stores, OAuth, refresh: who a call acts for, no HTTP pipeline",
    },
    Layer {
        module: "middleware",
        rank: 5,
        why: "cache, governor, retries, route memory: between the hooks and HTTP",
    },
    Layer {
        module: "spotify",
        rank: 6,
        why: "the generated client and its hooks, built on the middleware",
    },
    Layer {
        module: "mcp",
        rank: 7,
        why: "tools over the Spotify client: catalog, dispatch, projection, the rmcp handler",
    },
    Layer {
        module: "authorization",
        rank: 8,
        why: "multi-user mode's OAuth 2.1 authorization server: metadata, registration, sign-in with Spotify, consent, tokens",
    },
    Layer {
        module: "transport",
        rank: 9,
        why: "carries the MCP handler over stdio or HTTP",
    },
    Layer {
        module: "app",
        rank: 10,
        why: "CLI commands, the login flow and the wiring of everything below",
    },
    Layer {
        module: "demo",
        rank: 10,
        why: "the offline demo wires a fake Spotify the way the app wires the real one",
    },
];

/// Where the crate roots sit.
const ROOT: &Layer = &LAYERS[9];

pub fn check(krate: &Crate, edges: &[Edge]) -> Vec<Violation> {
    let mut violations: Vec<Violation> = krate.modules[0]
        .children
        .iter()
        .filter(|(name, _)| layer_named(name).is_none())
        .map(|(name, &module)| Violation::UnlistedModule {
            file: krate.files[krate.modules[module].file].path.clone(),
            module: name.clone(),
        })
        .collect();
    // One violation per importing file and imported file, listing every path that reaches up.
    let mut upward: BTreeMap<(FileId, FileId), (usize, Vec<String>)> = BTreeMap::new();
    for edge in edges {
        let (Some(from), Some(to)) = (layer_of(krate, edge.from), layer_of(krate, edge.to)) else {
            continue;
        };
        if to.rank > from.rank {
            let (_, paths) = upward
                .entry((edge.from, edge.to))
                .or_insert((edge.line, Vec::new()));
            if !paths.contains(&edge.path) {
                paths.push(edge.path.clone());
            }
        }
    }
    for ((from, to), (line, paths)) in upward {
        let describe = |file: FileId| {
            let layer = layer_of(krate, file).expect("only layered files are kept");
            format!("{} ({})", layer.module, layer.rank)
        };
        violations.push(Violation::UpwardImport {
            file: krate.files[from].path.clone(),
            line,
            paths,
            layer: describe(from),
            target: krate.files[to].path.clone(),
            target_layer: describe(to),
        });
    }
    violations
}

fn layer_named(name: &str) -> Option<&'static Layer> {
    LAYERS.iter().find(|layer| layer.module == name)
}

/// The layer of the top-level module holding `file`; `None` for a module not in the table
/// (reported once, as unlisted).
fn layer_of(krate: &Crate, file: FileId) -> Option<&'static Layer> {
    match krate.modules[krate.files[file].module].path.first() {
        None => Some(ROOT),
        Some(top) => layer_named(top),
    }
}
