#!/usr/bin/env bash
# Compares fondo with ledger-cli, hledger and beancount on the same generated books, and with
# a minimal rusqlite program (examples/baseline.rs) that shows how close fondo is to what
# SQLite can do. Prints one Markdown table: each operation's median wall time over RUNS runs
# (after a warm-up), peak RSS measured with /usr/bin/time, the ratio to the row it is
# compared with, and the goal issues 16 and 17 set for it on 1M transactions, met or missed.
#
#   bench/compare.sh                          # 10k, 100k and 1M transactions, 3 runs each
#   SIZES="10000 100000" RUNS=5 bench/compare.sh
#   PEERS=0 bench/compare.sh                  # fondo and the baseline only
#   bench/compare.sh --update                 # and write the table into docs/performance.md
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --update ]; then
  # Runs the comparison and puts its table between the markers in docs/performance.md.
  table=$(mktemp)
  "$0" | tee "$table"
  awk -v table="$table" '
    /<!-- compare.sh table: begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- compare.sh table: end -->/ { skip = 0 }
    !skip' docs/performance.md >docs/performance.md.new
  mv docs/performance.md.new docs/performance.md
  rm -f "$table"
  exit
fi
SIZES="${SIZES:-10000 100000 1000000}"
RUNS="${RUNS:-3}"
PEERS="${PEERS:-1}"

need() { command -v "$1" >/dev/null 2>&1; }
if [ "$PEERS" = 1 ]; then
  if ! need hledger || ! need ledger || [ ! -x /usr/bin/time ]; then
    apt-get update -qq && apt-get install -y -qq hledger ledger time >/dev/null
  fi
  if ! need bean-query; then pip install -q beancount beanquery; fi
fi
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

cargo build --release -q --bin fondo --example generate --example baseline
fondo=$PWD/target/release/fondo
generate=$PWD/target/release/examples/generate
baseline=$PWD/target/release/examples/baseline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure NAME SETUP COMMAND: runs SETUP then COMMAND, once to warm up and RUNS times
# measured; prints "median_seconds peak_mib" of the measured runs.
measure() {
  local setup=$1 command=$2 times=() rss=()
  for run in $(seq 0 "$RUNS"); do
    bash -c "$setup" >/dev/null 2>&1
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$work/time" bash -c "$command" >/dev/null 2>"$work/err" ||
      { echo "failed: $command" >&2; cat "$work/err" >&2; exit 1; }
    end=$(date +%s%N)
    [ "$run" = 0 ] && continue
    times+=("$(awk -v n="$((end - start))" 'BEGIN { printf "%.3f", n / 1e9 }')")
    rss+=("$(cat "$work/time")")
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  local peak
  peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
  echo "$median $((peak / 1024))"
}

# row SIZE WORK TOOL "median mib" REF_SECONDS [REF_NAME] [GOAL]: one line of the table. The
# ratio is this row's time over REF_SECONDS, the time of REF_NAME (fondo's when not named).
# GOAL is `s:MAX` (seconds), `x:MAX` (the ratio) or `x:MAX,mib:MAX` (and peak memory).
row() {
  local m=$4 fondo_s=$5 ref=${6:-fondo} goal=${7:-} s mib
  read -r s mib <<<"$m"
  local ratio
  ratio=$(awk -v a="$s" -v b="$fondo_s" -v r="$ref" 'BEGIN { if (b > 0) printf "%.1f× %s", a / b, r; else print "—" }')
  printf '| %s | %s | %s | %s s | %s MiB | %s | %s |\n' "$1" "$2" "$3" "$s" "$mib" "$ratio" "$(judge "$goal" "$s" "$mib" "$fondo_s")"
}

# fondo_row SIZE WORK "median mib" [GOAL]: a row of fondo's own, compared with nothing.
fondo_row() { row "$1" "$2" fondo "$3" 0 fondo "${4:-}"; }

# at_1m GOAL: the goal, for the sizes it is set for (a million transactions and more).
at_1m() { if [ "$n" -ge 1000000 ]; then echo "$1"; fi; }

