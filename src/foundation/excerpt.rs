//! Short quotes of text a caller supplied, for messages and logs: an argument of a megabyte
//! must not come back whole in an error, nor fill the log on every call.

use std::borrow::Cow;

/// How many characters of a caller's value a message quotes.
pub const QUOTE_CHARS: usize = 100;

/// `text` itself when it has at most [`QUOTE_CHARS`] characters; otherwise its start and
/// `…(N bytes)`.
pub fn excerpt(text: &str) -> Cow<'_, str> {
    excerpt_to(text, QUOTE_CHARS)
}

/// [`excerpt`] with another length: whole messages get more room than one quoted value.
pub fn excerpt_to(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…({} bytes)", &text[..end], text.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole() {
        assert_eq!(excerpt("abc"), "abc");
        let exactly = "x".repeat(QUOTE_CHARS);
        assert_eq!(excerpt(&exactly), exactly.as_str());
    }

    #[test]
    fn long_text_keeps_its_start_and_says_its_size() {
        let long = "é".repeat(1000);
        let quoted = excerpt(&long);
        assert!(quoted.starts_with(&"é".repeat(QUOTE_CHARS)));
        assert!(quoted.ends_with("…(2000 bytes)"), "{quoted}");
        assert_eq!(
            quoted.chars().count(),
            QUOTE_CHARS + "…(2000 bytes)".chars().count()
        );
    }
}
