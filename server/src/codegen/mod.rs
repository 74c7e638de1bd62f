//! `lightcone generate`: client code for a module, from its definition (`ModuleDef`, read by
//! running the module's `__describe_module__`, or from a running database's schema). C#
//! (`csharp.rs`) for the Unity package's runtime (unity-package/Runtime/Core); C++17
//! (`cpp.rs`) for the engine-agnostic layer of the Unreal plugin
//! (unreal-plugin/Lightcone/Source/ThirdParty/LightconeCore); Unreal reflection glue over it
//! (`unreal.rs`, `USTRUCT`s, table `UCLASS`es, reducer `UFUNCTION`s). `common.rs` holds what
//! they share.

mod common;
mod cpp;
mod csharp;
mod names;
mod unreal;

use lightcone_protocol::moduledef::ModuleDef;

/// One generated file: its name (relative to the output directory) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub text: String,
}

/// Why code could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    #[error("unknown language `{0}` (supported: csharp, cpp, unreal)")]
    UnknownLanguage(String),
    #[error("{0}")]
    Unsupported(String),
}

/// The files for `def` in `lang`, their types in namespace `namespace`.
pub fn generate(def: &ModuleDef, lang: &str, namespace: &str) -> Result<Vec<File>, CodegenError> {
    match lang {
        "csharp" | "cs" | "c#" => csharp::generate(def, namespace),
        "cpp" | "c++" => cpp::generate(def, namespace),
        "unreal" | "ue" => unreal::generate(def, namespace),
        other => Err(CodegenError::UnknownLanguage(other.to_owned())),
    }
}
