//! `java.util.regex.Pattern` on the `fancy-regex` crate: for `TopicNameMatches`, `RegexRouter`, a
//! sink's `topics.regex` (Kafka's consumer matches it, in Java, against the cluster's topics) and
//! every config key Kafka checks with `Pattern.compile`.
//!
//! fancy-regex hands any part of a pattern that needs no backtracking to the `regex` crate (linear
//! time) and runs the rest, as Java does, with a backtracking engine. So the Java features people
//! write in routing patterns work with Java's meaning: look-ahead and look-behind, backreferences
//! (`\1`, `\k<name>`), atomic groups `(?>...)`, possessive quantifiers (`*+`, `++`, `?+`,
//! `{n}+`), `\G`, plus the common syntax (classes with unions and intersections `[a-z&&[^e]]`,
//! named groups, greedy and lazy quantifiers, inline flags) and leftmost-first matching.
//!
//! Where the crate reads a construct differently from Java, the pattern is rewritten first
//! ([`translate`]):
//! - `\Q...\E` quoting becomes escaped characters;
//! - `\h`, `\H`, `\v` and `\V` are Java's horizontal and vertical whitespace (the crate reads `\h`
//!   as a hex digit and `\v` as a vertical tab);
//! - `\Z` is Java's "end, or before a final line terminator";
//! - the inline flags `d`, `u` and `U` are dropped: `UNIX_LINES` and `UNICODE_CASE` change nothing
//!   on topic names, and Unicode classes are already the crate's default, where its `U` would mean
//!   "swap greediness";
//! - an escaped letter Java does not define (`\K`, `\O`, `\i`, ...) is refused, as Java refuses it.
//!
//! Smaller differences that cannot matter for Kafka topic names (ASCII letters, digits, `.`, `_`,
//! `-`): `\w`, `\d`, `\s` and `\b` are Unicode-aware here and ASCII-only in Java; `.` and `$`
//! know only `\n` as a line terminator.
//!
//! Java never gives up on a match; a backtracking engine with no bound can run for ever on a
//! pathological pattern, so this one stops after [`BACKTRACK_LIMIT`] steps and the record fails
//! with an error naming the pattern and the topic.

use fancy_regex::{Regex, RegexBuilder};

use crate::errors::ConnectError;

/// Backtracking steps one match may take before it fails: far more than any sane pattern needs on
/// a topic name (at most 249 characters), few enough to fail a record in well under a second.
pub(crate) const BACKTRACK_LIMIT: usize = 1_000_000;

/// Java's `\h`: horizontal whitespace, as the inside of a character class.
const HORIZONTAL_SPACE: &str =
    r"\x{20}\t\x{A0}\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}";
/// Java's `\v`: vertical whitespace, as the inside of a character class.
const VERTICAL_SPACE: &str = r"\n\x{0B}\f\r\x{85}\x{2028}\x{2029}";
/// Java's `\Z`: the end of the input, or just before a line terminator that ends it.
const END_BEFORE_TERMINATOR: &str = r"(?=(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?\z)";
/// The letters Java gives a meaning to after a backslash (outside `\Q...\E`).
/// (`\E` only ends a `\Q` quote; alone, Java refuses it like an unknown letter.)
const JAVA_ESCAPE_LETTERS: &str = "abBcdDefGhHknNpPQrRsStuvVwWxXzZA";

/// A compiled pattern: `full` answers `Matcher.matches()`, `find` is the pattern as written, for
/// `Matcher.find()` / `replaceFirst`.
#[derive(Debug, Clone)]
pub(crate) struct JavaPattern {
    /// The pattern as the user wrote it, for messages.
    source: String,
    full: Regex,
    find: Regex,
}

impl JavaPattern {
    /// Java's `pattern.matcher(text).matches()`: the whole text must match.
    pub(crate) fn matches(&self, text: &str) -> Result<bool, ConnectError> {
        self.full.is_match(text).map_err(|e| self.gave_up(text, &e))
    }

