//! `java.util.regex.Pattern` as far as the `regex` crate can follow it, for `TopicNameMatches` and
//! `RegexRouter`.
//!
//! What carries over: the common syntax (classes, class intersections `[a-z&&[^e]]`, groups,
//! named groups `(?<name>...)`, greedy and lazy quantifiers, inline flags `(?i)` `(?s)` `(?m)` `(?x)`),
//! and leftmost-first match semantics, so `find` picks the same match as Java's backtracking
//! engine and a full match is found whenever Java's `matches()` finds one.
//!
//! What does not, because the `regex` crate guarantees linear-time matching and leaves out the
//! features that need backtracking: look-around (`(?=`, `(?!`, `(?<=`, `(?<!`), backreferences
//! (`\1`, `\k<name>`), atomic groups (`(?>`), possessive quantifiers (`*+`, `++`, `?+`), plus the
//! `\Q...\E` quoting and the `\G` / `\Z` anchors. Such a pattern is rejected when the config is
//! validated, naming the feature, instead of failing later on records.
//!
//! Smaller differences that cannot matter for Kafka topic names (ASCII letters, digits, `.`, `_`,
//! `-`): `\w`, `\d`, `\s` and `\b` are Unicode-aware here and ASCII-only in Java; `.` excludes only
//! `\n` here and every Java line terminator there; Java's `(?U)` means Unicode classes while the
//! crate reads it as "swap greediness".

use regex::Regex;

use crate::config::def::{TypedValue, Validator};
use crate::config::ConfigError;

/// A compiled pattern: `full` answers `Matcher.matches()`, `find` is the pattern as written, for
/// `Matcher.find()` / `replaceFirst`.
#[derive(Debug, Clone)]
pub(crate) struct JavaPattern {
    full: Regex,
    find: Regex,
}

impl JavaPattern {
    /// Java's `pattern.matcher(text).matches()`: the whole text must match.
    pub(crate) fn matches(&self, text: &str) -> bool {
        self.full.is_match(text)
    }

    /// The unanchored pattern, for the first match as `Matcher.find()` returns it.
    pub(crate) fn find_regex(&self) -> &Regex {
        &self.find
    }

    pub(crate) fn as_str(&self) -> &str {
        self.find.as_str()
    }
}

/// Compiles `pattern` with Java's meaning, or says why it cannot (one line, no "Invalid regex"
/// prefix).
pub(crate) fn compile(pattern: &str) -> Result<JavaPattern, String> {
    if let Some(feature) = unsupported_feature(pattern) {
        return Err(format!(
            "{feature} is not supported (Ferry uses the Rust regex crate, which has no look-around, backreferences, atomic groups, possessive quantifiers or \\Q...\\E quoting) in pattern {pattern}"
        ));
    }
    let find = Regex::new(pattern).map_err(|e| describe(&e, pattern))?;
    // `\A` and `\z` are absolute whatever `(?m)` the pattern sets. In `(?x)` mode a trailing `#`
    // comment would swallow the closing `)\z`, which makes the anchored form fail to compile; a
    // newline ends the comment (and is ignored whitespace in that mode), so retry with one.
    let full = Regex::new(&format!(r"\A(?:{pattern})\z"))
        .or_else(|_| Regex::new(&format!("\\A(?:{pattern}\n)\\z")))
        .map_err(|e| describe(&e, pattern))?;
    Ok(JavaPattern { full, find })
}

/// Kafka's `RegexValidator` (`Invalid regex: <reason>`), with Ferry's reasons.
pub(crate) fn regex_validator() -> Validator {
    Validator::custom(|name, value| match value {
        Some(TypedValue::String(s)) => compile(s)
            .map(|_| ())
            .map_err(|reason| invalid(name, s, &reason)),
        Some(_) => Ok(()),
        // `Pattern.compile(null)` throws a NullPointerException without a message.
        None => Err(ConfigError::Invalid {
            name: name.to_string(),
            value: "null".to_string(),
            reason: "Invalid regex: null".to_string(),
        }),
    })
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_string(),
        value: value.to_string(),
        reason: format!("Invalid regex: {reason}"),
    }
}

/// The crate's multi-line error (pattern, caret line, `error: ...`) as one line.
fn describe(error: &regex::Error, pattern: &str) -> String {
    let text = error.to_string();
    let reason = text
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "));
    format!("{reason} in pattern {pattern}")
}

