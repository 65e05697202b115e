#!/usr/bin/env bash
# Re-vendor the Natural Earth shapes used by euroshield.report from the npm package world-atlas.
# Needs npm (registry access only). Usage: tools/fetch_world_atlas.sh [VERSION]
# Copies land-110m.json, countries-110m.json and the ISC licence into src/euroshield/report/data/
# and prints their sha256 sums (compare with data/README.md). The README itself is kept by hand.
set -euo pipefail
VERSION="${1:-2.0.2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/src/euroshield/report/data"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

cd "$TMP"
npm pack --silent "world-atlas@$VERSION" >/dev/null
tar xzf "world-atlas-$VERSION.tgz"
mkdir -p "$DEST"
cp package/land-110m.json package/countries-110m.json "$DEST/"
cp package/LICENSE "$DEST/LICENSE-world-atlas"
cd "$DEST"
sha256sum land-110m.json countries-110m.json LICENSE-world-atlas
