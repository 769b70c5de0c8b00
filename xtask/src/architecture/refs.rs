//! Every place a file names something by path: `use` declarations, paths of two or more
//! segments anywhere in the code, and `crate::`/`super::`/`self::` paths inside macro calls.

use super::tree::{Crate, EXTERN, FileId, ModId, use_leaves};
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// A path as written, with the module it is written in.
pub struct Reference {
    pub file: FileId,
    pub module: ModId,
    pub line: usize,
    pub path: Vec<String>,
}

/// Macros whose input is code they generate, not code that runs here.
const GENERATING_MACROS: [&str; 4] = [
    "quote",
    "quote_spanned",
    "parse_quote",
    "parse_quote_spanned",
];

pub fn collect(krate: &Crate) -> Vec<Reference> {
    let mut collector = Collector {
        krate,
        file: 0,
        modules: Vec::new(),
        found: Vec::new(),
    };
    for (file, source) in krate.files.iter().enumerate() {
        collector.file = file;
        collector.modules = vec![source.module];
        collector.visit_file(&source.ast);
    }
    collector.found
}

struct Collector<'a> {
    krate: &'a Crate,
    file: FileId,
    /// The module being read: inline `mod x { … }` push theirs.
    modules: Vec<ModId>,
    found: Vec<Reference>,
}

impl Collector<'_> {
    fn module(&self) -> ModId {
        *self
            .modules
            .last()
            .expect("a file is read inside its module")
    }

    fn push(&mut self, line: usize, path: Vec<String>) {
        self.found.push(Reference {
            file: self.file,
            module: self.module(),
            line,
            path,
        });
    }

    /// `crate :: a :: b` (also `$crate`, `super`, `self`) sequences in a macro's tokens.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut at = 0;
        while at < tokens.len() {
            if let TokenTree::Group(group) = &tokens[at] {
                self.scan_tokens(group.stream());
            }
            let path = path_at(&tokens, at);
            if path.len() >= 2 && ["crate", "super", "self"].contains(&path[0].as_str()) {
                self.push(tokens[at].span().start().line, path.clone());
                at += 3 * path.len() - 2;
                continue;
            }
            at += 1;
        }
    }
}

/// The `a :: b :: c` path starting at `tokens[at]`, or the single identifier there.
fn path_at(tokens: &[TokenTree], at: usize) -> Vec<String> {
    let mut path = Vec::new();
    let mut next = at;
    while let Some(TokenTree::Ident(ident)) = tokens.get(next) {
        path.push(ident.to_string());
        let colons = matches!(
            (tokens.get(next + 1), tokens.get(next + 2)),
            (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':'
        );
        if !colons {
            break;
        }
        next += 3;
    }
    path
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, declared: &'ast syn::ItemMod) {
        // A `mod x;` file is read on its own; an inline module is read here, as itself.
        if let Some((_, items)) = &declared.content {
            let name = declared.ident.to_string();
            let Some(&child) = self.krate.modules[self.module()].children.get(&name) else {
                return;
            };
            self.modules.push(child);
            for item in items {
                self.visit_item(item);
            }
            self.modules.pop();
        }
    }

    fn visit_item_use(&mut self, declared: &'ast syn::ItemUse) {
        for leaf in use_leaves(declared) {
            self.push(leaf.line, leaf.path);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() >= 2 {
            let mut names: Vec<String> = path
                .leading_colon
                .map(|_| EXTERN.into())
                .into_iter()
                .collect();
            names.extend(path.segments.iter().map(|s| s.ident.to_string()));
            let line = path.segments[0].ident.span().start().line;
            self.push(line, names);
        }
        visit::visit_path(self, path);
    }

    /// `pub(crate)`, `pub(super)`, `pub(in …)` say who may see an item, they import nothing.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        if !GENERATING_MACROS.contains(&name.as_deref().unwrap_or_default()) {
            self.scan_tokens(mac.tokens.clone());
        }
    }
}