/// The first Java-only construct in `pattern`, skipping escaped characters and character classes
/// (where `(?=` or `*+` are plain characters).
fn unsupported_feature(pattern: &str) -> Option<&'static str> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut class_depth = 0usize;
    let mut literal_bracket_at = usize::MAX;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\\' {
            if class_depth == 0 {
                match next {
                    Some('1'..='9') => return Some("a backreference (\\n)"),
                    Some('k') if chars.get(i + 2) == Some(&'<') => {
                        return Some("a named backreference (\\k<name>)")
                    }
                    Some('G') => return Some("the \\G anchor"),
                    Some('Z') => return Some("the \\Z anchor"),
                    _ => {}
                }
            }
            if next == Some('Q') {
                return Some("\\Q...\\E quoting");
            }
            i += 2;
            continue;
        }
        if c == '[' {
            class_depth += 1;
            // A `]` right after `[` or `[^` is a literal in both dialects, not the class's end.
            literal_bracket_at = i + if next == Some('^') { 2 } else { 1 };
            i += 1;
            continue;
        }
        if class_depth > 0 {
            if c == ']' && i != literal_bracket_at {
                class_depth -= 1;
            }
            i += 1;
            continue;
        }
        match c {
            '(' if next == Some('?') => {
                let rest: String = chars[i + 2..].iter().take(2).collect();
                if rest.starts_with('=') || rest.starts_with('!') {
                    return Some("look-ahead ((?= or (?!)");
                }
                if rest == "<=" || rest == "<!" {
                    return Some("look-behind ((?<= or (?<!)");
                }
                if rest.starts_with('>') {
                    return Some("an atomic group ((?>)");
                }
            }
            '*' | '+' | '?' if next == Some('+') && i > 0 && chars[i - 1] != '(' => {
                return Some("a possessive quantifier (*+, ++, ?+ or {n}+)");
            }
            // `a{2}+` is possessive in Java but "one or more `a{2}`" in the crate.
            '}' if next == Some('+') && closes_counted_repetition(&chars[..i]) => {
                return Some("a possessive quantifier (*+, ++, ?+ or {n}+)");
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether `before` ends with the `{n`, `{n,` or `{n,m` of a counted repetition.
fn closes_counted_repetition(before: &[char]) -> bool {
    let Some(open) = before.iter().rposition(|&c| c == '{') else {
        return false;
    };
    let body: String = before[open + 1..].iter().collect();
    let mut parts = body.splitn(2, ',');
    let min = parts.next().unwrap_or_default();
    let max = parts.next().unwrap_or_default();
    open > 0
        && !min.is_empty()
        && min.chars().all(|c| c.is_ascii_digit())
        && max.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_is_a_full_match() {
        let p = compile("my-prefix-.*").unwrap();
        assert!(p.matches("my-prefix-"));
        assert!(p.matches("my-prefix-foo"));
        assert!(!p.matches("x-my-prefix-foo"));
        // Alternation must not be cut short: Java's matches() backtracks into the longer branch.
        let alt = compile("a|ab").unwrap();
        assert!(alt.matches("ab"));
        assert!(!alt.matches("abc"));
        // `(?m)` inside the pattern cannot turn the anchors into line anchors.
        assert!(!compile("(?m)a").unwrap().matches("a\nb"));
    }

    #[test]
    fn a_trailing_comment_in_extended_mode_does_not_swallow_the_anchor() {
        let p = compile("(?x) topic \\. .* # any suffix").unwrap();
        assert!(p.matches("topic.x"));
        assert!(!p.matches("xtopic.x"));
    }

    #[test]
    fn java_only_features_are_named() {
        for (pattern, feature) in [
            ("foo(?=bar)", "look-ahead"),
            ("(?<!x)y", "look-behind"),
            ("(a)\\1", "backreference"),
            ("(?<n>a)\\k<n>", "named backreference"),
            ("(?>a)", "atomic group"),
            ("a*+", "possessive"),
            ("a{2}+", "possessive"),
            ("a{2,}+", "possessive"),
            ("\\Qa.b\\E", "\\Q...\\E"),
        ] {
            let err = compile(pattern).unwrap_err();
            assert!(err.contains(feature), "{pattern}: {err}");
            assert!(err.contains("Rust regex crate"), "{err}");
        }
        // The same characters inside a class or escaped are plain.
        assert!(compile("[(?=]+").is_ok());
        assert!(compile("a\\*+").is_ok());
        assert!(compile("(a{2})+").is_ok());
        assert!(compile("[]a]+").is_ok());
        assert!(compile("[^]a](?=x)").unwrap_err().contains("look-ahead"));
        assert!(compile("(?<name>a)").is_ok());
    }

    #[test]
    fn syntax_errors_are_one_line() {
        let err = compile("[").unwrap_err();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.ends_with("in pattern ["), "{err}");
        assert!(err.contains("unclosed character class"), "{err}");
    }

    #[test]
    fn validator_messages_are_kafkas_shape() {
        let v = regex_validator();
        let err = v
            .ensure_valid("regex", Some(&TypedValue::String("(".into())))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("Invalid value ( for configuration regex: Invalid regex: "),
            "{err}"
        );
        assert_eq!(
            v.ensure_valid("regex", None).unwrap_err().to_string(),
            "Invalid value null for configuration regex: Invalid regex: null"
        );
        assert!(v
            .ensure_valid("regex", Some(&TypedValue::String("a.*".into())))
            .is_ok());
    }
}
