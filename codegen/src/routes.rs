//! `x-mcp-route-families`: the routes Spotify moved in February 2026, as the route fallback needs
//! them. Each family lists its legacy operations; the current counterpart of each is its
//! `x-mcp-replaced-by`. Operations are named by operationId and resolved here to tool names, and
//! every argument or answer property a family names is checked against the tools, so a rename
//! through `x-mcp-name` carries the fallback along and a typo fails codegen.

use crate::spec;
use crate::tools::{Tool, response_schema};
use serde_json::{Map, Value};

/// Document extension holding the route families (documented in openapi/README.md).
pub const ROUTE_FAMILIES_EXTENSION: &str = "x-mcp-route-families";

/// Which side of a family a tool is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Current,
    Legacy,
}

/// How a legacy id list reaches a legacy tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ids {
    /// One call for all ids of a URI type, through this list argument.
    List(String),
    /// One call per id, through this argument.
    One(String),
}

/// A page-size argument cut to the maximum of the tool it is sent to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub arg: String,
    pub current_max: u64,
    pub legacy_max: u64,
}

/// How arguments and answers are carried between a legacy tool and its current counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Convert {
    /// The same call on another path: `arguments` (legacy name, current name) are renamed,
    /// `entries` (legacy key, current key) are copied in the answer's `items`.
    SameArguments {
        arguments: Vec<(String, String)>,
        entries: Vec<(String, String)>,
        limit: Option<Limit>,
    },
    /// The legacy call names the signed-in user in `user`, whose `id` the `profile` tool answers.
    ForUser { user: String, profile: String },
    /// The current tool takes Spotify URIs in `uris`; the legacy one ids of `uri_types`.
    ByUri {
        uri_types: Vec<String>,
        uris: String,
        ids: Ids,
        /// Argument naming the URI type, for a legacy tool that serves several.
        type_arg: Option<String>,
        /// Body argument repeating the ids.
        body_ids: Option<String>,
        /// Arguments with no equivalent on the current route.
        unconvertible: Vec<String>,
        /// The current tool answers one flag per URI.
        flags: bool,
    },
    /// A "get several" call answered by one current GET per id: `ids` (legacy) → `id`
    /// (current), the answers listed under `key`.
    PerItem {
        ids: String,
        id: String,
        key: String,
    },
}

/// One legacy tool of a family and its current counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyRoute {
    /// The memory key and metric label.
    pub family: String,
    pub legacy: String,
    pub current: String,
    pub convert: Convert,
}

impl LegacyRoute {
    /// The tools in a family and their side. A per-item GET stays outside its family: only
    /// the "several" call falls back.
    pub fn members(&self) -> Vec<(&str, Side)> {
        let mut members = vec![(self.legacy.as_str(), Side::Legacy)];
        if !matches!(self.convert, Convert::PerItem { .. }) {
            members.push((self.current.as_str(), Side::Current));
        }
        members
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error("`{ROUTE_FAMILIES_EXTENSION}` must map family names to {{convert, legacy, …}}")]
    Shape,
    #[error("route family `{family}`: {problem}")]
    Family { family: String, problem: String },
}

const CONVERTS: [&str; 4] = ["same-arguments", "for-user", "by-uri", "per-item"];

/// Every legacy route of the document's families, in document order.
pub fn route_families(doc: &Value, tools: &[Tool]) -> Result<Vec<LegacyRoute>, RouteError> {
    let Some(families) = doc.get(ROUTE_FAMILIES_EXTENSION) else {
        return Ok(Vec::new());
    };
    let families = families.as_object().ok_or(RouteError::Shape)?;
    let mut routes = Vec::new();
    for (family, spec) in families {
        let reader = FamilyReader { doc, family, tools };
        routes.extend(reader.read(spec)?);
    }
    check_membership(&routes)?;
    Ok(routes)
}

/// A tool belongs to at most one family, on one side.
fn check_membership(routes: &[LegacyRoute]) -> Result<(), RouteError> {
    let mut seen: Vec<(&str, &str, Side)> = Vec::new();
    for route in routes {
        for (tool, side) in route.members() {
            if let Some((_, other, other_side)) = seen.iter().find(|(t, ..)| *t == tool)
                && (*other != route.family || *other_side != side)
            {
                return Err(RouteError::Family {
                    family: route.family.clone(),
                    problem: format!("tool `{tool}` is already in family `{other}`"),
                });
            }
            seen.push((tool, &route.family, side));
        }
    }
    Ok(())
}

struct FamilyReader<'a> {
    doc: &'a Value,
    family: &'a str,
    tools: &'a [Tool],
}

impl<'a> FamilyReader<'a> {
    fn error(&self, problem: impl Into<String>) -> RouteError {
        RouteError::Family {
            family: self.family.to_string(),
            problem: problem.into(),
        }
    }

