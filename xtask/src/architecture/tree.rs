//! A crate's module tree read from its files: which module each file holds, what each module
//! defines, and which names its `use` declarations bring in.

use super::violation::CheckError;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub type FileId = usize;
pub type ModId = usize;

pub struct SourceFile {
    /// Relative to the workspace root, `/`-separated.
    pub path: String,
    pub ast: syn::File,
    /// The module the file holds (inline `mod x { … }` inside it are modules of their own).
    pub module: ModId,
}

pub struct Module {
    pub parent: Option<ModId>,
    pub file: FileId,
    /// Names from the crate root, e.g. `["mcp", "server"]`; empty for the root.
    pub path: Vec<String>,
    pub children: BTreeMap<String, ModId>,
    /// Names of the items defined here (types, functions, constants, macros…).
    pub items: BTreeSet<String>,
    /// Each `use` binding: the name here → the path it names, as written (relative to here).
    pub bindings: BTreeMap<String, Vec<String>>,
    /// The paths of `use …::*`, as written.
    pub globs: Vec<Vec<String>>,
}

/// One crate: its root is `modules[0]`, held by `files[0]`.
pub struct Crate {
    pub files: Vec<SourceFile>,
    pub modules: Vec<Module>,
}

/// A leaf of a `use` tree: the binding it makes (none for `as _` and globs) and the path it names.
pub struct UseLeaf {
    pub binding: Option<String>,
    pub path: Vec<String>,
    pub glob: bool,
    pub line: usize,
}

/// The first segment of a path with a leading `::`: always another crate.
pub const EXTERN: &str = "::";

impl Crate {
    /// Reads the crate whose root file is `root` (e.g. `src/lib.rs`) and every file its `mod`
    /// declarations reach; `workspace` is what reported paths are relative to.
    pub fn load(workspace: &Path, root: &Path) -> Result<Crate, CheckError> {
        let mut krate = Crate {
            files: Vec::new(),
            modules: Vec::new(),
        };
        let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
        krate.load_file(workspace, root, None, Vec::new(), dir)?;
        Ok(krate)
    }

    fn new_module(&mut self, parent: Option<ModId>, file: FileId, path: Vec<String>) -> ModId {
        self.modules.push(Module {
            parent,
            file,
            path,
            children: BTreeMap::new(),
            items: BTreeSet::new(),
            bindings: BTreeMap::new(),
            globs: Vec::new(),
        });
        self.modules.len() - 1
    }

    /// Parses one file as module `path`; `dir` is where its child modules' files are.
    fn load_file(
        &mut self,
        workspace: &Path,
        file_path: &Path,
        parent: Option<ModId>,
        path: Vec<String>,
        dir: PathBuf,
    ) -> Result<ModId, CheckError> {
        let ast = parse(file_path)?;
        let file = self.files.len();
        let module = self.new_module(parent, file, path);
        self.files.push(SourceFile {
            path: relative(workspace, file_path),
            ast: syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: Vec::new(),
            },
            module,
        });
        self.read_items(workspace, module, &ast.items, &dir)?;
        self.files[file].ast = ast;
        Ok(module)
    }

    fn read_items(
        &mut self,
        workspace: &Path,
        module: ModId,
        items: &[syn::Item],
        dir: &Path,
    ) -> Result<(), CheckError> {
        for item in items {
            match item {
                syn::Item::Mod(declared) => self.read_mod(workspace, module, declared, dir)?,
                syn::Item::Use(declared) => {
                    for leaf in use_leaves(declared) {
                        let target = &mut self.modules[module];
                        match (leaf.glob, leaf.binding) {
                            (true, _) => target.globs.push(leaf.path),
                            (false, Some(name)) => {
                                target.bindings.insert(name, leaf.path);
                            }
                            (false, None) => {}
                        }
                    }
                }
                other => {
                    if let Some(name) = item_name(other) {
                        self.modules[module].items.insert(name);
                    }
                }
            }
        }
        Ok(())
    }

    fn read_mod(
        &mut self,
        workspace: &Path,
        parent: ModId,
        declared: &syn::ItemMod,
        dir: &Path,
    ) -> Result<(), CheckError> {
        let name = declared.ident.to_string();
        let mut path = self.modules[parent].path.clone();
        path.push(name.clone());
        let child = match &declared.content {
            Some((_, items)) => {
                let file = self.modules[parent].file;
                let child = self.new_module(Some(parent), file, path);
                self.read_items(workspace, child, items, &dir.join(&name))?;
                child
            }
            None => {
                let (file_path, child_dir) =
                    module_file(dir, &name).ok_or_else(|| CheckError::MissingModule {
                        file: self.files[self.modules[parent].file].path.clone(),
                        module: name.clone(),
                    })?;
                self.load_file(workspace, &file_path, Some(parent), path, child_dir)?
            }
        };
        self.modules[parent].children.insert(name, child);
        Ok(())
    }
}

