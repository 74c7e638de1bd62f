#!/usr/bin/env python3
"""Runs SpacetimeDB's own Rust SDK test suite against Lightcone (issue 18).

Their test clients and modules are BSL-licensed, so none of them is in this repository:
this script takes them from a SpacetimeDB checkout at a tag into a scratch folder, points
their manifests at the published crates of that version, builds the modules to wasm (with
`lightcone build`, as our tests build modules) and the clients natively, then runs each
test as upstream's `crates/testing/src/sdk.rs` does: a fresh database per test, the client
run with the test's subcommand and `SPACETIME_SDK_TEST_DB_NAME` /
`SPACETIME_SDK_TEST_SERVER_URL` set. The test list is read from their `sdks/rust/tests/test.rs`
at the tag (Rust modules and Rust clients only; `#[ignore]`d tests are skipped, a
`#[should_panic]` test passes when its client fails).

Usage:
  scripts/upstream-sdk-suite.py --repo PATH [--tag v2.8.3] [--scratch DIR]
                                [--lightcone target/release/lightcone] [--only SUBSTRING]

`--repo` is a git checkout of clockworklabs/SpacetimeDB (e.g. the one `fetch` brings to
/work/.mirror/clockworklabs+SpacetimeDB/repo). Needs network access to crates.io for the
first build. Prints one line per test and a summary; exits 1 if any test failed.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import io
import time

# How long one client may run before it counts as hung.
CLIENT_TIMEOUT_SECS = 90
# How long the server may take to print its listening line.
SERVER_START_SECS = 30

# The Rust groups of upstream's test.rs: (macro or module name, substitutions).
MACRO_GROUPS = {
    "declare_tests_with_suffix": {"$suffix": '""', "$lang": "rust"},
    "procedure_tests": {"$suffix": '""'},
    "view_tests": {"$suffix": '""'},
    "view_pk_tests": {"$suffix": '""'},
    "procedural_view_pk_tests": {"$module": '"sdk-test-procedural-view-pk"'},
}
MODULE_GROUPS = ["event_table_tests", "rust_procedure_concurrency", "case_conversion_rust"]


def git_show(repo, tag, path):
    return subprocess.run(
        ["git", "-C", repo, "show", f"{tag}:{path}"], check=True, capture_output=True, text=True
    ).stdout


def concat_value(expr):
    """The string a `concat!(…)` / literal / `env!("CARGO_MANIFEST_DIR")` expression makes."""
    parts = re.findall(r'"([^"]*)"', expr.replace('env!("CARGO_MANIFEST_DIR")', '""'))
    return "".join(parts)


def region(text, start_pattern):
    """The text from `start_pattern` to the next top-level item."""
    m = re.search(start_pattern, text, re.M)
    if not m:
        raise SystemExit(f"upstream test.rs has no {start_pattern!r}")
    rest = text[m.start():]
    end = re.search(r"^(macro_rules!|mod |[a-z_]+!\()", rest[1:], re.M)
    return rest[: end.start() + 1] if end else rest


def tests_in(block):
    """(test name, should_panic, runs) for each #[test] fn of `block`; runs are
    (client dir, module, subcommand or None)."""
    module = client = None
    m = re.search(r"const MODULE: &str = (.*?);", block, re.S)
    if m:
        module = concat_value(m.group(1))
    m = re.search(r"const CLIENT: &str = (.*?);", block, re.S)
    if m:
        client = concat_value(m.group(1)).strip("/").split("/")[-1]
    found = []
    pattern = r"\n(?P<ind> +)(?P<attrs>(?:(?:#\[[^\n]*\]|//[^\n]*)\n(?P=ind))*)fn (?P<name>\w+)\(\) \{\n(?P<body>.*?)\n(?P=ind)\}"
    for f in re.finditer(pattern, block, re.S):
        attrs, body = f.group("attrs"), f.group("body")
        if "#[test]" not in attrs or "#[ignore" in attrs:
            continue
        runs = [(client, module, sub) for sub in re.findall(r'make_test\("([^"]+)"\)', body)]
        special = re.search(r"platform_test_builder\((\w+), None\)", body)
        if special:
            const = re.search(rf"const {special.group(1)}: &str =(.*?);", body, re.S)
            own_module = re.search(r"\.with_module\((.*?)\)\n", body, re.S)
            runs.append(
                (
                    concat_value(const.group(1)).strip("/").split("/")[-1],
                    concat_value(own_module.group(1)),
                    None,
                )
            )
        if runs:
            found.append((f.group("name"), "#[should_panic" in attrs, runs))
    return found


def test_list(repo, tag):
    text = git_show(repo, tag, "sdks/rust/tests/test.rs")
    tests = []
    for name, subst in MACRO_GROUPS.items():
        block = region(text, rf"^macro_rules! {name} \{{")
        for k, v in subst.items():
            block = block.replace(k, v)
        tests += [(f"{name}::{t}", p, r) for t, p, r in tests_in(block)]
    for name in MODULE_GROUPS:
        block = region(text, rf"^mod {name} \{{")
        tests += [(f"{name}::{t}", p, r) for t, p, r in tests_in(block)]
    return tests


def workspace_deps(repo, tag, names):
    """Upstream's [workspace.dependencies] entries for `names`, with path deps made
    version deps (the published crates)."""
    text = git_show(repo, tag, "Cargo.toml")
    section = text.split("[workspace.dependencies]", 1)[1].split("\n[", 1)[0]
    lines = []
    for line in section.splitlines():
        key = line.split("=", 1)[0].strip()
        if key in names:
            lines.append(re.sub(r'path = "[^"]*", ', "", line))
    return "\n".join(lines)


def prepare(repo, tag, scratch, clients, modules):
    """Exports the clients and modules into `scratch` as two workspaces on published
    crates."""
    version = tag.lstrip("v")
    paths = [f"sdks/rust/tests/{c}" for c in clients] + ["sdks/rust/tests/test-counter"]
    paths += [f"modules/{m}" for m in modules]
    archive = subprocess.run(
        ["git", "-C", repo, "archive", tag] + paths, check=True, capture_output=True
    ).stdout
    src = os.path.join(scratch, "src")
    shutil.rmtree(src, ignore_errors=True)
    tarfile.open(fileobj=io.BytesIO(archive)).extractall(src, filter="data")
    # Every dependency the copied manifests inherit from upstream's workspace.
    names = set()
    for root, _, files in os.walk(src):
        if "Cargo.toml" in files:
            text = open(os.path.join(root, "Cargo.toml")).read()
            names |= set(re.findall(r"^([\w-]+)\.workspace = true", text, re.M))
            names |= set(re.findall(r"^([\w-]+) = \{ workspace = true", text, re.M))
            names |= set(re.findall(r"^\[dependencies\.([\w-]+)\]\nworkspace = true", text, re.M))
    names.discard("spacetimedb-sdk")
    deps = workspace_deps(repo, tag, names)
    header = f'[workspace.package]\nversion = "{version}"\nedition = "2024"\n\n'
    header += f"[workspace.dependencies]\n{deps}\n"
    header += f'spacetimedb-sdk = "={version}"\n\n[workspace.lints]\n'
    tests_dir = os.path.join(src, "sdks/rust/tests")
    members = ", ".join(f'"{c}"' for c in clients + ["test-counter"])
    with open(os.path.join(tests_dir, "Cargo.toml"), "w") as f:
        f.write(f'[workspace]\nresolver = "2"\nmembers = [{members}]\n\n' + header)
    for c in clients + ["test-counter"]:
        manifest = os.path.join(tests_dir, c, "Cargo.toml")
        text = open(manifest).read()
        text = re.sub(r'spacetimedb-sdk = \{ path = "\.\./\.\."(, )?', "spacetimedb-sdk = { workspace = true, ", text)
        text = text.replace("spacetimedb-sdk = { workspace = true,  }", "spacetimedb-sdk = { workspace = true }")
        open(manifest, "w").write(text)
    modules_dir = os.path.join(src, "modules")
    members = ", ".join(f'"{m}"' for m in modules)
    with open(os.path.join(modules_dir, "Cargo.toml"), "w") as f:
        f.write(f'[workspace]\nresolver = "2"\nmembers = [{members}]\n\n' + header)
    return tests_dir, modules_dir


def build(scratch, tests_dir, modules_dir, modules, lightcone):
    """Builds the clients (into `scratch`/clients-target, kept across runs) and the modules
    (into `scratch`/modules-target); returns each module's wasm path."""
    clients_target = os.path.join(scratch, "clients-target")
    env = dict(os.environ, CARGO_TARGET_DIR=clients_target)
    subprocess.run(["cargo", "build", "--workspace"], cwd=tests_dir, check=True, env=env)
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(scratch, "modules-target"))
    wasm = {}
    for m in modules:
        built = subprocess.run(
            [lightcone, "build", "--project-path", os.path.join(modules_dir, m)],
            capture_output=True, text=True, env=env,
        )
        if built.returncode != 0:
            raise SystemExit(f"building {m} failed:\n{built.stderr[-3000:]}")
        wasm[m] = built.stdout.strip().splitlines()[-1]
    return clients_target, wasm


