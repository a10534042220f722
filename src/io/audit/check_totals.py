#!/usr/bin/env python3
"""Re-adds journal.csv and compares the sums with the report CSVs of this audit pack.

Run it from anywhere: python3 check_totals.py [PACK_DIR]. It uses only Python's standard
library and exact decimal arithmetic. Exit 0: every total re-adds; exit 1: it lists each
difference.
"""
import csv
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

pack = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)


def rows(name):
    with open(pack / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def amount(text):
    return Decimal(text) if text else Decimal(0)


debit = defaultdict(Decimal)
credit = defaultdict(Decimal)
for r in rows("journal.csv"):
    for key in ((r["account"], "", r["currency"]), (r["account"], r["fund"], r["currency"])):
        debit[key] += amount(r["debit"])
        credit[key] += amount(r["credit"])


def balance(account, fund, currency):
    key = (account, fund, currency)
    return debit[key] - credit[key]


def balances_under(prefix, fund, currency):
    return sum(
        (debit[k] - credit[k] for k in debit if k[1] == fund and k[2] == currency and k[0].startswith(prefix)),
        Decimal(0),
    )


problems = []
checked = 0


def expect(what, stated, readded):
    global checked
    checked += 1
    if Decimal(stated) != readded:
        problems.append(f"{what}: the report says {stated}, the journal re-adds to {readded}")


for name, by_fund in (("report_balance.csv", False), ("report_balance_by_fund.csv", True)):
    for r in rows(name):
        if r["row"] != "account":
            continue
        key = (r["account"], r["fund"] if by_fund else "", r["currency"])
        label = f"{name} {' / '.join(k for k in key if k)}"
        expect(f"{label} debit", r["debit"], debit[key])
        expect(f"{label} credit", r["credit"], credit[key])
        expect(f"{label} balance", r["balance"], debit[key] - credit[key])

for r in rows("report_funds.csv"):
    if r["row"] != "fund":
        continue
    fund, cur = r["fund"], r["currency"]
    label = f"report_funds.csv {fund} / {cur}"
    expect(f"{label} raised", r["raised"], -balance("income:donations", fund, cur))
    expect(f"{label} fees", r["fees"], balance("expenses:fees", fund, cur))
    expect(f"{label} granted", r["granted"], balances_under("expenses:grants:", fund, cur))
    expect(f"{label} at_bank", r["at_bank"], balance("assets:bank", fund, cur))
    expect(f"{label} at_processor", r["at_processor"], balance("assets:processor", fund, cur))
    expect(f"{label} held_by_union", r["held_by_union"], balance("assets:union", fund, cur))
    expect(f"{label} closing", r["closing"], balances_under("assets:", fund, cur))

for p in problems:
    print(f"error: {p}")
print(f"{checked} totals checked, {len(problems)} differ")
sys.exit(1 if problems else 0)