/// `name.rs` (children in `name/`) or `name/mod.rs` (children beside it). `#[path]` is not read.
fn module_file(dir: &Path, name: &str) -> Option<(PathBuf, PathBuf)> {
    let flat = dir.join(format!("{name}.rs"));
    let nested = dir.join(name).join("mod.rs");
    if flat.is_file() {
        Some((flat, dir.join(name)))
    } else if nested.is_file() {
        Some((nested, dir.join(name)))
    } else {
        None
    }
}

fn parse(path: &Path) -> Result<syn::File, CheckError> {
    let text = std::fs::read_to_string(path).map_err(|e| CheckError::Read(path.into(), e))?;
    syn::parse_file(&text).map_err(|e| CheckError::Parse {
        path: path.into(),
        line: e.span().start().line,
        message: e.to_string(),
    })
}

fn relative(workspace: &Path, path: &Path) -> String {
    let path = path.strip_prefix(workspace).unwrap_or(path);
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The name an item defines in its module's namespace, if any.
fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(item) => &item.ident,
        syn::Item::Enum(item) => &item.ident,
        syn::Item::ExternCrate(item) => match &item.rename {
            Some((_, rename)) => rename,
            None => &item.ident,
        },
        syn::Item::Fn(item) => &item.sig.ident,
        syn::Item::Macro(item) => item.ident.as_ref()?,
        syn::Item::Static(item) => &item.ident,
        syn::Item::Struct(item) => &item.ident,
        syn::Item::Trait(item) => &item.ident,
        syn::Item::TraitAlias(item) => &item.ident,
        syn::Item::Type(item) => &item.ident,
        syn::Item::Union(item) => &item.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// Every leaf of a `use` declaration, `{self}` and renames resolved to the path they name; a
/// leading `::` (always another crate) is kept as the `EXTERN` segment.
pub fn use_leaves(declared: &syn::ItemUse) -> Vec<UseLeaf> {
    let mut prefix = match declared.leading_colon {
        Some(_) => vec![EXTERN.to_string()],
        None => Vec::new(),
    };
    let mut leaves = Vec::new();
    walk_use(&declared.tree, &mut prefix, &mut leaves);
    leaves
}

fn walk_use(tree: &syn::UseTree, prefix: &mut Vec<String>, leaves: &mut Vec<UseLeaf>) {
    let leaf = |ident: &syn::Ident, binding: Option<String>, prefix: &[String]| {
        let mut path = prefix.to_vec();
        if ident != "self" {
            path.push(ident.to_string());
        }
        UseLeaf {
            binding,
            path,
            glob: false,
            line: ident.span().start().line,
        }
    };
    match tree {
        syn::UseTree::Path(step) => {
            prefix.push(step.ident.to_string());
            walk_use(&step.tree, prefix, leaves);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let binding = if name.ident == "self" {
                prefix.last().cloned()
            } else {
                Some(name.ident.to_string())
            };
            leaves.push(leaf(&name.ident, binding, prefix));
        }
        syn::UseTree::Rename(rename) => {
            let binding = (rename.rename != "_").then(|| rename.rename.to_string());
            leaves.push(leaf(&rename.ident, binding, prefix));
        }
        syn::UseTree::Glob(star) => leaves.push(UseLeaf {
            binding: None,
            path: prefix.clone(),
            glob: true,
            line: star.star_token.span.start().line,
        }),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                walk_use(tree, prefix, leaves);
            }
        }
    }
}
