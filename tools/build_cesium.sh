#!/usr/bin/env sh
# Build the offline CesiumJS folder for the 3-D globe (euroshield.report.globe).
#
#   tools/build_cesium.sh            # npm ci (pinned cesium, package-lock.json), then copy
#                                    #   node_modules/cesium/Build/Cesium -> build/cesium/Cesium
#   tools/build_cesium.sh --strict   # same, but exit 1 when npm is missing or fails
#
# Idempotent: does nothing when build/cesium/Cesium already holds the pinned version, and skips
# `npm ci` when node_modules already holds it. Both folders are git-ignored. Without npm (or when
# npm fails, e.g. offline with an empty npm cache) it prints why and exits 0: the globe page then
# says in plain words that it needs this build; every other output is unaffected.
set -eu

strict=0
[ "${1:-}" = "--strict" ] && strict=1

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
dest="$root/build/cesium/Cesium"
stamp="$root/build/cesium/VERSION"

skip() {
    echo "build_cesium: $1" >&2
    echo "build_cesium: the 3-D globe is skipped (globe.html will explain); everything else works." >&2
    [ "$strict" = 1 ] && exit 1
    exit 0
}

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    skip "npm/node not found: install Node.js with npm to build the offline CesiumJS copy"
fi

cd "$root"
want=$(node -p "require('./package.json').dependencies.cesium")

if [ -f "$dest/Cesium.js" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "build_cesium: cesium $want already built in build/cesium/Cesium"
    exit 0
fi

have=""
if [ -f node_modules/cesium/package.json ]; then
    have=$(node -p "require('./node_modules/cesium/package.json').version")
fi
if [ "$have" != "$want" ]; then
    echo "build_cesium: npm ci (cesium $want; about 140 MB in node_modules)"
    # --prefer-offline: reuse the npm cache when the registry is unreachable
    npm ci --no-audit --no-fund --prefer-offline --loglevel=error \
        || skip "npm ci failed (is the npm registry reachable?)"
fi

[ -f node_modules/cesium/Build/Cesium/Cesium.js ] \
    || skip "node_modules/cesium/Build/Cesium/Cesium.js is missing after npm ci"

echo "build_cesium: copying node_modules/cesium/Build/Cesium -> build/cesium/Cesium"
mkdir -p "$root/build/cesium"
rm -rf "$dest.tmp" "$dest"
cp -R node_modules/cesium/Build/Cesium "$dest.tmp"
mv "$dest.tmp" "$dest"
echo "$want" > "$stamp"
echo "build_cesium: cesium $want ready in build/cesium/Cesium ($(du -sh "$dest" | cut -f1))"
