//! File masks for list_directory: remote_file as one or several masks (FileMaskDelimiter),
//! ExcludeFileMask, IgnoreFileMaskCasing. The pattern syntax is the seed's (`?`, `*`,
//! `[a-z,0-9]`, `\x`, `[*]` for a literal star), shared with PasswordPrompt, so the
//! compiled form is ssh-auth's [`PromptPattern`].

use ssh_auth::PromptPattern;

/// A set of masks: a name matches when any mask does.
#[derive(Clone, Debug)]
pub(crate) struct MaskSet {
    masks: Vec<PromptPattern>,
    fold_case: bool,
}

impl MaskSet {
    /// Compiles `text`, split at `delimiter` when it is not empty; empty parts are ignored.
    pub(crate) fn new(text: &str, delimiter: &str, fold_case: bool) -> Self {
        let parts: Vec<&str> = if delimiter.is_empty() {
            vec![text]
        } else {
            text.split(delimiter).collect()
        };
        let masks = parts
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                if fold_case {
                    PromptPattern::new(&p.to_lowercase())
                } else {
                    PromptPattern::new(p)
                }
            })
            .collect();
        Self { masks, fold_case }
    }

    /// Whether there is no mask at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.masks.is_empty()
    }

    /// Whether `name` matches one of the masks.
    pub(crate) fn matches(&self, name: &str) -> bool {
        let folded;
        let name = if self.fold_case {
            folded = name.to_lowercase();
            folded.as_str()
        } else {
            name
        };
        self.masks.iter().any(|m| m.matches(name))
    }
}

/// Whether `s` holds a mask character (`*`, `?`, `[`).
pub(crate) fn has_wildcards(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_mask_syntax() {
        let m = MaskSet::new("C*t", "", false);
        for name in ["Cat", "Cot", "Coast", "Ct"] {
            assert!(m.matches(name), "{name}");
        }
        assert!(!m.matches("cat"));
        assert!(MaskSet::new("C*t", "", true).matches("cAT"));
        let m = MaskSet::new("[[]Something].txt", "", false);
        assert!(m.matches("[Something].txt"));
        assert!(!m.matches("Something.txt"));
        let m = MaskSet::new("*.txt|*.csv", "|", false);
        assert!(m.matches("a.txt") && m.matches("b.csv") && !m.matches("c.bin"));
        let m = MaskSet::new("file[0-9,a-c].?", "", false);
        assert!(m.matches("file7.x") && m.matches("fileb.y") && !m.matches("filez.x"));
        assert!(MaskSet::new(r"a\*b", "", false).matches("a*b"));
        assert!(!MaskSet::new(r"a\*b", "", false).matches("axb"));
    }
}
