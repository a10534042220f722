#!/usr/bin/env python3
"""Re-adds journal.csv and compares the sums with the report CSVs of this audit pack.

Run it from anywhere: python3 check_totals.py [PACK_DIR]. It uses only Python's standard
library and exact decimal arithmetic. The communes' `confirmed` column is re-added from
confirmations.csv: the grants (live, not voided) that a commune confirmed. Exit 0: every
total re-adds; exit 1: it lists each difference.
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
transactions = defaultdict(list)
voided = set()
for r in rows("journal.csv"):
    for key in ((r["account"], "", r["currency"]), (r["account"], r["fund"], r["currency"])):
        debit[key] += amount(r["debit"])
        credit[key] += amount(r["credit"])
    transactions[r["txn"]].append(r)
    if r["voids"]:
        voided.add(r["voids"])

# Money through the union: a transaction that moves assets:union and a grants account is the
# union passing money on (allocated, per commune); one that moves assets:union alone is a
# send to the union. Grants without assets:union were sent to the commune directly.
confirmed_txns = {r["txn"] for r in rows("confirmations.csv")}
# A refund is netted in its donor's total but is not a gift of its own.
refund_txns = {r["txn"] for r in rows("refunds.csv")}
confirmed = defaultdict(Decimal)
sent = defaultdict(Decimal)
allocated = defaultdict(Decimal)
to_commune = defaultdict(Decimal)
gifts = defaultdict(Decimal)
gift_count = defaultdict(set)
for txn, postings in transactions.items():
    via_union = any(p["account"] == "assets:union" for p in postings)
    grants = [p for p in postings if p["account"].startswith("expenses:grants:")]
    for p in postings:
        net = amount(p["debit"]) - amount(p["credit"])
        key = (p["fund"], p["currency"])
        if p["account"] == "assets:union" and not grants:
            sent[key] += net
        if p in grants:
            if via_union:
                allocated[key] += net
            commune = p["account"][len("expenses:grants:"):]
            route = "via_union" if via_union else "direct"
            to_commune[(commune, route, p["fund"], p["currency"])] += net
            to_commune[(commune, route, "(all)", p["currency"])] += net
        live = txn not in voided and not p["voids"]
        if p in grants and live and txn in confirmed_txns:
            for fund in (p["fund"], "(all)"):
                confirmed[(commune, fund, p["currency"])] += net
        if p["account"] == "income:donations" and p["counterparty"] and live:
            gifts[(p["counterparty"], p["currency"])] -= net
            if txn not in refund_txns:
                gift_count[(p["counterparty"], p["currency"])].add(txn)


def balance(account, fund, currency):
    key = (account, fund, currency)
    return debit[key] - credit[key]


def balances_under(prefix, fund, currency):
    return sum(
        (debit[k] - credit[k] for k in debit if k[1] == fund and k[2] == currency and k[0].startswith(prefix)),
        Decimal(0),
    )


def account_and_below(account, fund, currency):
    """An account with the accounts below it: expenses:fees covers expenses:fees:wire."""
    return balance(account, fund, currency) + balances_under(account + ":", fund, currency)


problems = []
checked = 0


def compare(what, stated, readded):
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
        compare(f"{label} debit", r["debit"], debit[key])
        compare(f"{label} credit", r["credit"], credit[key])
        compare(f"{label} balance", r["balance"], debit[key] - credit[key])

for r in rows("report_funds.csv"):
    if r["row"] != "fund":
        continue
    fund, cur = r["fund"], r["currency"]
    label = f"report_funds.csv {fund} / {cur}"
    compare(f"{label} raised", r["raised"], -balances_under("income:", fund, cur))
    fees = account_and_below("expenses:fees", fund, cur)
    compare(f"{label} fees", r["fees"], fees)
    compare(f"{label} granted", r["granted"], balances_under("expenses:grants:", fund, cur))
    at_bank = account_and_below("assets:bank", fund, cur)
    at_processor = account_and_below("assets:processor", fund, cur)
    compare(f"{label} at_bank", r["at_bank"], at_bank)
    compare(f"{label} at_processor", r["at_processor"], at_processor)
    compare(f"{label} held_by_union", r["held_by_union"], balance("assets:union", fund, cur))
    closing = balances_under("assets:", fund, cur)
    compare(f"{label} closing", r["closing"], closing)
    known = at_bank + at_processor + balance("assets:union", fund, cur)
    compare(f"{label} at_other", r["at_other"], closing - known)
    spent = balances_under("expenses:", fund, cur) - fees - balances_under("expenses:grants:", fund, cur)
    compare(f"{label} spent", r["spent"], spent)
    # What is left moved in or out of the fund (fund moves, exchanges): the books' identity.
    moved = closing - amount(r["opening"]) - amount(r["raised"]) + amount(r["fees"]) + amount(r["granted"]) + spent
    compare(f"{label} moved", r["moved"], moved)

for r in rows("report_union.csv"):
    if r["row"] != "fund":
        continue
    key = (r["fund"], r["currency"])
    label = f"report_union.csv {r['fund']} / {r['currency']}"
    compare(f"{label} sent", r["sent"], sent[key])
    compare(f"{label} allocated", r["allocated"], allocated[key])
    compare(f"{label} held", r["held"], balance("assets:union", *key))

for r in rows("report_communes.csv"):
    if r["row"] not in ("commune", "fund"):
        continue
    label = f"report_communes.csv {r['commune']} / {r['fund']} / {r['currency']}"
    direct = to_commune[(r["commune"], "direct", r["fund"], r["currency"])]
    via = to_commune[(r["commune"], "via_union", r["fund"], r["currency"])]
    compare(f"{label} direct", r["direct"], direct)
    compare(f"{label} via_union", r["via_union"], via)
    compare(f"{label} total", r["total"], direct + via)
    compare(f"{label} confirmed", r["confirmed"], confirmed[(r["commune"], r["fund"], r["currency"])])

for r in rows("report_campaign.csv"):
    label = f"report_campaign.csv {r['fund']} / {r['currency']}"
    compare(f"{label} raised", r["raised"], -balance("income:donations", r["fund"], r["currency"]))
    compare(f"{label} granted", r["granted"], balances_under("expenses:grants:", r["fund"], r["currency"]))

for r in rows("report_donors.csv"):
    if r["row"] != "donor":
        continue
    key = (r["donor"], r["currency"])
    label = f"report_donors.csv {r['donor']} / {r['currency']}"
    compare(f"{label} total", r["total"], gifts[key])
    compare(f"{label} count", r["count"], Decimal(len(gift_count[key])))

for p in problems:
    print(f"error: {p}")
print(f"{checked} totals checked, {len(problems)} differ")
sys.exit(1 if problems else 0)