class Server:
    """`lightcone start` in memory on a free port."""

    def __init__(self, lightcone):
        self.proc = subprocess.Popen(
            [lightcone, "start", "--in-memory", "--listen-addr", "127.0.0.1:0",
             "--procedure-http-allow-private"],
            stderr=subprocess.PIPE, text=True,
        )
        deadline = time.time() + SERVER_START_SECS
        self.url = None
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            m = re.search(r"lightcone listening on (http://\S+)", line)
            if m:
                self.url = m.group(1)
                break
        if not self.url:
            raise SystemExit("lightcone did not start")

    def publish(self, name, wasm_path, token):
        import urllib.request
        req = urllib.request.Request(
            f"{self.url}/v1/database/{name}", data=open(wasm_path, "rb").read(), method="PUT",
            headers={"authorization": f"Bearer {token}", "content-type": "application/wasm"},
        )
        urllib.request.urlopen(req).read()

    def identity(self):
        import json
        import urllib.request
        req = urllib.request.Request(f"{self.url}/v1/identity", data=b"", method="POST")
        return json.loads(urllib.request.urlopen(req).read())["token"]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--tag", default="v2.8.3")
    ap.add_argument("--scratch", default="/tmp/lightcone-upstream-suite")
    ap.add_argument("--lightcone", default="target/release/lightcone")
    ap.add_argument("--only", default=None, help="run only tests whose name contains this")
    ap.add_argument("--list", action="store_true", help="print the tests and stop")
    args = ap.parse_args()
    lightcone = os.path.abspath(args.lightcone)
    tests = test_list(args.repo, args.tag)
    if args.only:
        tests = [t for t in tests if args.only in t[0]]
    if args.list:
        for name, panics, runs in tests:
            print(name, "(should panic)" if panics else "", runs)
        print(len(tests), "tests")
        return
    clients = sorted({c for _, _, runs in tests for c, _, _ in runs})
    modules = sorted({m for _, _, runs in tests for _, m, _ in runs})
    tests_dir, modules_dir = prepare(args.repo, args.tag, args.scratch, clients, modules)
    clients_target, wasm = build(args.scratch, tests_dir, modules_dir, modules, lightcone)
    server = Server(lightcone)
    token = server.identity()
    passed, failed = [], []
    counter = 0
    try:
        for name, should_panic, runs in tests:
            ok, why = True, ""
            for client, module, sub in runs:
                counter += 1
                db = f"sdk-test-{counter}"
                server.publish(db, wasm[module], token)
                binary = os.path.join(clients_target, "debug", client)
                env = dict(os.environ, SPACETIME_SDK_TEST_DB_NAME=db,
                           SPACETIME_SDK_TEST_SERVER_URL=server.url)
                cmd = [binary] + ([sub] if sub else [])
                try:
                    r = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                       timeout=CLIENT_TIMEOUT_SECS)
                    if r.returncode != 0:
                        ok, why = False, (r.stderr or r.stdout).strip().splitlines()[-3:]
                except subprocess.TimeoutExpired:
                    ok, why = False, [f"hung for {CLIENT_TIMEOUT_SECS} s"]
                if not ok:
                    break
            if should_panic:
                ok, why = (not ok), ("should have failed" if ok else "")
            (passed if ok else failed).append(name)
            print(("ok    " if ok else "FAIL  ") + name, "" if ok else why, flush=True)
    finally:
        server.stop()
    print(f"\n{len(passed)} passed, {len(failed)} failed of {len(tests)}")
    for name in failed:
        print("  failed:", name)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
