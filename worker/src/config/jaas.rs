//! JAAS configuration text, as Kafka reads it: the inline form of `sasl.jaas.config`
//! (`<LoginModule> <flag> key="value" ...;`) and the file form that
//! `-Djava.security.auth.login.config` points at (`Name { <LoginModule> <flag> key="value"; };`).
//!
//! Option values are usually secrets, so neither the errors nor the `Debug` output of a parsed module
//! ever contain one: errors name the position and what was expected, `Debug` lists option names only.

use std::collections::BTreeMap;
use std::fmt;

/// A JAAS control flag. Kafka accepts all four for clients; Ferry only needs to parse them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlFlag {
    Required,
    Requisite,
    Sufficient,
    Optional,
}

impl ControlFlag {
    fn parse(word: &str) -> Option<ControlFlag> {
        match word.to_ascii_lowercase().as_str() {
            "required" => Some(ControlFlag::Required),
            "requisite" => Some(ControlFlag::Requisite),
            "sufficient" => Some(ControlFlag::Sufficient),
            "optional" => Some(ControlFlag::Optional),
            _ => None,
        }
    }
}

/// One login module entry: its class, flag and options.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginModule {
    pub class: String,
    pub flag: ControlFlag,
    pub options: BTreeMap<String, String>,
}

impl fmt::Debug for LoginModule {
    // Option values are credentials: show which options are set, never their values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginModule")
            .field("class", &self.class)
            .field("flag", &self.flag)
            .field("options", &self.options.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// What went wrong, and where (a character offset into the text); never the text itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JaasError {
    #[error("unterminated quoted value starting at character {0}")]
    UnterminatedQuote(usize),
    #[error("unterminated comment starting at character {0}")]
    UnterminatedComment(usize),
    #[error("expected {expected} at character {at}")]
    Expected { expected: &'static str, at: usize },
    #[error("expected {expected} at the end of the text")]
    UnexpectedEnd { expected: &'static str },
    #[error(
        "invalid control flag at character {0}: use required, requisite, sufficient or optional"
    )]
    InvalidFlag(usize),
    #[error("no login module is configured")]
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// An unquoted word or a quoted string (already unescaped).
    Text(String),
    Equals,
    Semicolon,
    Open,
    Close,
}

/// Characters that end an unquoted word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '=' | ';' | '{' | '}' | '"')
}

/// Splits the text into tokens with their character offsets. Comments (`//` and `/* */`) are
/// skipped, as Java's `StreamTokenizer` does for Kafka.
fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, JaasError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let start = i;
                i += 2;
                loop {
                    if i + 1 >= chars.len() {
                        return Err(JaasError::UnterminatedComment(start));
                    }
                    if chars[i] == '*' && chars[i + 1] == '/' {
                        i += 2;
                        break;
                    }
                    i += 1;
                }
            }
            '=' | ';' | '{' | '}' => {
                let token = match c {
                    '=' => Token::Equals,
                    ';' => Token::Semicolon,
                    '{' => Token::Open,
                    _ => Token::Close,
                };
                tokens.push((i, token));
                i += 1;
            }
            '"' => {
                let start = i;
                let (value, next) =
                    quoted(&chars, i + 1).ok_or(JaasError::UnterminatedQuote(start))?;
                tokens.push((start, Token::Text(value)));
                i = next;
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_delimiter(chars[i]) {
                    i += 1;
                }
                tokens.push((start, Token::Text(chars[start..i].iter().collect())));
            }
        }
    }
    Ok(tokens)
}

