#!/usr/bin/env bash
# Compares fondo with ledger-cli, hledger and beancount on the same generated books, and with
# a minimal rusqlite program (examples/baseline.rs) that shows how close fondo is to what
# SQLite can do. Prints one Markdown table: each operation's median wall time over RUNS runs
# (after a warm-up) and peak RSS, measured with /usr/bin/time, and the ratio to fondo.
#
#   bench/compare.sh                          # 10k, 100k and 1M transactions, 3 runs each
#   SIZES="10000 100000" RUNS=5 bench/compare.sh
#   PEERS=0 bench/compare.sh                  # fondo and the baseline only
set -euo pipefail
cd "$(dirname "$0")/.."
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

row() { # row SIZE WORK TOOL "median mib" FONDO_MEDIAN
  local m=$4 fondo_s=$5 s mib
  read -r s mib <<<"$m"
  local ratio
  ratio=$(awk -v a="$s" -v b="$fondo_s" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "—" }')
  printf '| %s | %s | %s | %s s | %s MiB | %s |\n' "$1" "$2" "$3" "$s" "$mib" "$ratio"
}

echo "| transactions | work | tool | median | peak RSS | vs fondo |"
echo "| ---: | --- | --- | ---: | ---: | ---: |"
for n in $SIZES; do
  "$generate" "$n" >"$work/books.csv"
  db=$work/books.db
  import=$(measure "rm -f $db*; $fondo --db $db init" "$fondo --db $db import $work/books.csv --create-missing")
  fi=${import%% *}
  row "$n" "import CSV" fondo "$import" "$fi"
  row "$n" "import CSV" "minimal rusqlite" "$(measure "rm -f $work/base.db*" "$baseline $work/books.csv $work/base.db")" "$fi"
  balance=$(measure true "$fondo --db $db report balance")
  fb=${balance%% *}
  row "$n" "balance" fondo "$balance" "$fb"
  if [ "$PEERS" = 1 ]; then
    "$generate" "$n" hledger >"$work/books.journal"
    "$generate" "$n" beancount >"$work/books.beancount"
    row "$n" "balance" "ledger-cli" "$(measure true "ledger -f $work/books.journal bal")" "$fb"
    row "$n" "balance" "hledger" "$(measure true "hledger -f $work/books.journal bal")" "$fb"
    row "$n" "balance" "beancount (bean-query)" \
      "$(measure true "bean-query $work/books.beancount 'SELECT account, sum(position) GROUP BY account'")" "$fb"
  fi
  dated=$(measure true "$fondo --db $db report balance --from 2001-01-01 --to 2030-12-31")
  row "$n" "balance over a period" fondo "$dated" "${dated%% *}"
  for report in funds union communes campaign activities aging; do
    m=$(measure true "$fondo --db $db report $report --from 2001-01-01")
    row "$n" "report $report over a period" fondo "$m" "${m%% *}"
  done
  for report in funds union communes activities aging; do
    m=$(measure true "$fondo --db $db report $report")
    row "$n" "report $report, whole books" fondo "$m" "${m%% *}"
  done
  # Twelve statements of activities and the year's, chained (issue 16, item 1).
  m=$(measure true "$fondo --db $db report activities --monthly --from 2001-01-01 --to 2001-12-31")
  row "$n" "report activities --monthly (12 months)" fondo "$m" "${m%% *}"
  m=$(measure true "$fondo --db $db report activities --quarterly")
  row "$n" "report activities --quarterly (whole span)" fondo "$m" "${m%% *}"
  # Budgets and pledges (issue 16, items 6 and 7): a year's budget and a month's, and twelve
  # monthly pledges, then both reports.
  "$fondo" --db "$db" budget set general 100000 --period 2001 >/dev/null
  "$fondo" --db "$db" budget set general 10000 --period 2001-03 >/dev/null
  for i in $(seq 10 21); do
    "$fondo" --db "$db" pledge add --donor "Donor 000$i" 10 --monthly --from 2000-01 --new-donor >/dev/null
  done
  for report in budget pledges; do
    m=$(measure true "$fondo --db $db report $report")
    row "$n" "report $report" fondo "$m" "${m%% *}"
  done
  m=$(measure true "$fondo --db $db report position --at 2030-12-31")
  row "$n" "report position" fondo "$m" "${m%% *}"
  # Values in one currency: the books are in USD, valued in EUR through the inverse of a rate.
  $fondo --db $db rate add EUR USD 1.08 --date 2001-01-01 >/dev/null
  for report in "funds --from 2001-01-01" "position --at 2030-12-31"; do
    m=$(measure true "$fondo --db $db report $report --value EUR")
    row "$n" "report ${report%% *} --value EUR" fondo "$m" "${m%% *}"
  done
  m=$(measure true "$fondo --db $db --format md report transparency")
  row "$n" "public page (Markdown)" fondo "$m" "${m%% *}"
  m=$(measure true "$fondo --db $db report register assets:bank --limit 50")
  row "$n" "register page (50 lines)" fondo "$m" "${m%% *}"
  m=$(measure true "$fondo --db $db report register assets:bank --from 2001-01-01 --limit 50")
  row "$n" "register page (50 lines) from a date" fondo "$m" "${m%% *}"
  # Donors (private): every donor's totals, and one donor's letter for a year.
  m=$(measure true "$fondo --db $db report donors")
  row "$n" "report donors" fondo "$m" "${m%% *}"
  m=$(measure true "$fondo --db $db report statement --donor 'Donor 00010' --year 2001")
  row "$n" "report statement (one donor, a year)" fondo "$m" "${m%% *}"
  empty=$(measure "rm -f $work/empty.db*; $fondo --db $work/empty.db init" "$fondo --db $work/empty.db donation 10 --donor Someone")
  row "$n" "one donation, empty ledger" fondo "$empty" "${empty%% *}"
  cp "$db" "$work/big.db"
  one=$(measure true "$fondo --db $work/big.db donation 10 --donor Someone")
  row "$n" "one donation (vs empty ledger)" fondo "$one" "${empty%% *}"
  # A payment dated at the start of the books: the overdraft check walks every later day
  # of that account and fund (refused or not, the check is what is measured).
  back=$(measure true "$fondo --db $work/big.db fee 0.01 --from assets:bank --fund lara-cheese --date 2000-01-02 --dry-run || true")
  row "$n" "one back-dated payment (vs empty ledger)" fondo "$back" "${empty%% *}"
  m=$(measure true "$fondo --db $db verify")
  row "$n" "verify" fondo "$m" "${m%% *}"
  m=$(measure "rm -f $work/journal.csv" "$fondo --db $db export journal -o $work/journal.csv")
  row "$n" "export journal" fondo "$m" "${m%% *}"
  # A backup (copy and verify) while a loop records one donation after another in the ledger.
  m=$(measure "rm -f $work/backup.db" "touch $work/writing
    (while [ -e $work/writing ]; do $fondo --db $work/big.db donation 10 --donor Writer >/dev/null; done) &
    $fondo --db $work/big.db backup $work/backup.db; status=\$?; rm $work/writing; wait; exit \$status")
  row "$n" "backup while donations are recorded" fondo "$m" "${m%% *}"
done
# Donor statements: a letter each for 10,000 donors who all gave in 2026 (issue 16: <= 5 s).
"$generate" 43800 simple 2026-01-01 10000 >"$work/donors.csv"
donors=$work/donors.db
"$fondo" --db "$donors" init >/dev/null
"$fondo" --db "$donors" import "$work/donors.csv" --create-missing --future >/dev/null
m=$(measure "rm -rf $work/letters" "$fondo --db $donors report statement --all --year 2026 -o $work/letters")
row 10000 "report statement --all (10,000 donors' letters)" fondo "$m" "${m%% *}"
echo
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); $(date -u +%Y-%m-%d)"