    /// The unanchored pattern, for the first match as `Matcher.find()` returns it.
    pub(crate) fn find_regex(&self) -> &Regex {
        &self.find
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// The error of a match the engine gave up on (see [`BACKTRACK_LIMIT`]).
    pub(crate) fn gave_up(&self, text: &str, error: &fancy_regex::Error) -> ConnectError {
        ConnectError::new(format!(
            "Could not match the regex {} against '{text}': {error} (the pattern backtracks too much; simplify it)",
            self.source
        ))
    }
}

/// Compiles `pattern` with Java's meaning, or says why it cannot (one line, no "Invalid regex"
/// prefix).
pub(crate) fn compile(pattern: &str) -> Result<JavaPattern, String> {
    let translated =
        translate(pattern).map_err(|reason| format!("{reason} in pattern {pattern}"))?;
    let find = build(&translated).map_err(|e| describe(&e, pattern))?;
    // `\A` and `\z` are absolute whatever `(?m)` the pattern sets. In `(?x)` mode a trailing `#`
    // comment would swallow the closing `)\z`, which makes the anchored form fail to compile; a
    // newline ends the comment (and is ignored whitespace in that mode), so retry with one.
    let full = build(&format!(r"\A(?:{translated})\z"))
        .or_else(|_| build(&format!("\\A(?:{translated}\n)\\z")))
        .map_err(|e| describe(&e, pattern))?;
    Ok(JavaPattern {
        source: pattern.to_string(),
        full,
        find,
    })
}

fn build(pattern: &str) -> Result<Regex, fancy_regex::Error> {
    RegexBuilder::new(pattern)
        .backtrack_limit(BACKTRACK_LIMIT)
        .build()
}

/// The crate's error as one line, naming the pattern as written.
fn describe(error: &fancy_regex::Error, pattern: &str) -> String {
    let text = error.to_string();
    // Errors the `regex` crate raised come as several lines (pattern, caret, `error: ...`).
    let reason = text
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "));
    format!("{reason} in pattern {pattern}")
}

/// Rewrites the constructs fancy-regex reads differently from Java (see the module docs), leaving
/// everything else as written. Escapes and character classes are followed so that, say, `\\Q` or
/// `[(?U)]` stay plain characters.
fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut class_depth = 0usize;
    // A `]` right after `[` or `[^` is a literal in both dialects, not the class's end.
    let mut literal_bracket_at = usize::MAX;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\\' {
            let Some(escaped) = next else {
                // Java: "Unexpected internal error"; the crate names it better.
                out.push('\\');
                break;
            };
            i += 2;
            let in_class = class_depth > 0;
            match escaped {
                'Q' => {
                    let rest = &chars[i..];
                    let end = rest
                        .windows(2)
                        .position(|w| w == ['\\', 'E'])
                        .unwrap_or(rest.len());
                    rest[..end].iter().for_each(|&q| push_literal(&mut out, q));
                    i += (end + 2).min(rest.len());
                }
                'h' => push_class(&mut out, HORIZONTAL_SPACE, false, in_class)?,
                'H' => push_class(&mut out, HORIZONTAL_SPACE, true, in_class)?,
                'v' => push_class(&mut out, VERTICAL_SPACE, false, in_class)?,
                'V' => push_class(&mut out, VERTICAL_SPACE, true, in_class)?,
                'Z' if !in_class => out.push_str(END_BEFORE_TERMINATOR),
                // `\uhhhh` and octal `\0n`, `\0nn`, `\0mnn` are code points to Java.
                'u' => {
                    let hex: String = chars[i..].iter().take(4).collect();
                    if hex.len() != 4 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                        return Err("Illegal Unicode escape sequence".to_string());
                    }
                    out.push_str(&format!("\\x{{{hex}}}"));
                    i += 4;
                }
                '0' => {
                    let digits = octal_digits(&chars[i..]);
                    if digits.is_empty() {
                        return Err("Illegal octal escape sequence".to_string());
                    }
                    let code = u32::from_str_radix(&digits, 8).unwrap_or_default();
                    out.push_str(&format!("\\x{{{code:X}}}"));
                    i += digits.len();
                }
                l if l.is_ascii_alphabetic() && !JAVA_ESCAPE_LETTERS.contains(l) => {
                    return Err(format!("Illegal/unsupported escape sequence \\{l}"));
                }
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
            continue;
        }
        if c == '[' {
            class_depth += 1;
            literal_bracket_at = i + if next == Some('^') { 2 } else { 1 };
        } else if class_depth > 0 && c == ']' && i != literal_bracket_at {
            class_depth -= 1;
        } else if class_depth == 0 && c == '(' && next == Some('?') {
            if let Some(end) = push_inline_flags(&mut out, &chars, i) {
                i = end;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

/// The digits of a Java octal escape after its `\0`: one or two octal digits, or three when the
/// first is at most 3 (so the value stays below 256).
fn octal_digits(rest: &[char]) -> String {
    let octal: Vec<char> = rest
        .iter()
        .take(3)
        .take_while(|c| matches!(c, '0'..='7'))
        .copied()
        .collect();
    let len = if octal.len() == 3 && octal[0] > '3' {
        2
    } else {
        octal.len()
    };
    octal[..len].iter().collect()
}

/// A quoted character, escaped so that it means itself anywhere (inside a class too).
fn push_literal(out: &mut String, c: char) {
    if c.is_alphanumeric() || c == '_' {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// One of Java's whitespace classes: a class of its own outside a class, its members inside one.
fn push_class(
    out: &mut String,
    members: &str,
    negated: bool,
    in_class: bool,
) -> Result<(), String> {
    match (in_class, negated) {
        (false, false) => out.push_str(&format!("[{members}]")),
        (false, true) => out.push_str(&format!("[^{members}]")),
        (true, false) => out.push_str(members),
        (true, true) => {
            return Err("\\H and \\V inside a character class are not supported".to_string())
        }
    }
    Ok(())
}

/// An inline flag group `(?flags)` or `(?flags:` at `start`: writes it without the flags that mean
/// something else to the crate (`d`, `u`, `U`) and returns where the rest of the pattern starts.
/// `None` when the group is not a flag group (look-around, named group, ...).
fn push_inline_flags(out: &mut String, chars: &[char], start: usize) -> Option<usize> {
    let body_start = start + 2;
    let mut end = body_start;
    while chars.get(end).is_some_and(|c| "idmsuxU-".contains(*c)) {
        end += 1;
    }
    let terminator = *chars.get(end)?;
    if end == body_start || !matches!(terminator, ')' | ':') {
        return None;
    }
    let flags: String = chars[body_start..end]
        .iter()
        .filter(|c| !matches!(c, 'd' | 'u' | 'U'))
        .collect();
    let flags = flags.trim_end_matches('-');
    match (flags.is_empty(), terminator) {
        // Nothing left to set: `(?U)` disappears, `(?U:` becomes a plain group.
        (true, ')') => {}
        (true, _) => out.push_str("(?:"),
        (false, t) => {
            out.push_str("(?");
            out.push_str(flags);
            out.push(t);
        }
    }
    Some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        compile(pattern)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
            .matches(text)
            .unwrap_or_else(|e| panic!("{pattern} on {text}: {e}"))
    }

    #[test]
    fn matches_is_a_full_match() {
        assert!(matches("my-prefix-.*", "my-prefix-"));
        assert!(matches("my-prefix-.*", "my-prefix-foo"));
        assert!(!matches("my-prefix-.*", "x-my-prefix-foo"));
        // Alternation must not be cut short: Java's matches() backtracks into the longer branch.
        assert!(matches("a|ab", "ab"));
        assert!(!matches("a|ab", "abc"));
        // `(?m)` inside the pattern cannot turn the anchors into line anchors.
        assert!(!matches("(?m)a", "a\nb"));
    }

    #[test]
    fn a_trailing_comment_in_extended_mode_does_not_swallow_the_anchor() {
        assert!(matches("(?x) topic \\. .* # any suffix", "topic.x"));
        assert!(!matches("(?x) topic \\. .* # any suffix", "xtopic.x"));
    }

    /// The Java features a backtracking engine is needed for, each with Java's answer.
    #[test]
    fn look_around_backreferences_atomic_groups_and_possessive_quantifiers_work_as_in_java() {
        for (pattern, text, java) in [
            // Every topic but the internal ones.
            ("(?!_|connect-).*", "orders", true),
            ("(?!_|connect-).*", "connect-offsets", false),
            ("(?!_|connect-).*", "__consumer_offsets", false),
            ("orders(?=-eu).*", "orders-eu", true),
            ("orders(?=-eu).*", "orders-us", false),
            (".*(?<!-dlq)", "orders", true),
            (".*(?<!-dlq)", "orders-dlq", false),
            (".*(?<=-v[0-9])", "orders-v2", true),
            ("(\\w+)-\\1", "orders-orders", true),
            ("(\\w+)-\\1", "orders-payments", false),
            ("(?<env>dev|prod)\\.\\k<env>", "dev.dev", true),
            ("(?<env>dev|prod)\\.\\k<env>", "dev.prod", false),
            // Atomic and possessive: no giving back, so these cannot match.
            ("(?>a+)ab", "aaab", false),
            ("a++ab", "aaab", false),
            ("a*+b", "aaab", true),
            ("a{2}+b", "aab", true),
            // Class intersection.
            ("[a-z&&[^e]]+", "abcd", true),
            ("[a-z&&[^e]]+", "abcde", false),
            ("\\Gorders", "orders", true),
        ] {
            assert_eq!(matches(pattern, text), java, "{pattern} on {text}");
        }
    }

    #[test]
    fn constructs_the_crate_reads_otherwise_keep_javas_meaning() {
        for (pattern, text, java) in [
            // Quoting: the dot is a dot, the star a star, inside a class too.
            ("\\Qorders.eu\\E", "orders.eu", true),
            ("\\Qorders.eu\\E", "orders-eu", false),
            ("\\Qa*\\E+", "a***", true),
            ("\\Qa*\\E+", "a*a*", false),
            ("[\\Q-.\\E]+", "-.-", true),
            ("\\Qunterminated.", "unterminated.", true),
            // An escaped backslash before Q is not quoting.
            ("a\\\\Q", "a\\Q", true),
            // \h is horizontal whitespace (not a hex digit), \v vertical (not only \x0B).
            ("a\\hb", "a b", true),
            ("a\\hb", "a1b", false),
            ("a\\Hb", "a1b", true),
            ("[\\h]", "\u{3000}", true),
            ("a\\vb", "a\nb", true),
            ("a\\Vb", "a\nb", false),
            // \Z: before one final terminator only.
            ("(?s)a.*\\Z\\s*", "ab\n", true),
            // (?U) is Unicode classes in Java, not "swap greediness": a* stays greedy.
            ("(?U)(a*)(a*)\\2", "aaaa", true),
            ("(?iU)ORDERS", "orders", true),
            ("(?U:a)b", "ab", true),
            ("(?d)a.c", "abc", true),
        ] {
            assert_eq!(matches(pattern, text), java, "{pattern} on {text}");
        }
        // The greedy first group takes every `a` under (?U), as in Java.
        let p = compile("(?U)(a*)").unwrap();
        let caps = p.find_regex().captures("aaa").unwrap().unwrap();
        assert_eq!(caps.get(1).map(|m| m.as_str()), Some("aaa"));
    }

    #[test]
    fn escapes_java_does_not_define_are_refused() {
        for pattern in ["a\\Kb", "\\O", "\\i", "\\y", "a\\Eb"] {
            let err = compile(pattern).unwrap_err();
            assert!(
                err.contains("Illegal/unsupported escape sequence"),
                "{pattern}: {err}"
            );
            assert!(err.ends_with(&format!("in pattern {pattern}")), "{err}");
        }
        assert!(compile("[\\H]")
            .unwrap_err()
            .contains("inside a character class"));
        // Escaped punctuation and Java's letters are fine.
        for pattern in [
            "\\.",
            "\\-",
            "\\d\\w\\s\\b\\B\\A\\z",
            "\\x41\\x{42}",
            "\\p{L}",
        ] {
            assert!(compile(pattern).is_ok(), "{pattern}");
        }
        // Java's \uhhhh and octal escapes are the characters they name.
        assert!(matches("\\u0041\\0102\\041", "AB!"));
        assert!(matches("\\0477", "'7"));
        assert!(compile("\\u12")
            .unwrap_err()
            .contains("Illegal Unicode escape"));
        assert!(compile("\\08")
            .unwrap_err()
            .contains("Illegal octal escape"));
    }

    #[test]
    fn a_pattern_that_backtracks_for_ever_fails_with_a_message() {
        let p = compile("(a|a)*\\1b").unwrap();
        let topic = "a".repeat(40);
        let err = p.matches(&topic).unwrap_err().to_string();
        assert!(
            err.contains("Could not match the regex (a|a)*\\1b"),
            "{err}"
        );
        assert!(err.contains(&topic), "{err}");
    }

    #[test]
    fn syntax_errors_are_one_line() {
        let err = compile("[").unwrap_err();
        assert!(!err.contains('\n'), "{err}");
        assert!(err.ends_with("in pattern ["), "{err}");
        let err = compile("(").unwrap_err();
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn validator_messages_are_kafkas_shape() {
        use crate::config::def::{TypedValue, Validator};
        let v = Validator::valid_regex();
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
        // Java syntax the `regex` crate lacks: look-ahead, backreferences.
        for ok in ["a.*", "^(?!_confluent).*", r"(a)\1"] {
            assert!(
                v.ensure_valid("regex", Some(&TypedValue::String(ok.into())))
                    .is_ok(),
                "{ok}"
            );
        }
    }
}
