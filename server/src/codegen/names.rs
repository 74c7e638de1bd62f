//! Names in generated code: the module's names (snake_case, as Rust modules write them) in
//! the target language's style, kept clear of its keywords.

use convert_case::{Case, Casing};

/// `player_name` → `PlayerName`.
pub fn pascal(name: &str) -> String {
    let out = name.to_case(Case::Pascal);
    if out.is_empty() {
        "_".into()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}

/// `player_name` → `playerName`, or `@name` when that is a C# keyword.
pub fn camel(name: &str) -> String {
    let out = name.to_case(Case::Camel);
    if CSHARP_KEYWORDS.contains(&out.as_str()) {
        format!("@{out}")
    } else if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}

const CSHARP_KEYWORDS: &[&str] = &[
    "abstract",
    "as",
    "base",
    "bool",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "checked",
    "class",
    "const",
    "continue",
    "decimal",
    "default",
    "delegate",
    "do",
    "double",
    "else",
    "enum",
    "event",
    "explicit",
    "extern",
    "false",
    "finally",
    "fixed",
    "float",
    "for",
    "foreach",
    "goto",
    "if",
    "implicit",
    "in",
    "int",
    "interface",
    "internal",
    "is",
    "lock",
    "long",
    "namespace",
    "new",
    "null",
    "object",
    "operator",
    "out",
    "override",
    "params",
    "private",
    "protected",
    "public",
    "readonly",
    "ref",
    "return",
    "sbyte",
    "sealed",
    "short",
    "sizeof",
    "stackalloc",
    "static",
    "string",
    "struct",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "uint",
    "ulong",
    "unchecked",
    "unsafe",
    "ushort",
    "using",
    "virtual",
    "void",
    "volatile",
    "while",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_the_language_style_and_avoid_keywords() {
        assert_eq!(pascal("a_i128"), "AI128");
        assert_eq!(pascal("player"), "Player");
        assert_eq!(camel("string"), "@string");
        assert_eq!(camel("sender_name"), "senderName");
        assert_eq!(pascal("2d"), "_2D");
    }
}
