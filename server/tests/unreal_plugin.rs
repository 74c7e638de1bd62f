//! The Unreal plugin's layout and glue, checked without an engine: `Lightcone.uplugin` is
//! valid JSON with the fields Unreal reads and modules that exist as `Build.cs` rules; the
//! ThirdParty rules point where scripts/build-unreal-plugin.sh puts the libraries; the
//! UE-facing sources — the plugin's glue and what `lightcone generate --lang unreal` writes for
//! the chat and every-type modules (compared with snapshots, tests/unreal/snapshots) — compile
//! with g++ against a small stand-in of the Unreal types and macros they use
//! (tests/unreal/stubs, never shipped), and the generated conversions run there
//! (tests/unreal/ue/conversions_test.cpp). That says the glue is well-formed C++ against
//! those signatures, not that Unreal builds it: docs/unreal.md says what was not run.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::tools::{repo, run};

const PLUGIN: &str = "unreal-plugin/Lightcone";

fn plugin() -> PathBuf {
    repo().join(PLUGIN)
}

/// The files under `dir` (recursively) whose name ends with `suffix`, sorted.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Platform names Unreal's plugin descriptor accepts that we build for or could.
const PLATFORMS: &[&str] = &["Win64", "Linux", "LinuxArm64", "Mac", "IOS", "Android"];

#[test]
fn the_plugin_descriptor_has_the_fields_unreal_reads_and_its_modules_exist() {
    let text = std::fs::read_to_string(plugin().join("Lightcone.uplugin")).unwrap();
    let d: serde_json::Value = serde_json::from_str(&text).expect("Lightcone.uplugin is JSON");
    assert_eq!(
        d["FileVersion"], 3,
        "the descriptor format Unreal 4.x/5.x reads"
    );
    assert!(d["Version"].is_u64(), "Version is an integer");
    for field in ["VersionName", "FriendlyName", "Description", "Category"] {
        assert!(
            d[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} is a non-empty string"
        );
    }
    assert_eq!(d["CanContainContent"], false);
    let platforms = |v: &serde_json::Value, what: &str| {
        let list = v.as_array().unwrap_or_else(|| panic!("{what} is a list"));
        for p in list {
            let p = p.as_str().unwrap();
            assert!(PLATFORMS.contains(&p), "{what}: unknown platform {p}");
        }
        list.len()
    };
    assert!(platforms(&d["SupportedTargetPlatforms"], "SupportedTargetPlatforms") > 0);
    let modules = d["Modules"].as_array().expect("Modules is a list");
    assert!(!modules.is_empty());
    for m in modules {
        let name = m["Name"].as_str().expect("a module has a Name");
        let kind = m["Type"].as_str().expect("a module has a Type");
        assert!(
            ["Runtime", "RuntimeNoCommandlet", "Editor", "Developer"].contains(&kind),
            "{name}: Type {kind}"
        );
        let phase = m["LoadingPhase"]
            .as_str()
            .expect("a module has a LoadingPhase");
        assert!(
            [
                "Default",
                "PostDefault",
                "PreDefault",
                "PostConfigInit",
                "PostEngineInit"
            ]
            .contains(&phase),
            "{name}: LoadingPhase {phase}"
        );
        platforms(&m["PlatformAllowList"], "PlatformAllowList");
        let rules = plugin().join(format!("Source/{name}/{name}.Build.cs"));
        let rules =
            std::fs::read_to_string(&rules).unwrap_or_else(|e| panic!("{}: {e}", rules.display()));
        assert!(
            rules.contains(&format!("public class {name} : ModuleRules"))
                && rules.contains(&format!(
                    "public {name}(ReadOnlyTargetRules Target) : base(Target)"
                )),
            "{name}.Build.cs declares the module's rules"
        );
        assert!(
            rules.contains("\"LightconeCore\""),
            "{name} depends on the ThirdParty module"
        );
    }
}

#[test]
fn the_third_party_rules_point_where_the_build_script_puts_the_libraries() {
    let core = "Source/ThirdParty/LightconeCore";
    let rules =
        std::fs::read_to_string(plugin().join(core).join("LightconeCore.Build.cs")).unwrap();
    assert!(rules.contains("Type = ModuleType.External;"));
    let script = std::fs::read_to_string(repo().join("scripts/build-unreal-plugin.sh")).unwrap();
    for (pieces, file) in [
        (
            ["\"lib\", \"Linux\", \"x86_64-unknown-linux-gnu\", \"liblightcone.so\""].as_slice(),
            "$CORE/lib/Linux/x86_64-unknown-linux-gnu",
        ),
        (
            [
                "\"lib\", \"Win64\"",
                "\"lightcone.lib\"",
                "\"lightcone.dll\"",
            ]
            .as_slice(),
            "$CORE/lib/Win64",
        ),
    ] {
        for piece in pieces {
            assert!(
                rules.contains(piece),
                "LightconeCore.Build.cs names {piece}"
            );
        }
        assert!(script.contains(file), "the build script writes {file}");
    }
    assert!(script.contains(&format!("CORE={PLUGIN}/{core}")));
}

