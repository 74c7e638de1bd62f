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

/// `PlayerName` or `player_name` → `player_name`, or `name_` when that is a C++ keyword or a
/// name generated C++ types use for themselves (`read`, `write`, `tag`).
pub fn snake(name: &str) -> String {
    // Names already in snake case stay as written (`a_i8`, not `a_i_8`).
    let out = if name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        name.to_owned()
    } else {
        name.to_case(Case::Snake)
    };
    if CPP_RESERVED.contains(&out.as_str()) {
        format!("{out}_")
    } else if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{out}")
    } else {
        out
    }
}

const CPP_RESERVED: &[&str] = &[
    "alignas",
    "alignof",
    "and",
    "and_eq",
    "asm",
    "auto",
    "bitand",
    "bitor",
    "bool",
    "break",
    "case",
    "catch",
    "char",
    "char16_t",
    "char32_t",
    "char8_t",
    "class",
    "compl",
    "concept",
    "const",
    "const_cast",
    "consteval",
    "constexpr",
    "constinit",
    "continue",
    "co_await",
    "co_return",
    "co_yield",
    "decltype",
    "default",
    "delete",
    "do",
    "double",
    "dynamic_cast",
    "else",
    "enum",
    "explicit",
    "export",
    "extern",
    "false",
    "float",
    "for",
    "friend",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "nullptr",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "register",
    "reinterpret_cast",
    "requires",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "static_assert",
    "static_cast",
    "struct",
    "switch",
    "template",
    "this",
    "thread_local",
    "throw",
    "true",
    "try",
    "typedef",
    "typeid",
    "typename",
    "union",
    "unsigned",
    "using",
    "virtual",
    "void",
    "volatile",
    "wchar_t",
    "while",
    "xor",
    "xor_eq",
    // Members generated types have themselves.
    "read",
    "write",
    "tag",
];

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
        assert_eq!(snake("sender_name"), "sender_name");
        assert_eq!(snake("Circle"), "circle");
        assert_eq!(snake("class"), "class_");
        assert_eq!(snake("write"), "write_");
        assert_eq!(snake("a_i8"), "a_i8");
        assert_eq!(snake("PlayerName"), "player_name");
    }
}
