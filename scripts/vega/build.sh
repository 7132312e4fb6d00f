#!/usr/bin/env bash
# Rebuild the vendored chart bundle from the npm registry (the only time npm is needed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../src/bibliotal/static/vendor/vega"
work="$(mktemp -d)"
cp "$here/package.json" "$here/entry.js" "$work/"
cd "$work"
npm install --silent --no-audit --no-fund
npx esbuild entry.js --bundle --minify --format=iife --legal-comments=none \
  --outfile="$out/vega-bundle.min.js"
for pkg in vega vega-lite vega-embed vega-interpreter; do
  cp "node_modules/$pkg/LICENSE" "$out/LICENSE-$pkg"
done
echo "built $out/vega-bundle.min.js ($(du -h "$out/vega-bundle.min.js" | cut -f1))"
