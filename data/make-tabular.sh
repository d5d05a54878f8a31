#!/usr/bin/env bash
# Rebuilds data/tabular/ (15 CSVs and suite.json) from the R package mlbench (see data/tabular/README.md).
#
# Usage: bash data/make-tabular.sh [--update]
#
# Run by hand when the suite changes, never by CI. Installs Debian's r-cran-mlbench (apt-get, as root) when R or
# mlbench is missing, writes the CSVs with make-tabular.R into a temporary directory, and compares them with the
# committed data/tabular/SHA256SUMS. On a mismatch it stops without touching data/tabular/, unless --update is given
# (then it installs the new files and rewrites SHA256SUMS).
#
# Needs: Rscript with mlbench (Debian: r-cran-mlbench) and sha256sum.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/tabular"

update=0
case "${1:-}" in
  '') ;;
  --update) update=1 ;;
  *) echo "usage: bash data/make-tabular.sh [--update]" >&2; exit 2 ;;
esac

die() { echo "make-tabular: ERROR: $*" >&2; exit 1; }

if ! command -v Rscript >/dev/null || ! Rscript -e 'quit(status = !requireNamespace("mlbench", quietly = TRUE))' >/dev/null 2>&1; then
  command -v apt-get >/dev/null || die "Rscript with the mlbench package is needed (Debian: apt-get install r-cran-mlbench)"
  echo "make-tabular: installing r-cran-mlbench with apt-get"
  apt-get update
  apt-get install -y r-cran-mlbench
fi
command -v sha256sum >/dev/null || die "sha256sum is not installed"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

Rscript "$here/make-tabular.R" "$tmp"
files=()
while IFS= read -r f; do files+=("$f"); done < <(cd "$tmp" && ls -1 *.csv suite.json)
(cd "$tmp" && sha256sum "${files[@]}") > "$tmp/SHA256SUMS"

if [[ -f "$out/SHA256SUMS" ]] && ! cmp -s "$out/SHA256SUMS" "$tmp/SHA256SUMS"; then
  echo "make-tabular: the rebuilt files differ from $out/SHA256SUMS:" >&2
  diff "$out/SHA256SUMS" "$tmp/SHA256SUMS" >&2 || true
  [[ $update -eq 1 ]] || die "not touching $out (another mlbench or R version? rerun with --update to accept the new files)"
  echo "make-tabular: --update given: installing the new files" >&2
fi
mkdir -p "$out"
for f in "${files[@]}"; do
  cp "$tmp/$f" "$out/$f"
done
cp "$tmp/SHA256SUMS" "$out/SHA256SUMS"
(cd "$out" && sha256sum -c --quiet SHA256SUMS)
echo "make-tabular: data/tabular/SHA256SUMS:"
cat "$out/SHA256SUMS"