    fn read(&self, spec: &Value) -> Result<Vec<LegacyRoute>, RouteError> {
        let spec = spec
            .as_object()
            .ok_or_else(|| self.error("must be an object"))?;
        self.known_keys(spec, &["convert", "uris", "legacy"], "family")?;
        let convert = spec
            .get("convert")
            .and_then(Value::as_str)
            .filter(|c| CONVERTS.contains(c))
            .ok_or_else(|| {
                self.error(format!("`convert` must be one of {}", CONVERTS.join(", ")))
            })?;
        let legacy = spec
            .get("legacy")
            .and_then(Value::as_object)
            .filter(|l| !l.is_empty())
            .ok_or_else(|| self.error("`legacy` must map operationIds to their options"))?;
        let mut routes = Vec::new();
        for (operation_id, options) in legacy {
            let (legacy, current) = self.pair(operation_id)?;
            let options = options
                .as_object()
                .ok_or_else(|| self.error(format!("options of `{operation_id}` must be a map")))?;
            let route = RouteReader {
                family: self,
                operation_id,
                options,
                legacy,
                current,
            };
            let convert = match convert {
                "same-arguments" => route.same_arguments()?,
                "for-user" => route.for_user()?,
                "by-uri" => route.by_uri(spec.get("uris"))?,
                _ => route.per_item()?,
            };
            routes.push(LegacyRoute {
                family: self.family.to_string(),
                legacy: legacy.name.clone(),
                current: current.name.clone(),
                convert,
            });
        }
        Ok(routes)
    }

