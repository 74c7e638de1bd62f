#!/usr/bin/env python3
"""Writes the `.meta` file Unity needs beside every file and folder of unity-package/ that has
none (a fresh random GUID each), with the importer Unity uses for its kind. Folders whose
name ends in `~` (Samples~, Documentation~) are skipped, as Unity skips them. Existing
`.meta` files are never changed: a GUID, once committed, is how Unity projects refer to the
asset. server/tests/unity_package.rs checks that every asset has one and that GUIDs are unique.

Usage: scripts/unity-meta.py [PACKAGE_DIR]   (default: unity-package)
"""

import os
import sys
import uuid

TAIL = "  userData: \n  assetBundleName: \n  assetBundleVariant: \n"

def importer(path):
    if os.path.isdir(path):
        return "folderAsset: yes\nDefaultImporter:\n  externalObjects: {}\n" + TAIL
    ext = os.path.splitext(path)[1]
    if ext == ".cs":
        return ("MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n"
                "  executionOrder: 0\n  icon: {instanceID: 0}\n" + TAIL)
    if ext == ".asmdef":
        return "AssemblyDefinitionImporter:\n  externalObjects: {}\n" + TAIL
    if os.path.basename(path) == "package.json":
        return "PackageManifestImporter:\n  externalObjects: {}\n" + TAIL
    if ext in (".md", ".txt", ".json"):
        return "TextScriptImporter:\n  externalObjects: {}\n" + TAIL
    return "DefaultImporter:\n  externalObjects: {}\n" + TAIL

def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "unity-package"
    written = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.endswith("~") and not d.startswith("."))
        for name in sorted(dirnames) + sorted(filenames):
            if name.endswith(".meta") or name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            meta = path + ".meta"
            if os.path.exists(meta):
                continue
            with open(meta, "w") as f:
                f.write("fileFormatVersion: 2\nguid: " + uuid.uuid4().hex + "\n" + importer(path))
            written += 1
    print(f"{written} .meta files written")

if __name__ == "__main__":
    main()
