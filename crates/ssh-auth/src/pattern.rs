//! The seed's `PasswordPrompt` pattern: which keyboard-interactive prompts get the password
//! filled in automatically.
//!
//! Syntax (file-mask style): `?` any one character, `*` any run of characters (also none),
//! `[a-z]`/`[0-9,a-d,f]` a set of characters and ranges separated by commas, `\x` the
//! character `x` exactly. `[?]`, `[*]`, `[[]` and `[\]` are the literal characters; `]` and
//! `-` need no escape outside a set.

/// A compiled `PasswordPrompt` pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptPattern {
    tokens: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
    Set(Vec<(char, char)>),
}

impl PromptPattern {
    /// Compiles `pattern`. Every string is a valid pattern: an unclosed `[` is a literal.
    pub fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i += 1;
            match c {
                '?' => tokens.push(Token::AnyOne),
                '*' => {
                    // Consecutive stars are one star; keeps matching linear.
                    if tokens.last() != Some(&Token::AnyRun) {
                        tokens.push(Token::AnyRun);
                    }
                }
                '\\' => {
                    if let Some(&next) = chars.get(i) {
                        tokens.push(Token::Literal(next));
                        i += 1;
                    }
                }
                '[' => match parse_set(chars.get(i..).unwrap_or_default()) {
                    Some((set, used)) => {
                        tokens.push(Token::Set(set));
                        i += used;
                    }
                    None => tokens.push(Token::Literal('[')),
                },
                other => tokens.push(Token::Literal(other)),
            }
        }
        Self { tokens }
    }

    /// Whether `prompt` matches. Servers often end prompts with a space (`"Password: "`),
    /// so the prompt also matches when it does with trailing whitespace removed.
    pub fn matches(&self, prompt: &str) -> bool {
        self.matches_exactly(prompt) || self.matches_exactly(prompt.trim_end())
    }

    /// Glob matching with one backtrack point per `*`: O(pattern × text) at worst, no
    /// recursion, so hostile prompts cannot blow the stack or the clock.
    fn matches_exactly(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let (mut t, mut p) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            let here = text.get(t).copied();
            match (self.tokens.get(p), here) {
                (Some(Token::AnyRun), _) => {
                    star = Some((p, t));
                    p += 1;
                }
                (Some(tok), Some(c)) if tok_matches(tok, c) => {
                    p += 1;
                    t += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens
            .get(p..)
            .unwrap_or_default()
            .iter()
            .all(|tok| *tok == Token::AnyRun)
    }
}

fn tok_matches(tok: &Token, c: char) -> bool {
    match tok {
        Token::Literal(l) => *l == c,
        Token::AnyOne => true,
        Token::AnyRun => true,
        Token::Set(ranges) => ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)),
    }
}

/// Parses a set after its `[`: items `x` or `x-y` separated by commas, up to `]`. Returns
/// the ranges and the characters consumed (including the `]`). The first character is taken
/// literally whatever it is, so `[[]`, `[?]`, `[*]` and `[\]` work.
fn parse_set(chars: &[char]) -> Option<(Vec<(char, char)>, usize)> {
    let close = chars
        .iter()
        .skip(1)
        .position(|&c| c == ']')
        .map(|pos| pos + 1)?;
    let body = chars.get(..close)?;
    let mut ranges = Vec::new();
    for item in body.split(|&c| c == ',') {
        match item {
            [] => {}
            [lo, '-', hi] => ranges.push((*lo, *hi)),
            chars => ranges.extend(chars.iter().map(|&c| (c, c))),
        }
    }
    Some((ranges, close + 1))
}

#[cfg(test)]
mod tests {
    use super::PromptPattern;

    #[test]
    fn seed_examples() {
        assert!(PromptPattern::new("C*t").matches("Cat"));
        assert!(PromptPattern::new("C*t").matches("Coast"));
        assert!(PromptPattern::new("C*t").matches("Ct"));
        assert!(!PromptPattern::new("C*t").matches("Cats"));
        assert!(PromptPattern::new("[[]Something].txt").matches("[Something].txt"));
        assert!(PromptPattern::new("[0-9,a-d,f,r-z]").matches("f"));
        assert!(!PromptPattern::new("[0-9,a-d,f,r-z]").matches("e"));
        assert!(PromptPattern::new("a[?]").matches("a?"));
        assert!(!PromptPattern::new("a[?]").matches("ab"));
        assert!(PromptPattern::new("\\*x").matches("*x"));
        assert!(!PromptPattern::new("\\*x").matches("yx"));
        assert!(PromptPattern::new("Pass?ord:").matches("Password: "));
        assert!(PromptPattern::new("*assword*").matches("(user@host) Password: "));
        assert!(!PromptPattern::new("*assword*").matches("Verification code: "));
        assert!(PromptPattern::new("[a").matches("[a"));
        assert!(PromptPattern::new("").matches(""));
        assert!(!PromptPattern::new("").matches("x"));
    }

    #[test]
    fn hostile_prompt_is_linear() {
        let p = PromptPattern::new("*a*a*a*a*a*a*a*b");
        let text = "a".repeat(5000);
        assert!(!p.matches(&text));
    }
}
