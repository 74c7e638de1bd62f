#!/usr/bin/env bash
# Builds the native client library (ffi/, release) and places it, with the C header, in the
# Unreal plugin's ThirdParty module (unreal-plugin/Lightcone/Source/ThirdParty/LightconeCore),
# where LightconeCore.Build.cs looks for it:
#   lib/Linux/x86_64-unknown-linux-gnu/liblightcone.so
#   lib/Win64/lightcone.dll + lightcone.lib (the import library MSVC's linker needs, made by
#   mingw's dlltool from the header's lc_ functions) when mingw-w64 is installed.
# The libraries are not committed (a release process ships them); the header is, and a test
# keeps it equal to ffi/include/lightcone.h.
set -euo pipefail
cd "$(dirname "$0")/.."
CORE=unreal-plugin/Lightcone/Source/ThirdParty/LightconeCore
source scripts/native-lib.sh

cp ffi/include/lightcone.h "$CORE/include/lightcone.h"

native_linux
LINUX="$CORE/lib/Linux/x86_64-unknown-linux-gnu"
mkdir -p "$LINUX"
cp target/release/liblightcone.so "$LINUX/liblightcone.so"
strip --strip-debug "$LINUX/liblightcone.so" 2>/dev/null || true
echo "copied $(du -h "$LINUX/liblightcone.so" | cut -f1) to $LINUX/"

native_windows || exit 0
WIN="$CORE/lib/Win64"
mkdir -p "$WIN"
cp target/x86_64-pc-windows-gnu/release/lightcone.dll "$WIN/lightcone.dll"
x86_64-w64-mingw32-strip --strip-debug "$WIN/lightcone.dll"
def="$(mktemp)"
{
    echo "LIBRARY lightcone.dll"
    echo "EXPORTS"
    # Declarations start at the line's first column; comments do not.
    grep -oE '^[a-z].*\blc_[a-z0-9_]+\(' ffi/include/lightcone.h | grep -oE 'lc_[a-z0-9_]+' | sort -u | sed 's/^/    /'
} > "$def"
x86_64-w64-mingw32-dlltool -d "$def" -D lightcone.dll -l "$WIN/lightcone.lib"
rm -f "$def"
echo "copied $(du -h "$WIN/lightcone.dll" | cut -f1) and its import library to $WIN/"
