//! Writes a JSON value as block YAML laid out the way `openapi/spotify.yaml` is: two-space
//! indents, sequences in mappings not indented, plain scalars where YAML allows them, single
//! quotes otherwise, long lines folded at spaces past column 100, keys in the value's order.
//!
//! That is the layout of PyYAML's `dump(width=100, sort_keys=False, allow_unicode=True)`, which
//! the project's spec has always had; matching it byte for byte keeps `spec sync` diffs down to
//! what actually changed. Strings with line breaks, which the project's spec never has, are
//! written double-quoted on one line (PyYAML would fold them; both read back the same).

use serde_json::{Map, Number, Value};

const WIDTH: usize = 100;
const INDENT: usize = 2;

pub fn to_string(value: &Value) -> String {
    let mut emitter = Emitter::default();
    match value {
        Value::Object(map) if !map.is_empty() => emitter.mapping(map, 0),
        Value::Array(items) if !items.is_empty() => emitter.sequence(items, 0),
        scalar => emitter.scalar(scalar, 0, true),
    }
    emitter.out.push('\n');
    emitter.out
}

#[derive(Default)]
struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        self.column += text.chars().count();
    }

    fn line(&mut self, indent: usize) {
        self.out.push('\n');
        self.column = 0;
        self.write(&" ".repeat(indent));
    }

    /// A block mapping whose first key goes where the cursor is (column `indent`, or after `- `).
    fn mapping(&mut self, map: &Map<String, Value>, indent: usize) {
        for (index, (key, value)) in map.iter().enumerate() {
            if index > 0 {
                self.line(indent);
            }
            self.string(key, indent + INDENT, false);
            self.write(":");
            match value {
                Value::Object(inner) if !inner.is_empty() => {
                    self.line(indent + INDENT);
                    self.mapping(inner, indent + INDENT);
                }
                // Sequences in a mapping sit at the key's indent.
                Value::Array(items) if !items.is_empty() => {
                    self.line(indent);
                    self.sequence(items, indent);
                }
                scalar => {
                    self.write(" ");
                    self.scalar(scalar, indent + INDENT, true);
                }
            }
        }
    }

    fn sequence(&mut self, items: &[Value], indent: usize) {
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                self.line(indent);
            }
            self.write("- ");
            match item {
                Value::Object(inner) if !inner.is_empty() => self.mapping(inner, indent + INDENT),
                Value::Array(inner) if !inner.is_empty() => self.sequence(inner, indent + INDENT),
                scalar => self.scalar(scalar, indent + INDENT, true),
            }
        }
    }

    /// A scalar (or an empty collection); folded lines continue at `indent`.
    fn scalar(&mut self, value: &Value, indent: usize, fold: bool) {
        match value {
            Value::Null => self.write("null"),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Number(n) => self.write(&number(n)),
            Value::String(s) => self.string(s, indent, fold),
            Value::Array(_) => self.write("[]"),
            Value::Object(_) => self.write("{}"),
        }
    }

    fn string(&mut self, text: &str, indent: usize, fold: bool) {
        let analysis = Analysis::of(text);
        if analysis.plain && !resolves_to_non_string(text) {
            self.plain(text, indent, fold);
        } else if analysis.single_quoted {
            self.single_quoted(text, indent, fold);
        } else {
            self.double_quoted(text);
        }
    }

    /// Words separated by single spaces may break onto a new line once past the width.
    fn plain(&mut self, text: &str, indent: usize, fold: bool) {
        for (index, piece) in pieces(text).into_iter().enumerate() {
            if piece == " " && index > 0 && fold && self.column > WIDTH {
                self.line(indent);
            } else {
                self.write(piece);
            }
        }
    }

    fn single_quoted(&mut self, text: &str, indent: usize, fold: bool) {
        self.write("'");
        let pieces = pieces(text);
        let last = pieces.len().saturating_sub(1);
        for (index, piece) in pieces.into_iter().enumerate() {
            if piece == " " && index > 0 && index < last && fold && self.column > WIDTH {
                self.line(indent);
            } else {
                self.write(&piece.replace('\'', "''"));
            }
        }
        self.write("'");
    }

    fn double_quoted(&mut self, text: &str) {
        let mut quoted = String::from("\"");
        for ch in text.chars() {
            match ch {
                '"' => quoted.push_str("\\\""),
                '\\' => quoted.push_str("\\\\"),
                '\n' => quoted.push_str("\\n"),
                '\t' => quoted.push_str("\\t"),
                '\r' => quoted.push_str("\\r"),
                ch if printable(ch) && !is_break(ch) => quoted.push(ch),
                ch if (ch as u32) <= 0xff => quoted.push_str(&format!("\\x{:02X}", ch as u32)),
                ch if (ch as u32) <= 0xffff => quoted.push_str(&format!("\\u{:04X}", ch as u32)),
                ch => quoted.push_str(&format!("\\U{:08X}", ch as u32)),
            }
        }
        quoted.push('"');
        self.write(&quoted);
    }
}

