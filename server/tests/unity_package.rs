//! The Unity package's layout is what Unity accepts: package.json and every .asmdef valid
//! JSON with the fields Unity requires, a `.meta` with a unique GUID beside every asset
//! (folders ending in `~` are Unity's to skip), and the code compiling as its assemblies
//! would: `Lightcone.Core` without UnityEngine, the Unity glue and editor scripts against
//! tests/unity/UnityStubs.cs (Unity itself is not run here).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../unity-package")
}

/// Every file and folder under `dir`, skipping `~` folders and hidden names.
fn assets(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if name.ends_with('~') {
                continue;
            }
            out.push(p.clone());
            assets(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

#[test]
fn package_json_has_the_fields_unity_requires() {
    let p = json(&package().join("package.json"));
    let name = p["name"].as_str().expect("name");
    assert!(
        name.split('.').count() >= 3
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-'),
        "name `{name}`: reverse-domain, lowercase"
    );
    let version = p["version"].as_str().expect("version");
    let parts: Vec<&str> = version.split('.').collect();
    assert!(
        parts.len() == 3 && parts.iter().all(|n| n.parse::<u32>().is_ok()),
        "semver `{version}`"
    );
    let unity = p["unity"].as_str().expect("unity");
    assert!(
        unity.split('.').count() == 2 && unity.len() >= 6,
        "unity `{unity}`: YYYY.N"
    );
    assert!(!p["displayName"].as_str().unwrap_or("").is_empty());
    assert!(!p["description"].as_str().unwrap_or("").is_empty());
    for sample in p["samples"].as_array().expect("samples") {
        let path = sample["path"].as_str().expect("a sample's path");
        assert!(package().join(path).is_dir(), "sample folder {path}");
        assert!(sample["displayName"].is_string());
    }
}

#[test]
fn every_asmdef_is_valid_and_references_resolve() {
    let mut all = Vec::new();
    assets(&package(), &mut all);
    let asmdefs: BTreeMap<String, Value> = all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "asmdef"))
        .map(|p| {
            let v = json(p);
            let name = v["name"].as_str().expect("an asmdef's name").to_owned();
            assert_eq!(
                p.file_stem().unwrap().to_string_lossy(),
                name,
                "an asmdef's file is named after it"
            );
            (name, v)
        })
        .collect();
    assert_eq!(
        asmdefs.keys().cloned().collect::<Vec<_>>(),
        ["Lightcone.Core", "Lightcone.Editor", "Lightcone.Unity"]
    );
    for (name, v) in &asmdefs {
        for r in v["references"].as_array().expect("references") {
            let r = r.as_str().unwrap();
            assert!(asmdefs.contains_key(r), "{name} references unknown {r}");
        }
    }
    assert_eq!(asmdefs["Lightcone.Core"]["noEngineReferences"], true);
    assert_eq!(asmdefs["Lightcone.Core"]["allowUnsafeCode"], true);
    assert_eq!(
        asmdefs["Lightcone.Editor"]["includePlatforms"],
        serde_json::json!(["Editor"])
    );
}

#[test]
fn every_asset_has_a_meta_with_a_unique_guid_and_no_meta_is_orphaned() {
    let mut all = Vec::new();
    assets(&package(), &mut all);
    let mut guids = BTreeSet::new();
    for p in all
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "meta"))
    {
        let meta = PathBuf::from(format!("{}.meta", p.display()));
        let text = std::fs::read_to_string(&meta)
            .unwrap_or_else(|_| panic!("{} has no .meta (run scripts/unity-meta.py)", p.display()));
        assert!(
            text.starts_with("fileFormatVersion: 2\n"),
            "{}",
            meta.display()
        );
        let guid = text
            .lines()
            .find_map(|l| l.strip_prefix("guid: "))
            .unwrap_or_else(|| panic!("{} has no guid", meta.display()));
        assert!(
            guid.len() == 32 && guid.chars().all(|c| c.is_ascii_hexdigit()),
            "{}: guid `{guid}`",
            meta.display()
        );
        assert!(
            guids.insert(guid.to_owned()),
            "{}: guid {guid} is used twice",
            meta.display()
        );
        assert_eq!(
            text.contains("folderAsset: yes"),
            p.is_dir(),
            "{}",
            meta.display()
        );
    }
    for m in all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "meta"))
    {
        let asset = m.with_extension("");
        assert!(asset.exists(), "{} belongs to nothing", m.display());
    }
}

fn cs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    assets(dir, &mut out);
    out.retain(|p| p.extension().is_some_and(|e| e == "cs"));
    out
}

fn mcs(args: &[&str], files: &[PathBuf], out: &Path) {
    let result = Command::new("mcs")
        .args(["-unsafe", "-warnaserror", "-nologo", "-target:library"])
        .args(args)
        .arg(format!("-out:{}", out.display()))
        .args(files)
        .output()
        .expect("mcs");
    assert!(
        result.status.success(),
        "mcs {}:\n{}{}",
        out.display(),
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

#[test]
fn the_core_compiles_without_unity_and_the_glue_against_the_stubs() {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("unity-package");
    std::fs::create_dir_all(&tmp).unwrap();
    let pkg = package();
    let mut core = cs_files(&pkg.join("Runtime/Core"));
    core.extend(cs_files(&pkg.join("Runtime/Native")));
    let core_dll = tmp.join("Lightcone.Core.dll");
    mcs(&[], &core, &core_dll);
    let stubs_dll = tmp.join("UnityStubs.dll");
    mcs(&[], &[pkg.join("../tests/unity/UnityStubs.cs")], &stubs_dll);
    let refs = format!("-r:{},{}", core_dll.display(), stubs_dll.display());
    let unity_dll = tmp.join("Lightcone.Unity.dll");
    mcs(&[&refs], &cs_files(&pkg.join("Runtime/Unity")), &unity_dll);
    let editor_refs = format!("{refs},{}", unity_dll.display());
    mcs(
        &[&editor_refs],
        &cs_files(&pkg.join("Editor")),
        &tmp.join("Lightcone.Editor.dll"),
    );
}
