//! File masks for `ls`, in the client's documented syntax:
//!
//! | pattern | matches |
//! |---|---|
//! | `?` | any one character |
//! | `*` | any run of characters, also none (`C*t`: Cat, Coast, Ct) |
//! | `[...]` | one character from a class: `[a-z]`, `[0-9,a-d,f,r-z]` (items separated by commas) |
//! | `\c` | the character `c` itself |
//!
//! Special characters are matched literally by bracketing them: `[?]`, `[*]`, `[[]`, `[\]`.
//! `]` and `-` need no escape outside a class. An unterminated `[` is a literal `[`.
//! Matching is case-sensitive.

/// One element of a compiled mask.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
    /// Inclusive character ranges (a single character is a range of one).
    Class(Vec<(char, char)>),
}

impl Token {
    fn matches_one(&self, c: char) -> bool {
        match self {
            Token::Literal(l) => *l == c,
            Token::AnyOne => true,
            Token::AnyRun => false,
            Token::Class(ranges) => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)),
        }
    }
}

/// A compiled file mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask {
    tokens: Vec<Token>,
}

/// Whether `text` contains a mask character (`*`, `?` or `[`), so that it should be
/// matched rather than taken as a name.
pub fn has_wildcards(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

impl Mask {
    /// Compiles `pattern` (never fails: malformed parts are literal).
    pub fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut rest = chars.as_slice();
        while let Some((&c, after)) = rest.split_first() {
            rest = after;
            match c {
                '\\' => match rest.split_first() {
                    Some((&next, after)) => {
                        tokens.push(Token::Literal(next));
                        rest = after;
                    }
                    None => tokens.push(Token::Literal('\\')),
                },
                '*' => {
                    if tokens.last() != Some(&Token::AnyRun) {
                        tokens.push(Token::AnyRun);
                    }
                }
                '?' => tokens.push(Token::AnyOne),
                '[' => match parse_class(rest) {
                    Some((class, after)) => {
                        tokens.push(class);
                        rest = after;
                    }
                    None => tokens.push(Token::Literal('[')),
                },
                other => tokens.push(Token::Literal(other)),
            }
        }
        Self { tokens }
    }

    /// Whether `name` matches the whole mask.
    pub fn matches(&self, name: &str) -> bool {
        let text: Vec<char> = name.chars().collect();
        let (mut t, mut s) = (0usize, 0usize);
        // Where the last `*` was, and where in the text it currently stops.
        let mut backtrack: Option<(usize, usize)> = None;
        while let Some(&c) = text.get(s) {
            match self.tokens.get(t) {
                Some(Token::AnyRun) => {
                    backtrack = Some((t, s));
                    t = t.saturating_add(1);
                }
                Some(token) if token.matches_one(c) => {
                    t = t.saturating_add(1);
                    s = s.saturating_add(1);
                }
                _ => match backtrack {
                    // Let the last `*` swallow one more character and retry.
                    Some((star, from)) => {
                        let from = from.saturating_add(1);
                        backtrack = Some((star, from));
                        t = star.saturating_add(1);
                        s = from;
                    }
                    None => return false,
                },
            }
        }
        self.tokens
            .get(t..)
            .unwrap_or_default()
            .iter()
            .all(|tok| *tok == Token::AnyRun)
    }
}

/// Parses a class body after `[`; returns the class and what follows its `]`, or `None`
/// when there is no closing `]`. A `]` right after `[` belongs to the class.
fn parse_class(body: &[char]) -> Option<(Token, &[char])> {
    let close = body
        .iter()
        .enumerate()
        .position(|(i, &c)| c == ']' && i > 0)?;
    let (inside, after) = body.split_at(close);
    let after = after.get(1..).unwrap_or_default();
    let mut ranges = Vec::new();
    let only_commas = inside.iter().all(|&c| c == ',');
    if only_commas {
        // `[,]`: the comma itself.
        ranges.push((',', ','));
    }
    for item in inside.split(|&c| c == ',') {
        match item {
            [] => {}
            [lo, '-', hi] => ranges.push((*lo, *hi)),
            chars => ranges.extend(chars.iter().map(|&c| (c, c))),
        }
    }
    Some((Token::Class(ranges), after))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(pattern: &str, name: &str) -> bool {
        Mask::new(pattern).matches(name)
    }

    #[test]
    fn documented_examples() {
        for name in ["Cat", "Cot", "Coast", "Ct"] {
            assert!(m("C*t", name), "{name}");
        }
        assert!(!m("C*t", "Cats"));
        assert!(m("[a-z]", "q"));
        assert!(!m("[a-z]", "Q"));
        assert!(m("[a]", "a"));
        assert!(m("[0-9]", "7"));
        for c in ["0", "5", "a", "d", "f", "r", "z"] {
            assert!(m("[0-9,a-d,f,r-z]", c), "{c}");
        }
        for c in ["e", "g", "q", ","] {
            assert!(!m("[0-9,a-d,f,r-z]", c), "{c}");
        }
        assert!(m("[[]Something].txt", "[Something].txt"));
        assert!(m("a[?]", "a?"));
        assert!(!m("a[?]", "ab"));
        assert!(m("a[*]", "a*"));
        assert!(!m("a[*]", "abc"));
        assert!(m("[\\]", "\\"));
        assert!(m("\\*x", "*x"));
        assert!(!m("\\*x", "ax"));
    }

    #[test]
    fn wildcards() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(m("*.txt", "a.txt"));
        assert!(!m("*.txt", "a.txt.bak"));
        assert!(m("?.bin", "a.bin"));
        assert!(!m("?.bin", "ab.bin"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("a*b*c", "abbbc"));
        assert!(!m("a*b*c", "acb"));
        assert!(m("**x", "x"));
        assert!(m("file", "file"));
        assert!(!m("file", "File"));
        // Unterminated class: a literal bracket.
        assert!(m("a[b", "a[b"));
        assert!(m("[]]", "]"));
        assert!(m("[,]", ","));
        assert!(m("[-a]", "-"));
    }

    #[test]
    fn detects_wildcards() {
        assert!(has_wildcards("*.txt"));
        assert!(has_wildcards("a?"));
        assert!(has_wildcards("[ab]"));
        assert!(!has_wildcards("plain.txt"));
    }

    proptest! {
        #[test]
        fn literal_names_match_themselves(name in "[a-zA-Z0-9._ -]{0,20}") {
            prop_assert!(m(&name, &name));
            prop_assert!(m("*", &name));
        }

        #[test]
        fn star_prefix_and_suffix(prefix in "[a-z]{0,6}", middle in "[a-z]{0,6}", suffix in "[a-z]{0,6}") {
            let name = format!("{prefix}{middle}{suffix}");
            let pattern = format!("{prefix}*{suffix}");
            prop_assert!(m(&pattern, &name));
        }

        #[test]
        fn never_panics(pattern in "\\PC{0,16}", name in "\\PC{0,16}") {
            let _ = m(&pattern, &name);
        }
    }
}
