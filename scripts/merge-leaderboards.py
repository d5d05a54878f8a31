#!/usr/bin/env python3
"""Merges tabular-suite leaderboard CSVs (as `--compare --suite` writes them) into one leaderboard.

    scripts/merge-leaderboards.py OUT_STEM BASE.csv [BASE.csv ...] --replace NEW.csv [NEW.csv ...]

Every (data set, contender) row of a --replace file replaces that row of the base files, and new data sets are added:
so a rerun of BnMlp alone (`--contenders BnMlp`) after a change of its defaults joins the other contenders' results of
an earlier run with the same seeds and folds, whose fits do not depend on BnMlp's options. Ranks (ties share the mean
of the ranks they span), gaps to the best and mean ranks are recomputed as TabularLeaderboard does; writes
OUT_STEM.csv and OUT_STEM.md in its format, and OUT_STEM.png (the runner's gap chart) when matplotlib is installed
(Debian's python3-matplotlib).
"""
import csv
import sys

TASKS = ("binary", "multiclass", "regression")
ORDER = ("BnMlp", "LightGbm", "FastTree", "FastForest", "Lbfgs", "Sdca")  # DefaultContenders.Tabular's order, the runner's columns


def read(paths):
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    return rows


def number(value):
    """C#'s round-trip format: the shortest text that reads back, integers without a decimal point."""
    if value != value:
        return "NaN"
    return str(int(value)) if value.is_integer() else repr(value)


def cell(mean, sd, best):
    text = f"{mean:.3f}" if sd != sd else f"{mean:.3f} ± {sd:.3f}"
    return f"**{text}**" if best else text


def save_gaps(table, sets, contenders, ranks, path):
    """The runner's chart: one marker per contender and data set at its gap to the best mean score (0 = best)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no PNG")
        return
    floor = -0.3  # lowest gap drawn, as the runner's: one failed set does not squeeze the rest
    markers = ["o", "s", "^", "D", "x", "v"]
    figure, axes = plt.subplots(figsize=(11, 6), dpi=100)
    for c, name in enumerate(contenders):
        offset = (c - (len(contenders) - 1) / 2) * 0.08
        rows = [r for r in table if r["contender"] == name]
        xs = [sets.index(r["data_set"]) + offset for r in rows]
        ys = [max(r["gap_to_best"], floor) for r in rows]
        mean_rank = next(m for m, n, *_ in ranks if n == name)
        axes.scatter(xs, ys, marker=markers[c % len(markers)], s=90 if name == "BnMlp" else 45, label=f"{name} (mean rank {mean_rank:.2f})")
        for r in rows:
            if r["gap_to_best"] < floor:
                axes.annotate(f"{r['gap_to_best']:.2f}", (sets.index(r["data_set"]) + offset, floor), textcoords="offset points", xytext=(0, -12), ha="center", fontsize=8)
    axes.set_xticks(range(len(sets)))
    axes.set_xticklabels(sets, rotation=45, ha="right")
    axes.set_ylim(floor - 0.04, 0.03)
    axes.set_xlim(-0.6, len(sets) - 0.4)
    axes.set_title("Tabular suite: gap to the best mean score per data set (AUC, accuracy or R²)")
    axes.set_ylabel(f"mean score − best mean score (below {floor:.1f}: drawn at {floor:.1f}, value written)")
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path)


def main(argv):
    if "--replace" not in argv or len(argv) < 4:
        sys.exit(__doc__)
    split = argv.index("--replace")
    stem, bases, replacements = argv[1], argv[2:split], argv[split + 1:]
    if not bases or not replacements:
        sys.exit(__doc__)
    merged = {}
    for row in read(bases) + read(replacements):
        merged[(row["data_set"], row["contender"])] = row
    sets = []
    for data_set, _ in merged:
        if data_set not in sets:
            sets.append(data_set)
    names = {contender for _, contender in merged}
    contenders = [c for c in ORDER if c in names] + sorted(names - set(ORDER))
    for row in merged.values():
        for key in ("mean", "standard_deviation", "mean_accuracy", "accuracy_standard_deviation", "mean_fit_seconds", "mean_trials"):
            row[key] = float(row[key])
    table = []
    for data_set in sets:
        rows = [r for (d, _), r in merged.items() if d == data_set]
        best = max(r["mean"] for r in rows)
        for r in rows:
            r["rank"] = 1 + sum(o["mean"] > r["mean"] for o in rows) + (sum(o["mean"] == r["mean"] for o in rows) - 1) / 2
            r["gap_to_best"] = r["mean"] - best
        table.extend(sorted(rows, key=lambda r: r["rank"]))
    columns = list(csv.DictReader(open(bases[0], newline="", encoding="utf-8")).fieldnames)
    with open(stem + ".csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in table:
            writer.writerow({k: number(v) if isinstance(v, float) else v for k, v in r.items()})

    lines = [f"| data set | task | metric | {' | '.join(contenders)} |", "|---|---|---|" + "---|" * len(contenders)]
    for data_set in sets:
        rows = {r["contender"]: r for r in table if r["data_set"] == data_set}
        first = next(iter(rows.values()))
        cells = [cell(rows[c]["mean"], rows[c]["standard_deviation"], rows[c]["gap_to_best"] == 0) if c in rows else "—" for c in contenders]
        lines.append(f"| {data_set} | {first['task']} | {first['metric']} | {' | '.join(cells)} |")
    binary = [d for d in sets if any(r["data_set"] == d and r["task"] == "binary" for r in table)]
    if binary:
        lines += ["", f"| binary data set | accuracy: {' | '.join(contenders)} |", "|---|" + "---|" * len(contenders)]
        for data_set in binary:
            rows = {r["contender"]: r for r in table if r["data_set"] == data_set}
            best = max(r["mean_accuracy"] for r in rows.values())
            cells = [cell(rows[c]["mean_accuracy"], rows[c]["accuracy_standard_deviation"], rows[c]["mean_accuracy"] == best) if c in rows else "—" for c in contenders]
            lines.append(f"| {data_set} | {' | '.join(cells)} |")
    ranks = []
    for c in contenders:
        rows = [r for r in table if r["contender"] == c]
        per_task = {}
        for task in TASKS:
            task_ranks = [r["rank"] for r in rows if r["task"] == task]
            per_task[task] = f"{sum(task_ranks) / len(task_ranks):.2f}" if task_ranks else "—"
        ranks.append((sum(r["rank"] for r in rows) / len(rows), c, per_task, len(rows), sum(r["gap_to_best"] == 0 for r in rows)))
    lines += ["", "| contender | mean rank | binary | multiclass | regression | data sets | best on |", "|---|---|---|---|---|---|---|"]
    for mean_rank, c, per_task, count, wins in sorted(ranks, key=lambda r: r[0]):
        lines.append(f"| {c} | {mean_rank:.2f} | {per_task['binary']} | {per_task['multiclass']} | {per_task['regression']} | {count} | {wins} |")
    with open(stem + ".md", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    save_gaps(table, sets, contenders, ranks, stem + ".png")


if __name__ == "__main__":
    main(sys.argv)
