#!/usr/bin/env bash
# Reproducible end-to-end benchmark: bench/run.sh SIZE (messages, default 100000).
# Builds in release mode, generates an export, and measures import with
# indexing, case size, search latency (in-process and whole-process) beside
# ripgrep and SQLite FTS5 trigram, and whole-organization export.
# Results are printed; copy them into BENCHMARKS.md with the date and commit.
# SKIP_IMPORT=1 keeps an existing case; SKIP_FTS=1 leaves out the FTS5
# comparison, whose trigram table takes long to build at 10,000,000.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100000}
rooms=${ROOMS:-$(( size / 1000 > 20 ? size / 1000 : 20 ))}
out=bench/out/$size
bin=target/release/cwlens
mkdir -p "$out"

command -v rg >/dev/null || { apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null; }
cargo build --release --locked --bin cwlens --example search_bench --example tui_frames 2>/dev/null

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m); commit $(git rev-parse --short HEAD); $(date -u +%Y-%m-%d)"

if [ ! -d "$out/export" ]; then
  "$bin" generate --out "$out/export" --rooms "$rooms" --messages "$size" --seed 42 >/dev/null
fi
export_bytes=$(du -sb "$out/export" | cut -f1)

[ -n "${SKIP_IMPORT:-}" ] || rm -rf "$out/case"
/usr/bin/time -v "$bin" import "$out/export" --case "$out/case" --quiet --purpose bench \
  >/dev/null 2>"$out/import.time"
seconds=$(awk -F': ' '/Elapsed/{split($2,t,":"); s=0; for(i=1;i<=length(t);i++) s=s*60+t[i]; print s}' "$out/import.time")
rss_kb=$(awk -F': ' '/Maximum resident/{print $2}' "$out/import.time")
case_bytes=$(du -sb "$out/case" | cut -f1)
echo "import: $size messages in ${seconds}s = $(awk -v n="$size" -v s="$seconds" 'BEGIN{printf "%.0f", n/s}') msg/s, peak RSS $((rss_kb / 1024)) MB"
echo "size: export $((export_bytes / 1048576)) MB, case $((case_bytes / 1048576)) MB, ratio $(awk -v a="$case_bytes" -v b="$export_bytes" 'BEGIN{printf "%.2f", a/b}')"

# The import leaves gigabytes of written pages for the kernel to flush. At
# 10,000,000 messages, searches right after the import measured about three
# times slower than a few minutes later, likely because of that flush.
sync
echo "in-process search (count + newest 50):"
target/release/examples/search_bench "$out/case" bench/queries.txt 3 >"$out/search.tsv"
head -1 "$out/search.tsv"

# Whole-process `search --count`, and ripgrep over the raw export, per query.
: >"$out/compare.tsv"
mapfile -t sample < <(grep -v '^#' bench/queries.txt | awk 'NR % 3 == 1' | head -n 40)
for q in "${sample[@]}"; do
  t0=$(date +%s%N); c=$("$bin" search --case "$out/case" --count -- "\"$q\"" 2>/dev/null || true); t1=$(date +%s%N)
  r=$( (rg -c -F -- "$q" "$out/export" 2>/dev/null || true) | awk -F: '{s+=$NF} END{print s+0}'); t2=$(date +%s%N)
  printf '%s\t%s\t%.1f\t%s\t%.1f\n' "$q" "$c" "$(( (t1 - t0) / 1000 ))e-3" "$r" "$(( (t2 - t1) / 1000 ))e-3" >>"$out/compare.tsv"
done
p50() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "whole-process search --count p50: $(cut -f3 "$out/compare.tsv" | p50) ms; ripgrep -c -F p50: $(cut -f5 "$out/compare.tsv" | p50) ms (${#sample[@]} queries; counts side by side in $out/compare.tsv)"

# The console on the imported case, drawn into a 120x40 TestBackend: first
# frame with the page cache dropped (when this user may drop it) and warm,
# then the frame times of browsing, with the peak memory of the whole run.
sync
if (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  echo "console, cold cache: $(target/release/examples/tui_frames --case "$out/case" 2>&1 | head -n 1)"
fi
/usr/bin/time -v target/release/examples/tui_frames --case "$out/case" >"$out/tui.txt" 2>"$out/tui.time"
echo "console, warm: $(head -n 1 "$out/tui.txt"); peak RSS while browsing $(( $(awk -F': ' '/Maximum resident/{print $2}' "$out/tui.time") / 1024 )) MB (details in $out/tui.txt)"

# SQLite FTS5 trigram over the same message bodies. The trigram index can
# only answer queries of 3 or more characters; shorter ones scan a plain
# copy of the bodies with LIKE, as FTS5 itself would have to.
fts=$out/fts.sqlite
rm -f "$fts"
if [ -n "${SKIP_FTS:-}" ]; then
  echo "SQLite FTS5 trigram: skipped (SKIP_FTS is set)"
else
sqlite3 "$fts" "ATTACH '$out/case/case.sqlite' AS c; CREATE VIRTUAL TABLE f USING fts5(body, tokenize='trigram'); INSERT INTO f SELECT body FROM c.messages; CREATE TABLE plain AS SELECT body FROM c.messages;"
: >"$out/fts.tsv"
for q in "${sample[@]}"; do
  esc=${q//\'/\'\'}
  if [ "${#q}" -ge 3 ]; then
    sql="SELECT count(*) FROM f WHERE f MATCH '\"${esc//\"/\"\"}\"';"
  else
    sql="SELECT count(*) FROM plain WHERE body LIKE '%$esc%';"
  fi
  t0=$(date +%s%N); c=$(sqlite3 "$fts" "$sql" 2>/dev/null || echo error); t1=$(date +%s%N)
  printf '%s\t%s\t%.1f\n' "$q" "$c" "$(( (t1 - t0) / 1000 ))e-3" >>"$out/fts.tsv"
done
echo "SQLite FTS5 trigram (whole process; LIKE scan under 3 characters) p50: $(cut -f3 "$out/fts.tsv" | p50) ms"
fi

if "$bin" export --help >/dev/null 2>&1; then
  for format in csv html; do
    # The CSV export also writes a revisions file and a manifest beside it.
    rm -rf "$out/export-out.$format" "$out/export-out.revisions.csv" "$out/export-out.$format.manifest.json"
    if ! /usr/bin/time -v "$bin" export --case "$out/case" --format "$format" --out "$out/export-out.$format" \
      >/dev/null 2>"$out/export-$format.time"; then
      echo "export $format: failed, see $out/export-$format.time"
      continue
    fi
    s=$(awk -F': ' '/Elapsed/{split($2,t,":"); x=0; for(i=1;i<=length(t);i++) x=x*60+t[i]; print x}' "$out/export-$format.time")
    m=$(awk -F': ' '/Maximum resident/{print $2}' "$out/export-$format.time")
    echo "export $format: ${s}s = $(awk -v n="$size" -v s="$s" 'BEGIN{printf "%.0f", n/s}') msg/s, peak RSS $((m / 1024)) MB"
  done
fi
