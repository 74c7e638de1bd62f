#!/usr/bin/env bash
# Builds the native client library (ffi/, release) and copies it into the Unity package's
# Plugins/ with the .meta import settings Unity needs to pick it up per platform. The GUIDs
# below are fixed, so a project that references the plugin keeps its reference across builds.
#
# Platforms: Linux x86_64; Windows x86_64 when mingw-w64 is installed (apt install
# gcc-mingw-w64-x86-64), cross-built with Debian's rustc (`rustc-web`, which builds std from
# source: rustup cannot add the target here). macOS, iOS and Android need their toolchains.
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGINS=unity-package/Plugins
source scripts/native-lib.sh

native_linux

folder_meta() { # path guid
    cat > "$1.meta" <<META
fileFormatVersion: 2
guid: $2
folderAsset: yes
DefaultImporter:
  externalObjects: {}
  userData: 
  assetBundleName: 
  assetBundleVariant: 
META
}

# A native plugin's import settings: enabled in the Editor on `os` and in the `standalone`
# player, disabled in the `other` standalone player and on every other platform.
plugin_meta() { # path guid os standalone other
    local exclude_linux=1 exclude_win64=1
    [ "$4" = Linux64 ] && exclude_linux=0
    [ "$4" = Win64 ] && exclude_win64=0
    cat > "$1" <<META
fileFormatVersion: 2
guid: $2
PluginImporter:
  externalObjects: {}
  serializedVersion: 2
  iconMap: {}
  executionOrder: {}
  defineConstraints: []
  isPreloaded: 0
  isOverridable: 0
  isExplicitlyReferenced: 0
  validateReferences: 1
  platformData:
  - first:
      : Any
    second:
      enabled: 0
      settings:
        Exclude Editor: 0
        Exclude Linux64: $exclude_linux
        Exclude OSXUniversal: 1
        Exclude Win: 1
        Exclude Win64: $exclude_win64
  - first:
      Editor: Editor
    second:
      enabled: 1
      settings:
        CPU: x86_64
        DefaultValueInitialized: true
        OS: $3
  - first:
      Standalone: $4
    second:
      enabled: 1
      settings:
        CPU: x86_64
  - first:
      Standalone: $5
    second:
      enabled: 0
      settings:
        CPU: None
  userData: 
  assetBundleName: 
  assetBundleVariant: 
META
}

mkdir -p "$PLUGINS/Linux/x86_64"
folder_meta "$PLUGINS/Linux" 5f0c3a1e9b2d4c6e8a7f1b3d5e7a9c01
folder_meta "$PLUGINS/Linux/x86_64" 5f0c3a1e9b2d4c6e8a7f1b3d5e7a9c02
cp target/release/liblightcone.so "$PLUGINS/Linux/x86_64/liblightcone.so"
strip --strip-debug "$PLUGINS/Linux/x86_64/liblightcone.so" 2>/dev/null || true
plugin_meta "$PLUGINS/Linux/x86_64/liblightcone.so.meta" 5f0c3a1e9b2d4c6e8a7f1b3d5e7a9c03 Linux Linux64 Win64
echo "copied $(du -h "$PLUGINS/Linux/x86_64/liblightcone.so" | cut -f1) to $PLUGINS/Linux/x86_64/"

native_windows || exit 0
mkdir -p "$PLUGINS/Windows/x86_64"
folder_meta "$PLUGINS/Windows" 5f0c3a1e9b2d4c6e8a7f1b3d5e7a9c11
folder_meta "$PLUGINS/Windows/x86_64" 5f0c3a1e9b2d4c6e8a7f1b3d5e7a9c12
cp target/x86_64-pc-windows-gnu/release/lightcone.dll "$PLUGINS/Windows/x86_64/lightcone.dll"
x86_64-w64-mingw32-strip --strip-debug "$PLUGINS/Windows/x86_64/lightcone.dll"
plugin_meta "$PLUGINS/Windows/x86_64/lightcone.dll.meta" 5f0c3a1e9b2d4c6e8a7f1b3d5e7a9c13 Windows Win64 Linux64
echo "copied $(du -h "$PLUGINS/Windows/x86_64/lightcone.dll" | cut -f1) to $PLUGINS/Windows/x86_64/"
