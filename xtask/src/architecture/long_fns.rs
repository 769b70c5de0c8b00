//! Rule c: no hand-written function longer than `MAX_FN_LINES`.

use super::tree::Crate;
use super::violation::Violation;
use syn::visit::{self, Visit};

/// The longest a function may be, from its `fn` line to its closing brace.
pub const MAX_FN_LINES: usize = 120;

/// Files whose name starts with this are written by `cargo xtask codegen`, not by hand.
const GENERATED_PREFIX: &str = "generated_";

pub fn check(krate: &Crate) -> Vec<Violation> {
    let mut finder = Finder {
        file: String::new(),
        found: Vec::new(),
    };
    for source in &krate.files {
        let name = source.path.rsplit('/').next().unwrap_or_default();
        if name.starts_with(GENERATED_PREFIX) {
            continue;
        }
        finder.file.clone_from(&source.path);
        finder.visit_file(&source.ast);
    }
    finder.found
}

struct Finder {
    file: String,
    found: Vec<Violation>,
}

impl Finder {
    fn measure(&mut self, sig: &syn::Signature, body: &syn::Block) {
        let first = sig.fn_token.span.start().line;
        let last = body.brace_token.span.close().end().line;
        let lines = last + 1 - first;
        if lines > MAX_FN_LINES {
            self.found.push(Violation::LongFunction {
                file: self.file.clone(),
                line: first,
                name: sig.ident.to_string(),
                lines,
            });
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.measure(&item.sig, &item.block);
        visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.measure(&item.sig, &item.block);
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(body) = &item.default {
            self.measure(&item.sig, body);
        }
        visit::visit_trait_item_fn(self, item);
    }
}