    fn tool(&self, operation_id: &str) -> Result<&'a Tool, RouteError> {
        self.tools
            .iter()
            .find(|t| t.operation_id == operation_id)
            .ok_or_else(|| self.error(format!("`{operation_id}` names no operation")))
    }

    /// The legacy tool and the current one its operation's `x-mcp-replaced-by` names.
    fn pair(&self, operation_id: &str) -> Result<(&'a Tool, &'a Tool), RouteError> {
        let legacy = self.tool(operation_id)?;
        let current = legacy
            .replaced_by
            .as_ref()
            .and_then(|name| self.tools.iter().find(|t| &t.name == name))
            .ok_or_else(|| {
                self.error(format!(
                    "operation {operation_id} has no `x-mcp-replaced-by` naming its current route"
                ))
            })?;
        Ok((legacy, current))
    }

    /// The answer of `tool` as Spotify sends it (fallback converts answers before projection).
    fn raw_answer(&self, tool: &Tool) -> Option<Value> {
        let operation = spec::operations(self.doc).into_iter().find(|op| {
            op.operation.get("operationId").and_then(Value::as_str) == Some(&tool.operation_id)
        })?;
        response_schema(self.doc, operation.operation).ok()?.0
    }

    fn known_keys(
        &self,
        map: &Map<String, Value>,
        known: &[&str],
        what: &str,
    ) -> Result<(), RouteError> {
        match map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(self.error(format!(
                "unknown {what} key `{key}`; known: {}",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }
}

/// One legacy operation's options.
struct RouteReader<'a> {
    family: &'a FamilyReader<'a>,
    operation_id: &'a str,
    options: &'a Map<String, Value>,
    legacy: &'a Tool,
    current: &'a Tool,
}

impl RouteReader<'_> {
    fn error(&self, problem: impl Into<String>) -> RouteError {
        self.family.error(format!(
            "operation {}: {}",
            self.operation_id,
            problem.into()
        ))
    }

    /// Refuses an option this kind of family does not take: a typo would silently do nothing.
    fn keys(&self, known: &[&str]) -> Result<(), RouteError> {
        match self.options.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(self.error(format!(
                "unknown option `{key}`; this family takes {}",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }

    fn text(&self, key: &str) -> Result<Option<String>, RouteError> {
        match self.options.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(self.error(format!("`{key}` must be a string"))),
        }
    }

    fn required(&self, key: &str) -> Result<String, RouteError> {
        self.text(key)?
            .ok_or_else(|| self.error(format!("needs `{key}`")))
    }

    fn list(&self, key: &str) -> Result<Vec<String>, RouteError> {
        let invalid = || self.error(format!("`{key}` must be a list of names"));
        match self.options.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(String::from).ok_or_else(invalid))
                .collect(),
            Some(_) => Err(invalid()),
        }
    }

    fn pairs(&self, key: &str) -> Result<Vec<(String, String)>, RouteError> {
        let invalid = || self.error(format!("`{key}` must map names to names"));
        match self.options.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(from, to)| Ok((from.clone(), to.as_str().ok_or_else(invalid)?.to_string())))
                .collect(),
            Some(_) => Err(invalid()),
        }
    }

    /// Fails unless `tool` takes the argument `name`.
    fn argument<'n>(&self, tool: &Tool, name: &'n str) -> Result<&'n str, RouteError> {
        if tool.input_schema["properties"].get(name).is_some() {
            Ok(name)
        } else {
            Err(self.error(format!("tool `{}` has no argument `{name}`", tool.name)))
        }
    }

    /// Fails unless `tool`'s answer has the property `name` (in its `items` when `in_items`).
    fn answer_property(&self, tool: &Tool, name: &str, in_items: bool) -> Result<(), RouteError> {
        let found = self.family.raw_answer(tool).is_some_and(|output| {
            if !in_items {
                return output["properties"].get(name).is_some();
            }
            let item = &output["properties"]["items"]["items"];
            let item = match item["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                Some(def) => &output["$defs"][def],
                None => item,
            };
            item["properties"].get(name).is_some()
        });
        if found {
            Ok(())
        } else {
            let (place, verb) = if in_items {
                ("answer items", "have")
            } else {
                ("answer", "has")
            };
            Err(self.error(format!(
                "the {place} of tool `{}` {verb} no `{name}`",
                tool.name
            )))
        }
    }

    fn same_arguments(&self) -> Result<Convert, RouteError> {
        self.keys(&["arguments", "entries", "limit"])?;
        let arguments = self.pairs("arguments")?;
        for (legacy, current) in &arguments {
            self.argument(self.legacy, legacy)?;
            self.argument(self.current, current)?;
        }
        let entries = self.pairs("entries")?;
        for (legacy, current) in &entries {
            self.answer_property(self.legacy, legacy, true)?;
            self.answer_property(self.current, current, true)?;
        }
        let limit = match self.text("limit")? {
            None => None,
            Some(arg) => Some(Limit {
                current_max: self.maximum(self.current, &arg)?,
                legacy_max: self.maximum(self.legacy, &arg)?,
                arg,
            }),
        };
        Ok(Convert::SameArguments {
            arguments,
            entries,
            limit,
        })
    }

    fn maximum(&self, tool: &Tool, arg: &str) -> Result<u64, RouteError> {
        self.argument(tool, arg)?;
        tool.input_schema["properties"][arg]["maximum"]
            .as_u64()
            .ok_or_else(|| {
                self.error(format!(
                    "argument `{arg}` of tool `{}` has no maximum",
                    tool.name
                ))
            })
    }

    fn for_user(&self) -> Result<Convert, RouteError> {
        self.keys(&["user", "profile"])?;
        let user = self.required("user")?;
        self.argument(self.legacy, &user)?;
        let profile = self.family.tool(&self.required("profile")?)?;
        self.answer_property(profile, "id", false)?;
        Ok(Convert::ForUser {
            user,
            profile: profile.name.clone(),
        })
    }

    fn by_uri(&self, uris: Option<&Value>) -> Result<Convert, RouteError> {
        self.keys(&[
            "uri-types",
            "ids",
            "id",
            "type",
            "body-ids",
            "unconvertible",
        ])?;
        let uris = uris.and_then(Value::as_str).ok_or_else(|| {
            self.family
                .error("a `by-uri` family needs `uris`: the current tools' URI list argument")
        })?;
        self.argument(self.current, uris)?;
        let uri_types = self.list("uri-types")?;
        if uri_types.is_empty() {
            return Err(self.error("needs `uri-types`"));
        }
        let ids = match (self.text("ids")?, self.text("id")?) {
            (Some(list), None) => Ids::List(self.argument(self.legacy, &list)?.to_string()),
            (None, Some(one)) => Ids::One(self.argument(self.legacy, &one)?.to_string()),
            _ => {
                return Err(
                    self.error("needs one of `ids` (a list argument) and `id` (one id per call)")
                );
            }
        };
        let optional = |key: &str| -> Result<Option<String>, RouteError> {
            self.text(key)?
                .map(|arg| self.argument(self.legacy, &arg).map(String::from))
                .transpose()
        };
        let unconvertible = self.list("unconvertible")?;
        for arg in &unconvertible {
            self.argument(self.legacy, arg)?;
        }
        Ok(Convert::ByUri {
            uri_types,
            uris: uris.to_string(),
            ids,
            type_arg: optional("type")?,
            body_ids: optional("body-ids")?,
            unconvertible,
            flags: self.current.output_wrap.is_some(),
        })
    }

    fn per_item(&self) -> Result<Convert, RouteError> {
        self.keys(&["ids", "id", "key"])?;
        let ids = self.required("ids")?;
        self.argument(self.legacy, &ids)?;
        let id = self.required("id")?;
        self.argument(self.current, &id)?;
        let key = self.required("key")?;
        self.answer_property(self.legacy, &key, false)?;
        Ok(Convert::PerItem { ids, id, key })
    }
}