/// Reads a quoted string from just after its opening quote, with Java's escapes (`\n`, `\t`, octal,
/// and `\x` for any other `x`). Returns the value and the index after the closing quote.
fn quoted(chars: &[char], mut i: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    while i < chars.len() {
        match chars[i] {
            '"' => return Some((out, i + 1)),
            '\\' => {
                let next = *chars.get(i + 1)?;
                i += 2;
                match next {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'a' => out.push('\u{7}'),
                    'v' => out.push('\u{b}'),
                    '0'..='7' => {
                        // Up to three octal digits, as StreamTokenizer reads them.
                        let mut code = next.to_digit(8).unwrap_or(0);
                        let mut digits = 1;
                        while digits < 3 {
                            match chars.get(i).and_then(|c| c.to_digit(8)) {
                                Some(d) if code * 8 + d <= 0o377 => {
                                    code = code * 8 + d;
                                    i += 1;
                                    digits += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    other => out.push(other),
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    None
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn next(&mut self, expected: &'static str) -> Result<(usize, Token), JaasError> {
        let token = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or(JaasError::UnexpectedEnd { expected })?;
        self.pos += 1;
        Ok(token)
    }

    fn text(&mut self, expected: &'static str) -> Result<(usize, String), JaasError> {
        match self.next(expected)? {
            (at, Token::Text(s)) => Ok((at, s)),
            (at, _) => Err(JaasError::Expected { expected, at }),
        }
    }

    fn expect(&mut self, token: Token, expected: &'static str) -> Result<(), JaasError> {
        match self.next(expected)? {
            (_, t) if t == token => Ok(()),
            (at, _) => Err(JaasError::Expected { expected, at }),
        }
    }

    /// `<class> <flag> (key=value)* ;`
    fn module(&mut self) -> Result<LoginModule, JaasError> {
        let (_, class) = self.text("a login module class name")?;
        let (at, flag) = self.text("a control flag")?;
        let flag = ControlFlag::parse(&flag).ok_or(JaasError::InvalidFlag(at))?;
        let mut options = BTreeMap::new();
        loop {
            match self.peek() {
                Some(Token::Semicolon) => {
                    self.pos += 1;
                    break;
                }
                Some(Token::Text(_)) => {
                    let (_, key) = self.text("an option name")?;
                    self.expect(Token::Equals, "'=' after an option name")?;
                    let (_, value) = self.text("an option value")?;
                    options.insert(key, value);
                }
                Some(_) => {
                    let at = self.tokens[self.pos].0;
                    return Err(JaasError::Expected {
                        expected: "an option or ';'",
                        at,
                    });
                }
                None => {
                    return Err(JaasError::UnexpectedEnd {
                        expected: "';' after the login module",
                    })
                }
            }
        }
        Ok(LoginModule {
            class,
            flag,
            options,
        })
    }
}

/// Parses the inline form (`sasl.jaas.config`): one or more login modules, each ending with `;`.
pub fn parse_modules(text: &str) -> Result<Vec<LoginModule>, JaasError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        pos: 0,
    };
    let mut modules = Vec::new();
    while parser.peek().is_some() {
        modules.push(parser.module()?);
    }
    if modules.is_empty() {
        return Err(JaasError::Empty);
    }
    Ok(modules)
}

/// Parses a JAAS file: named entries `Name { module; module; };`, by name.
pub fn parse_file(text: &str) -> Result<BTreeMap<String, Vec<LoginModule>>, JaasError> {
    let mut parser = Parser {
        tokens: tokenize(text)?,
        pos: 0,
    };
    let mut entries = BTreeMap::new();
    while parser.peek().is_some() {
        let (_, name) = parser.text("an entry name")?;
        parser.expect(Token::Open, "'{' after the entry name")?;
        let mut modules = Vec::new();
        while parser.peek() != Some(&Token::Close) {
            if parser.peek().is_none() {
                return Err(JaasError::UnexpectedEnd {
                    expected: "'}' closing the entry",
                });
            }
            modules.push(parser.module()?);
        }
        parser.pos += 1;
        parser.expect(Token::Semicolon, "';' after '}'")?;
        entries.insert(name, modules);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kafkas_plain_login_module() {
        let modules = parse_modules(
            r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";"#,
        )
        .unwrap();
        assert_eq!(modules.len(), 1);
        let m = &modules[0];
        assert_eq!(
            m.class,
            "org.apache.kafka.common.security.plain.PlainLoginModule"
        );
        assert_eq!(m.flag, ControlFlag::Required);
        assert_eq!(m.options["username"], "alice");
        assert_eq!(m.options["password"], "alice-secret");
    }

    #[test]
    fn unquoted_values_escapes_comments_and_newlines() {
        let modules = parse_modules(
            "org.apache.kafka.common.security.scram.ScramLoginModule REQUIRED\n  username=bob /* the user */\n  password=\"p\\\"w\\\\d\\n\\101;=\" // trailing\n;",
        )
        .unwrap();
        let m = &modules[0];
        assert_eq!(m.options["username"], "bob");
        assert_eq!(m.options["password"], "p\"w\\d\nA;=");
    }

    #[test]
    fn several_modules_are_returned_in_order() {
        let modules = parse_modules("a.A required; b.B optional x=1;").unwrap();
        assert_eq!(modules.len(), 2);
        assert_eq!(modules[1].flag, ControlFlag::Optional);
        assert_eq!(modules[1].options["x"], "1");
    }

    #[test]
    fn errors_name_the_position_never_a_value() {
        let cases = [
            (
                r#"a.A required password="s3cr3t"#,
                "unterminated quoted value",
            ),
            (
                r#"a.A required password="s3cr3t""#,
                "';' after the login module",
            ),
            (
                r#"a.A mandatory password="s3cr3t";"#,
                "invalid control flag",
            ),
            (
                r#"a.A required password "s3cr3t";"#,
                "'=' after an option name",
            ),
            ("", "no login module"),
            ("a.A required /* open", "unterminated comment"),
        ];
        for (text, expected) in cases {
            let err = parse_modules(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(!err.contains("s3cr3t"), "{err}");
        }
    }

    #[test]
    fn debug_output_hides_option_values() {
        let modules = parse_modules(r#"a.A required password="s3cr3t";"#).unwrap();
        let shown = format!("{modules:?}");
        assert!(shown.contains("password"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn parses_a_jaas_file_with_named_entries() {
        let entries = parse_file(
            "// REST credentials\nKafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file=\"/etc/ferry/credentials.properties\";\n};\nOther { x.Y optional; };\n",
        )
        .unwrap();
        let connect = &entries["KafkaConnect"];
        assert_eq!(connect.len(), 1);
        assert_eq!(
            connect[0].options["file"],
            "/etc/ferry/credentials.properties"
        );
        assert_eq!(entries["Other"][0].class, "x.Y");
        assert!(parse_file("KafkaConnect { x.Y required; }").is_err());
        assert!(parse_file("KafkaConnect { x.Y required;").is_err());
    }
}
