# Sourced by the plugin build scripts (build-unity-plugins.sh, build-unreal-plugin.sh): builds
# the native client library (ffi/, release) per platform.
#
# native_linux:   target/release/liblightcone.so
# native_windows: target/x86_64-pc-windows-gnu/release/lightcone.dll, cross-built with
#                 Debian's rustc (`rustc-web`, which builds std from source: rustup cannot
#                 add the target here) and mingw-w64; returns 1 (saying why) without mingw.

native_linux() {
    cargo build --release --locked -p lightcone-ffi
}

native_windows() {
    if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
        echo "no x86_64-w64-mingw32-gcc: the Windows library is skipped (apt install gcc-mingw-w64-x86-64)"
        return 1
    fi
    # Unwinding is kept so the C ABI's panic guard works.
    RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
        cargo build --release --locked -p lightcone-ffi --target x86_64-pc-windows-gnu \
        -Zbuild-std=std,panic_unwind
}