/// The g++ command that compiles UE-facing code against the stubs, with UnrealHeaderTool's
/// `X.generated.h` for every reflected header in `headers` written empty into `scratch`.
fn stub_compiler(scratch: &Path, headers: &[PathBuf], include: &[PathBuf]) -> Command {
    let generated = scratch.join("generated");
    std::fs::create_dir_all(&generated).unwrap();
    for h in headers {
        let text = std::fs::read_to_string(h).unwrap();
        for line in text.lines().filter(|l| l.contains(".generated.h\"")) {
            let name = line
                .trim()
                .trim_start_matches("#include \"")
                .trim_end_matches('"');
            std::fs::write(
                generated.join(name),
                "// UnrealHeaderTool's output stands here\n",
            )
            .unwrap();
        }
    }
    let source = plugin().join("Source");
    let mut gxx = Command::new("g++");
    gxx.args([
        "-std=c++17",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-fno-exceptions",
        "-fno-rtti",
    ])
    .arg("-DLIGHTCONE_API=")
    .arg("-I")
    .arg(repo().join("tests/unreal/stubs"))
    .arg("-I")
    .arg(&generated)
    .arg("-I")
    .arg(source.join("Lightcone/Public"))
    .arg("-I")
    .arg(source.join("ThirdParty/LightconeCore/include"));
    for dir in include {
        gxx.arg("-I").arg(dir);
    }
    gxx
}

#[test]
fn the_glue_compiles_against_a_stub_of_the_unreal_types_it_uses() {
    let source = plugin().join("Source");
    let scratch = support::tools::scratch("unreal-plugin", "glue");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let headers = files(&source.join("Lightcone"), ".h");
    let sources = files(&source.join("Lightcone/Private"), ".cpp");
    assert!(sources.len() >= 3, "{sources:?}");
    for cpp in sources {
        // Unreal's convention: a .cpp includes its own header first.
        let stem = cpp.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&cpp).unwrap();
        assert!(
            text.lines().next() == Some(format!("#include \"{stem}.h\"").as_str()),
            "{} includes {stem}.h first",
            cpp.display()
        );
        run(
            stub_compiler(&scratch, &headers, &[])
                .arg("-c")
                .arg(&cpp)
                .arg("-o")
                .arg(scratch.join(format!("{stem}.o"))),
            &format!("g++ {}", cpp.display()),
        );
    }
}

#[test]
fn generated_unreal_code_matches_its_snapshots_and_compiles_against_the_stubs() {
    for (dir, name) in [
        ("server/host/tests/modules/everything", "everything"),
        ("samples/chat/module-rust", "chat"),
    ] {
        let scratch = support::tools::scratch("unreal-plugin", name);
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(&scratch).unwrap();
        let out = scratch.join("generated-unreal");
        support::tools::generate("unreal", dir, &out);
        let header = out.join("ModuleDb.h");
        let fresh = std::fs::read_to_string(&header).unwrap();
        support::tools::snapshot(
            &repo()
                .join("tests/unreal/snapshots")
                .join(name)
                .join("ModuleDb.h"),
            &fresh,
        );
        let unit = scratch.join("unit.cpp");
        std::fs::write(&unit, "#include \"ModuleDb.h\"\n").unwrap();
        let mut headers = files(&plugin().join("Source/Lightcone"), ".h");
        headers.push(header);
        run(
            stub_compiler(&scratch, &headers, std::slice::from_ref(&out))
                .arg("-c")
                .arg(&unit)
                .arg("-o")
                .arg(scratch.join("unit.o")),
            &format!("g++ (the {name} module's Unreal code)"),
        );
        if name != "everything" {
            continue;
        }
        // The conversions run, too: every column type there and back, and the range checks.
        let exe = scratch.join("conversions_test");
        run(
            stub_compiler(&scratch, &headers, &[out])
                .arg("-o")
                .arg(&exe)
                .arg(repo().join("tests/unreal/ue/conversions_test.cpp"))
                .arg(plugin().join("Source/Lightcone/Private/LightconeTypes.cpp")),
            "g++ (conversions test)",
        );
        let ran = run(&mut Command::new(&exe), "the conversions test");
        assert!(
            ran.contains("unreal conversions: all checks passed"),
            "{ran}"
        );
    }
}

#[test]
fn the_arena_sample_s_game_module_compiles_against_the_stubs() {
    let module = repo().join("samples/arena/unreal/Source/ArenaClient");
    let rules = std::fs::read_to_string(module.join("ArenaClient.Build.cs")).unwrap();
    assert!(
        rules.contains("public class ArenaClient : ModuleRules"),
        "{rules}"
    );
    for dependency in ["\"Lightcone\"", "\"LightconeCore\""] {
        assert!(
            rules.contains(dependency),
            "the rules depend on {dependency}"
        );
    }
    let scratch = support::tools::scratch("unreal-plugin", "arena");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    // What the rules put on the include path as Generated/: the module's C++ bindings.
    let generated = scratch.join("Generated");
    support::tools::generate("cpp", "samples/arena/module-rust", &generated);
    let headers = files(&module.join("Public"), ".h");
    let sources = files(&module.join("Private"), ".cpp");
    assert_eq!(sources.len(), 2, "{sources:?}");
    for cpp in sources {
        let stem = cpp.file_stem().unwrap().to_string_lossy().into_owned();
        run(
            stub_compiler(
                &scratch,
                &headers,
                &[module.join("Public"), generated.clone()],
            )
            .arg("-DARENACLIENT_API=")
            .arg("-c")
            .arg(&cpp)
            .arg("-o")
            .arg(scratch.join(format!("{stem}.o"))),
            &format!("g++ {}", cpp.display()),
        );
    }
}
