#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, then runs them.
# Used by README.md's quick start and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests need: the host's tests build real modules from source for
# wasm32 with Debian's rustc (which builds std from source) and LLVM's wasm-ld
# (docs/toolchains.md; server/modbuild); the C ABI tests build a C program with gcc and a
# C# one with Mono's mcs, run under mono (server/tests/client_abi.rs); the Unreal plugin's C++
# layer is compiled with g++ (server/tests/unreal_cpp.rs); C++ modules build with CMake and
# clang-19 for wasm32-wasi against wasi-libc and libc++ (server/modbuild/src/cpp.rs,
# server/tests/sample_contracts.rs); the systemd unit is checked with systemd-analyze
# (server/tests/deploy_files.rs); the admin page runs in Debian's headless Chromium
# (server/tests/admin_page.rs); the C# translator runs under mono on Mono.Cecil and reads
# mcs's .mdb files (server/modbuild/tests/csharp_translator.rs).
APT_PACKAGES=(rustc-web rust-web-src lld-19 gcc g++ mono-mcs mono-runtime
    libmono-cecil-private-cil libmono-compilerservices-symbolwriter4.0-cil
    cmake clang-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32
    systemd chromium)
# Node tools the tests run (tools/node/package.json: the Dockerfile linter, playwright-core
# to drive Chromium), with npm.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)
if ((${#APT_PACKAGES[@]})); then
    missing=()
    for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if ((${#missing[@]})); then
        sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
    fi
fi

npm ci --prefix tools/node --silent --no-audit --no-fund

cargo test --workspace --locked
