#!/usr/bin/env bash
# Rebuild exports/ from a clean clone of HEAD (so uncommitted work in the tree
# never leaks into the committed exports), then copy them back.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
git clone -q "$root" "$tmp/repo"
(cd "$tmp/repo" && PYTHONPATH="$tmp/repo" python -m kg.cli build >/dev/null)
rm -rf "$root/exports"
cp -r "$tmp/repo/exports" "$root/exports"
rm -rf "$tmp"
echo "exports/ rebuilt from $(git -C "$root" rev-parse --short HEAD)"
