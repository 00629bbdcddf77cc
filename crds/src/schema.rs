//! Small helpers for hand-written schema fragments.

use serde_json::{json, Value};

/// One `x-kubernetes-validations` entry.
pub(crate) fn rule(rule: &str, message: &str) -> Value {
    json!({ "rule": rule, "message": message })
}

/// A property name as CEL sees it in Kubernetes (`group.id` → `group__dot__id`), following the
/// apiserver's escaping of declared property names.
pub(crate) fn cel_field(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ];
    if RESERVED.contains(&name) {
        return format!("__{name}__");
    }
    let mut out = String::with_capacity(name.len() * 2);
    for c in name.chars() {
        match c {
            '_' => out.push_str("__"),
            '.' => out.push_str("__dot__"),
            '-' => out.push_str("__dash__"),
            '/' => out.push_str("__slash__"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cel_field;

    #[test]
    fn escapes_like_the_apiserver() {
        assert_eq!(cel_field("group.id"), "group__dot__id");
        assert_eq!(cel_field("a_b-c/d"), "a__b__dash__c__slash__d");
        assert_eq!(cel_field("namespace"), "__namespace__");
        assert_eq!(cel_field("class"), "class");
    }
}
