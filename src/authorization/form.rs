//! Query strings and form bodies as OAuth reads them: each parameter at most once (RFC 6749
//! §3.1), a repeated one is an error rather than a guess at which copy counts.

use std::collections::HashMap;

/// The parameters of one query string or `application/x-www-form-urlencoded` body.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, Vec<String>>,
}

/// A parameter sent more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the parameter {0} is repeated; send it once")]
pub struct Repeated(pub &'static str);

impl Params {
    pub fn parse(encoded: &[u8]) -> Self {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(encoded).into_owned() {
            values.entry(name).or_default().push(value);
        }
        Self { values }
    }

    /// The value of `name`; `None` when absent or empty (OAuth treats both alike).
    pub fn get(&self, name: &'static str) -> Result<Option<&str>, Repeated> {
        match self.values.get(name).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(one.as_str()).filter(|v| !v.is_empty())),
            Some(_) => Err(Repeated(name)),
        }
    }

    /// Like [`Params::get`], a repeated parameter read as absent.
    pub fn single(&self, name: &'static str) -> Option<&str> {
        self.get(name).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_parameters_are_refused_and_empty_ones_are_absent() {
        let params = Params::parse(b"a=1&b=&c=x%20y&a=2");
        assert_eq!(params.get("a"), Err(Repeated("a")));
        assert_eq!(params.get("b"), Ok(None));
        assert_eq!(params.get("c"), Ok(Some("x y")));
        assert_eq!(params.get("d"), Ok(None));
        assert_eq!(params.single("a"), None);
    }
}
