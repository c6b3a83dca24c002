"""The per-seed tables of docs/reproduction.md from a study's curves, with the standard library only.

    sweepcluster curves flavors-fashion-mnist --format csv > curves.csv
    python3 sweeps/data/flavors_tables.py curves.csv

Prints, per algorithm and seed (coordinate descent with kink_hold: true is "coordinate+hold", its own row): the first step at which the training set is fit, the final margins, test
accuracy and loss; the share of each final norm that is the initialization's (||theta_0|| / ||theta_T||);
coordinate descent's l1 margin against gd's (same seed) at several steps; and how often each trial's
smoothed margin in its own norm went down between consecutive checkpoints once the loss is below 1 (where the
smoothed margin is positive and the monotonicity results apply).
"""
import csv
import sys
from collections import defaultdict

OWN = {"gd": "l2", "sign": "linf", "coordinate": "l1", "coordinate+hold": "l1", "adam": "linf"}
ORDER = ["gd", "sign", "coordinate", "coordinate+hold", "adam"]


def arm(row):
    """The algorithm, told apart from the same algorithm with the kink hold (a column only when the study varies it)."""
    # A study that sweeps only kink_hold has no algorithm column: kink_hold is coordinate descent's key.
    algorithm = row.get("algorithm") or ("coordinate" if "kink_hold" in row else "all")
    return algorithm + ("+hold" if row.get("kink_hold") == "true" else "")


trials = defaultdict(list)
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f):
        trials[(arm(row), int(row["seed"]))].append(row)
for rows in trials.values():
    rows.sort(key=lambda r: int(r["step"]))


def number(text):
    return float(text) if text not in ("", None) else None


def fmt(value, digits=4):
    return "-" if value is None else f"{value:.{digits}g}"


keys = sorted(trials, key=lambda k: (ORDER.index(k[0]) if k[0] in ORDER else 9, k[1]))
print("| algorithm | seed | first fit | margin_l1 | margin_l2 | margin_linf | test acc. | loss | state at step | init share l1 / l2 / linf |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
for key in keys:
    rows = trials[key]
    first, last = rows[0], rows[-1]
    fit = next((int(r["step"]) for r in rows if number(r["train_accuracy"]) == 1.0), None)
    shares = " / ".join(f"{number(first[f'norm_{p}']) / number(last[f'norm_{p}']):.2f}" for p in ("l1", "l2", "linf"))
    print(f"| {key[0]} | {key[1]} | {fit if fit is not None else 'never'} | {fmt(number(last['margin_l1']))} | {fmt(number(last['margin_l2']))} | "
          f"{fmt(number(last['margin_linf']))} | {fmt(number(last['test_accuracy']), 3)} | {fmt(number(last['loss']), 3)} | {last.get('state', '-')} at {int(last['step']):,} | {shares} |")

print()
steps = [10000, 20000, 30000, 40000, 50000]
for coordinate in ("coordinate", "coordinate+hold"):
    if not any(k[0] == coordinate for k in keys):
        continue
    print(f"| {coordinate} / gd, margin_l1, same seed | " + " | ".join(f"step {s:,}" for s in steps) + " |")
    print("| --- |" + " ---: |" * len(steps))
    for seed in sorted({k[1] for k in keys}):
        cd = {int(r["step"]): number(r["margin_l1"]) for r in trials.get((coordinate, seed), [])}
        gd = {int(r["step"]): number(r["margin_l1"]) for r in trials.get(("gd", seed), [])}
        cells = []
        for s in steps:
            a, b = cd.get(s), gd.get(s)
            cells.append("-" if a is None or b is None or b == 0 else f"{a / b:.3f}")
        print(f"| seed {seed} | " + " | ".join(cells) + " |")
    print()

print("| algorithm | seed | own norm | intervals with loss < 1 | decreases of the own-norm smoothed margin | largest drop (relative) | first decrease at step |")
print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
for key in keys:
    rows = trials[key]
    own = f"smoothed_margin_{OWN.get(key[0], 'l2')}"
    after = [(int(r["step"]), number(r[own])) for r in rows if number(r["loss"]) < 1 and number(r[own]) is not None]
    drops = [((a - b) / abs(a), t) for (_, a), (t, b) in zip(after, after[1:]) if b < a]
    largest = max((d for d, _ in drops), default=None)
    first_drop = drops[0][1] if drops else None
    print(f"| {key[0]} | {key[1]} | {OWN.get(key[0])} | {max(len(after) - 1, 0)} | {len(drops)} | {fmt(largest, 2)} | {first_drop if first_drop is not None else '-'} |")