# judge GOAL SECONDS MIB REF_SECONDS: the goal as text, and whether it was met.
judge() {
  [ -n "$1" ] || return 0
  awk -v goal="$1" -v s="$2" -v mib="$3" -v ref="$4" 'BEGIN {
    n = split(goal, parts, ","); met = 1; text = ""
    for (i = 1; i <= n; i++) {
      split(parts[i], kv, ":")
      if (kv[1] == "s") { text = text sprintf("≤ %s s", kv[2]); if (s > kv[2] + 0) met = 0 }
      if (kv[1] == "x") { text = text sprintf("≤ %s×", kv[2]); if (ref <= 0 || s / ref > kv[2] + 0) met = 0 }
      if (kv[1] == "mib") { text = text sprintf("< %s MiB", kv[2]); if (mib >= kv[2] + 0) met = 0 }
      if (i < n) text = text ", "
    }
    printf "%s: %s", text, (met ? "met" : "**missed**")
  }'
}

echo "| transactions | work | tool | median | peak RSS | ratio | goal |"
echo "| ---: | --- | --- | ---: | ---: | ---: | --- |"
for n in $SIZES; do
  "$generate" "$n" >"$work/books.csv"
  db=$work/books.db
  base=$(measure "rm -f $work/base.db*" "$baseline $work/books.csv $work/base.db")
  import=$(measure "rm -f $db*; $fondo --db $db init" "$fondo --db $db import $work/books.csv --create-missing")
  goal=""
  if [ "$n" -ge 100000 ]; then goal="x:2.5,mib:64"; fi
  row "$n" "import CSV" "minimal rusqlite" "$base" "${base%% *}" "minimal rusqlite"
  row "$n" "import CSV" fondo "$import" "${base%% *}" "minimal rusqlite" "$goal"
  balance=$(measure true "$fondo --db $db report balance")
  fb=${balance%% *}
  fondo_row "$n" "balance" "$balance" "$(at_1m s:0.02)"
  if [ "$PEERS" = 1 ]; then
    "$generate" "$n" hledger >"$work/books.journal"
    "$generate" "$n" beancount >"$work/books.beancount"
    row "$n" "balance" "ledger-cli" "$(measure true "ledger -f $work/books.journal bal")" "$fb"
    row "$n" "balance" "hledger" "$(measure true "hledger -f $work/books.journal bal")" "$fb"
    row "$n" "balance" "beancount (bean-query)" \
      "$(measure true "bean-query $work/books.beancount 'SELECT account, sum(position) GROUP BY account'")" "$fb"
  fi
  dated=$(measure true "$fondo --db $db report balance --from 2001-01-01 --to 2030-12-31")
  fondo_row "$n" "balance over a period" "$dated" "$(at_1m s:0.1)"
  for report in funds union communes campaign activities aging; do
    m=$(measure true "$fondo --db $db report $report --from 2001-01-01")
    fondo_row "$n" "report $report over a period" "$m" "$(at_1m s:0.1)"
  done
  for report in funds union communes activities aging; do
    m=$(measure true "$fondo --db $db report $report")
    fondo_row "$n" "report $report, whole books" "$m" "$(at_1m s:0.1)"
  done
  # Twelve statements of activities and the year's, chained (issue 16, item 1).
  m=$(measure true "$fondo --db $db report activities --monthly --from 2001-01-01 --to 2001-12-31")
  fondo_row "$n" "report activities --monthly (12 months)" "$m" "$(at_1m s:0.1)"
  m=$(measure true "$fondo --db $db report activities --quarterly")
  fondo_row "$n" "report activities --quarterly (whole span)" "$m" "$(at_1m s:0.1)"
  # Budgets and pledges (issue 16, items 6 and 7): a year's budget and a month's, and twelve
  # monthly pledges, then both reports.
  "$fondo" --db "$db" budget set general 100000 --period 2001 >/dev/null
  "$fondo" --db "$db" budget set general 10000 --period 2001-03 >/dev/null
  for i in $(seq 10 21); do
    "$fondo" --db "$db" pledge add --donor "Donor 000$i" 10 --monthly --from 2000-01 --new-donor >/dev/null
  done
  for report in budget pledges; do
    m=$(measure true "$fondo --db $db report $report")
    fondo_row "$n" "report $report" "$m" "$(at_1m s:0.1)"
  done
  m=$(measure true "$fondo --db $db report position --at 2030-12-31")
  fondo_row "$n" "report position" "$m" "$(at_1m s:0.1)"
  # Values in one currency: the books are in USD, valued in EUR through the inverse of a rate.
  $fondo --db $db rate add EUR USD 1.08 --date 2001-01-01 >/dev/null
  for report in "funds --from 2001-01-01" "position --at 2030-12-31"; do
    m=$(measure true "$fondo --db $db report $report --value EUR")
    fondo_row "$n" "report ${report%% *} --value EUR" "$m" "$(at_1m s:0.1)"
  done
  m=$(measure true "$fondo --db $db --format md report transparency")
  fondo_row "$n" "public page (Markdown)" "$m" "$(at_1m s:0.1)"
  m=$(measure true "$fondo --db $db report register assets:bank --limit 50")
  fondo_row "$n" "register page (50 lines)" "$m" "$(at_1m s:0.1)"
  m=$(measure true "$fondo --db $db report register assets:bank --from 2001-01-01 --limit 50")
  fondo_row "$n" "register page (50 lines) from a date" "$m" "$(at_1m s:0.1)"
  # Donors (private): every donor's totals, and one donor's letter for a year.
  m=$(measure true "$fondo --db $db report donors")
  fondo_row "$n" "report donors" "$m" "$(at_1m s:0.1)"
  m=$(measure true "$fondo --db $db report statement --donor 'Donor 00010' --year 2001")
  fondo_row "$n" "report statement (one donor, a year)" "$m" "$(at_1m s:0.1)"
  empty=$(measure "rm -f $work/empty.db*; $fondo --db $work/empty.db init" "$fondo --db $work/empty.db donation 10 --donor Someone")
  fondo_row "$n" "one donation, empty ledger" "$empty"
  cp "$db" "$work/big.db"
  one=$(measure true "$fondo --db $work/big.db donation 10 --donor Someone")
  row "$n" "one donation" fondo "$one" "${empty%% *}" "empty ledger" "$(at_1m x:1.5)"
  # A payment dated at the start of the books: the overdraft check walks every later day
  # of that account and fund (refused or not, the check is what is measured).
  back=$(measure true "$fondo --db $work/big.db fee 0.01 --from assets:bank --fund lara-cheese --date 2000-01-02 --dry-run || true")
  row "$n" "one back-dated payment" fondo "$back" "${empty%% *}" "empty ledger" "$(at_1m x:1.5)"
  m=$(measure true "$fondo --db $db verify")
  fondo_row "$n" "verify" "$m" "$(at_1m s:5)"
  m=$(measure "rm -f $work/journal.csv" "$fondo --db $db export journal -o $work/journal.csv")
  fondo_row "$n" "export journal" "$m" "$(at_1m s:4)"
  # A backup (copy and verify) while a loop records one donation after another in the ledger.
  m=$(measure "rm -f $work/backup.db" "touch $work/writing
    (while [ -e $work/writing ]; do $fondo --db $work/big.db donation 10 --donor Writer >/dev/null; done) &
    $fondo --db $work/big.db backup $work/backup.db; status=\$?; rm $work/writing; wait; exit \$status")
  fondo_row "$n" "backup while donations are recorded" "$m" "$(at_1m s:10)"
done
# Donor statements: a letter each for 10,000 donors who all gave in 2026 (issue 16: <= 5 s).
"$generate" 43800 simple 2026-01-01 10000 >"$work/donors.csv"
donors=$work/donors.db
"$fondo" --db "$donors" init >/dev/null
"$fondo" --db "$donors" import "$work/donors.csv" --create-missing --future >/dev/null
m=$(measure "rm -rf $work/letters" "$fondo --db $donors report statement --all --year 2026 -o $work/letters")
fondo_row 10000 "report statement --all (10,000 donors' letters)" "$m" s:5
echo
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(date -u +%Y-%m-%d)"