/// Runs of spaces and runs of everything else, in order.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut previous: Option<bool> = None;
    for (index, ch) in text.char_indices() {
        let space = ch == ' ';
        if previous.is_some_and(|p| p != space) {
            out.push(&text[start..index]);
            start = index;
        }
        previous = Some(space);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Python's float `repr`, as PyYAML writes it (`0.5`, `1.0`, `1.0e+20`).
fn number(n: &Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or_default();
    let magnitude = f.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').expect("{:e} has an exponent");
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ('-', digits),
            None => ('+', exponent),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    let text = f.to_string();
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

fn printable(ch: char) -> bool {
    matches!(ch, '\x20'..='\x7e' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && ch != '\u{feff}'
}

/// Line breaks to a YAML 1.1 reader (libyaml, PyYAML), not only `\n`.
fn is_break(ch: char) -> bool {
    matches!(ch, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Which quoting styles can write a string, after PyYAML's `analyze_scalar`.
struct Analysis {
    plain: bool,
    single_quoted: bool,
}

impl Analysis {
    fn of(text: &str) -> Self {
        if text.is_empty() {
            return Self {
                plain: false,
                single_quoted: true,
            };
        }
        let chars: Vec<char> = text.chars().collect();
        let blank = |c: Option<&char>| c.is_none_or(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
        let mut indicators = text.starts_with("---") || text.starts_with("...");
        let (mut special, mut line_breaks) = (false, false);
        let (mut leading_space, mut trailing_space) = (false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut preceded_by_blank = true;
        for (index, &ch) in chars.iter().enumerate() {
            let followed_by_blank = blank(chars.get(index + 1));
            if index == 0 {
                indicators |= "#,[]{}&*!|>'\"%@`".contains(ch)
                    || (matches!(ch, '?' | ':' | '-') && followed_by_blank);
            } else {
                indicators |= (ch == ':' && followed_by_blank) || (ch == '#' && preceded_by_blank);
            }
            line_breaks |= is_break(ch);
            special |= !is_break(ch) && !printable(ch);
            if ch == ' ' {
                leading_space |= index == 0;
                trailing_space |= index == chars.len() - 1;
                break_space |= previous_break;
                (previous_space, previous_break) = (true, false);
            } else if is_break(ch) {
                space_break |= previous_space;
                (previous_space, previous_break) = (false, true);
            } else {
                (previous_space, previous_break) = (false, false);
            }
            preceded_by_blank = blank(Some(&ch));
        }
        let edges = leading_space || trailing_space || chars[0] == '\n' || text.ends_with('\n');
        Self {
            plain: !(edges || break_space || space_break || special || line_breaks || indicators),
            // One-line strings only: see the module comment.
            single_quoted: !(break_space || space_break || special || line_breaks),
        }
    }
}

/// Whether a plain scalar would read back as something else: YAML 1.1 booleans, nulls,
/// numbers and dates (what PyYAML quotes), or anything our own reader would not take as
/// this string.
fn resolves_to_non_string(text: &str) -> bool {
    let yaml11 = matches!(
        text,
        "~" | "null"
            | "Null"
            | "NULL"
            | "<<"
            | "="
            | "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    ) || int11(text)
        || float11(text)
        || timestamp11(text);
    yaml11 || serde_yaml_ng::from_str::<Value>(text).ok() != Some(Value::String(text.into()))
}

fn all(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    text.chars().all(allowed)
}

fn digits_(c: char) -> bool {
    c.is_ascii_digit() || c == '_'
}

fn unsigned(text: &str) -> &str {
    text.strip_prefix(['-', '+']).unwrap_or(text)
}

/// `:`-separated base-60 groups after the first (`1:30`), each `[0-5]?[0-9]`.
fn sexagesimal_tail(groups: &[&str]) -> bool {
    !groups.is_empty()
        && groups.iter().all(|g| {
            let b = g.as_bytes();
            match b.len() {
                1 => b[0].is_ascii_digit(),
                2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
                _ => false,
            }
        })
}

fn int11(text: &str) -> bool {
    let b = unsigned(text);
    if let Some(rest) = b.strip_prefix("0b") {
        return !rest.is_empty() && all(rest, |c| matches!(c, '0' | '1' | '_'));
    }
    if let Some(rest) = b.strip_prefix("0x") {
        return !rest.is_empty() && all(rest, |c| c.is_ascii_hexdigit() || c == '_');
    }
    if b == "0" {
        return true;
    }
    if let Some(rest) = b.strip_prefix('0') {
        return all(rest, |c| matches!(c, '0'..='7' | '_'));
    }
    let groups: Vec<&str> = b.split(':').collect();
    let first = groups[0];
    first.starts_with(|c: char| c.is_ascii_digit())
        && all(first, digits_)
        && (groups.len() == 1 || sexagesimal_tail(&groups[1..]))
}

fn float11(text: &str) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let b = unsigned(text);
    if matches!(b, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let exponent_ok = |e: &str| {
        let digits = e.strip_prefix(['-', '+']);
        digits.is_some_and(|d| !d.is_empty() && all(d, |c| c.is_ascii_digit()))
    };
    let (mantissa, exponent) = match b.find(['e', 'E']) {
        Some(at) => (&b[..at], Some(&b[at + 1..])),
        None => (b, None),
    };
    if exponent.is_some_and(|e| !exponent_ok(e)) {
        return false;
    }
    if let Some(fraction) = text.strip_prefix('.') {
        // `.5`: no sign allowed before the dot.
        let fraction = match exponent {
            Some(_) => &fraction[..fraction.find(['e', 'E']).unwrap_or(fraction.len())],
            None => fraction,
        };
        return fraction.starts_with(|c: char| c.is_ascii_digit()) && all(fraction, digits_);
    }
    let Some((whole, fraction)) = mantissa.split_once('.') else {
        return false;
    };
    if !all(fraction, digits_) {
        return false;
    }
    let groups: Vec<&str> = whole.split(':').collect();
    let first = groups[0];
    let first_ok = first.starts_with(|c: char| c.is_ascii_digit()) && all(first, digits_);
    match groups.len() {
        1 => first_ok,
        _ => first_ok && exponent.is_none() && sexagesimal_tail(&groups[1..]),
    }
}

/// `2021-03-15`, or a date followed by a time (a loose match: quoting too much is harmless).
fn timestamp11(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if b.len() == 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' {
        return digits(8..10);
    }
    digits(0..4) && b.get(4) == Some(&b'-') && text.len() > 10 && text[5..].contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(value: &Value) {
        let text = to_string(value);
        let back: Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(&back, value, "{text}");
    }

    #[test]
    fn tricky_strings_read_back_unchanged() {
        for s in [
            "",
            " lead",
            "trail ",
            "a: b",
            "#x",
            "a #b",
            "- x",
            "-x",
            "? x",
            "'quoted'",
            "\"dq\"",
            "yes",
            "off",
            "Null",
            "~",
            "12",
            "012",
            "0x1F",
            "1.5",
            ".5",
            "1e5",
            "1:30",
            "2021-03-15",
            "2021-03-15T10:00:00Z",
            "multi\nline",
            "tab\there",
            "é ü",
            "{id}",
            "[x]",
            "*star",
            "&amp",
            "!bang",
            "%p",
            "@at",
            "`tick",
            "a,b",
            "---",
            "...",
            "x\u{1}",
            "100%",
            "=",
            "<<",
            "a\u{2028}b",
            "a\u{85}b",
            "a\r\nb",
        ] {
            round_trip(&json!({ "key": s, s: [s, { s: s }] }));
        }
    }

    #[test]
    fn long_strings_fold_and_read_back() {
        let long = "word ".repeat(60).trim_end().to_string();
        let quoted = format!("'{}'", long);
        let value = json!({ "a": { "description": long, "q": quoted, "list": [long] } });
        let text = to_string(&value);
        assert!(text.lines().all(|l| l.len() <= WIDTH + 10), "{text}");
        round_trip(&value);
    }

    #[test]
    fn layout_matches_the_project_style() {
        let value = json!({
            "paths": { "/a": { "get": {
                "tags": ["A"],
                "parameters": [{ "name": "id", "in": "path", "required": true }],
                "responses": { "200": { "description": "Ok: fine" } },
                "security": [{ "oauth_2_0": [] }],
                "x": 0.5, "y": 1.0, "z": 3,
            } } }
        });
        let expected = "\
paths:
  /a:
    get:
      tags:
      - A
      parameters:
      - name: id
        in: path
        required: true
      responses:
        '200':
          description: 'Ok: fine'
      security:
      - oauth_2_0: []
      x: 0.5
      y: 1.0
      z: 3
";
        assert_eq!(to_string(&value), expected);
    }
}
