#!/usr/bin/env python3
"""Medians of the `orm` benchmarks, side by side, as Markdown.

Reads what criterion left under target/criterion (each benchmark's new/benchmark.json for its
group, contender and size, and new/estimates.json for its median) and prints, for each trial
and backend, a table of the median time of each contender and the ratios tablemodel/raw and
tablemodel/diesel (and the same for other `tablemodel_*` contenders, such as `tablemodel_join`),
then the list of places where tablemodel is above 1.05x raw or above 1.00x diesel.

Given several criterion directories (passes of the same benchmark binary, each run with its
own CRITERION_HOME), each cell is the median of the passes' medians (with --best, the lowest
of them), and a last section lists the cells whose passes differ by more than 30%.

    python3 benches/report.py                  # target/criterion of this checkout
    python3 benches/report.py DIR [DIR ...]    # one or more criterion directories
    python3 benches/report.py --best DIR ...   # the fastest pass of each cell
    python3 benches/report.py --backend=postgres ...   # one backend only
    python3 benches/report.py --json [DIR ...] # the medians (ns) as JSON instead
"""

import json
import os
import statistics
import sys
from pathlib import Path

OURS, RAW, DIESEL = "tablemodel", "raw", "diesel"
CONTENDERS = [OURS, RAW, DIESEL]
SPREAD_LIMIT = 1.30
RAW_LIMIT = 1.05
DIESEL_LIMIT = 1.00
TRIAL_ORDER = [
    "trivial_query",
    "medium_complex_query",
    "insert",
    "loading_associations",
    "get_by_pk_hit",
    "get_by_pk_miss",
    "update_one_column",
    "mixed_flush",
]
BACKEND_ORDER = ["sqlite", "postgres"]


def criterion_dirs(argv):
    args = [Path(a) for a in argv if not a.startswith("--")]
    if args:
        return args
    target = os.environ.get("CARGO_TARGET_DIR")
    root = Path(__file__).resolve().parent.parent
    return [(Path(target) if target else root / "target") / "criterion"]


def load(base):
    """{(trial, backend): {size: {contender: median_ns}}}"""
    results = {}
    for bench in base.glob("**/new/benchmark.json"):
        estimates = bench.with_name("estimates.json")
        if not estimates.exists():
            continue
        meta = json.loads(bench.read_text())
        group = meta.get("group_id", "")
        if "/" not in group or meta.get("value_str") is None:
            continue
        trial, backend = group.split("/", 1)
        median = json.loads(estimates.read_text())["median"]["point_estimate"]
        size = int(meta["value_str"])
        cell = results.setdefault((trial, backend), {}).setdefault(size, {})
        cell[meta["function_id"]] = median
    return results


def combine(runs, pick=statistics.median):
    """One value per cell over the passes (their median, or `pick`), and the cells whose
    passes spread too far."""
    merged, spread = {}, []
    for run in runs:
        for key, sizes in run.items():
            for size, cells in sizes.items():
                for contender, ns in cells.items():
                    merged.setdefault(key, {}).setdefault(size, {}).setdefault(contender, [])
                    merged[key][size][contender].append(ns)
    out = {}
    for key, sizes in merged.items():
        for size, cells in sizes.items():
            for contender, values in cells.items():
                out.setdefault(key, {}).setdefault(size, {})[contender] = pick(values)
                if len(values) > 1 and max(values) / min(values) > SPREAD_LIMIT:
                    spread.append((key, size, contender, values))
    return out, spread


def order(key):
    trial, backend = key
    t = TRIAL_ORDER.index(trial) if trial in TRIAL_ORDER else len(TRIAL_ORDER)
    b = BACKEND_ORDER.index(backend) if backend in BACKEND_ORDER else len(BACKEND_ORDER)
    return (t, trial, b, backend)


def fmt_time(ns):
    if ns is None:
        return "–"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}" if ns / scale < 100 else f"{ns / scale:.0f} {unit}"
    return f"{ns:.0f} ns"


def ratio(ours, other):
    if ours is None or other is None or other == 0:
        return None
    return ours / other


def fmt_ratio(r, limit):
    if r is None:
        return "–"
    text = f"{r:.2f}x"
    return f"**{text}**" if r > limit else text


def ours_of(sizes):
    """The tablemodel contenders of a group: `tablemodel` first, then `tablemodel_*`."""
    names = {c for cells in sizes.values() for c in cells if c.startswith(OURS)}
    return sorted(names, key=lambda c: (c != OURS, c))


def short(contender):
    return "ours" if contender == OURS else contender[len(OURS) + 1 :]


def markdown(results, spread, passes):
    lines, slow = [], []
    for key in sorted(results, key=order):
        trial, backend = key
        ours = ours_of(results[key])
        lines.append(f"### {trial} — {backend}")
        lines.append("")
        header = ["size", *ours, RAW, DIESEL]
        for c in ours:
            header += [f"{short(c)}/raw", f"{short(c)}/diesel"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + " ---: |" * len(header))
        for size in sorted(results[key]):
            cell = results[key][size]
            raw, diesel = cell.get(RAW), cell.get(DIESEL)
            row = [str(size), *(fmt_time(cell.get(c)) for c in ours), fmt_time(raw), fmt_time(diesel)]
            over = []
            for c in ours:
                vs_raw, vs_diesel = ratio(cell.get(c), raw), ratio(cell.get(c), diesel)
                row += [fmt_ratio(vs_raw, RAW_LIMIT), fmt_ratio(vs_diesel, DIESEL_LIMIT)]
                parts = []
                if vs_raw is not None and vs_raw > RAW_LIMIT:
                    parts.append(f"{vs_raw:.2f}x raw")
                if vs_diesel is not None and vs_diesel > DIESEL_LIMIT:
                    parts.append(f"{vs_diesel:.2f}x diesel")
                if parts:
                    over.append(f"{c} " + ", ".join(parts))
            lines.append("| " + " | ".join(row) + " |")
            if over:
                slow.append(f"- {trial} / {backend} / {size}: " + "; ".join(over))
        lines.append("")
    lines.append(
        f"### Where tablemodel is above {RAW_LIMIT:.2f}x raw or above {DIESEL_LIMIT:.2f}x diesel"
    )
    lines.append("")
    lines.extend(slow or ["- nowhere"])
    if passes > 1:
        lines.append("")
        lines.append(
            f"### Cells whose {passes} passes differ by more than {SPREAD_LIMIT - 1:.0%} (max/min)"
        )
        lines.append("")
        rank = {c: i for i, c in enumerate(CONTENDERS)}
        rows = sorted(spread, key=lambda s: (order(s[0]), s[1], rank.get(s[2], 1), s[2]))
        for (trial, backend), size, contender, values in rows:
            times = ", ".join(fmt_time(v) for v in values)
            lines.append(
                f"- {trial} / {backend} / {size} / {contender}: {times} "
                f"({max(values) / min(values):.2f}x)"
            )
        if not rows:
            lines.append("- none")
    return "\n".join(lines)


def main(argv):
    bases = criterion_dirs(argv)
    for base in bases:
        if not base.is_dir():
            sys.exit(
                f"no criterion results under {base}: "
                "run `cargo bench --features postgres --bench orm` first"
            )
    pick = min if "--best" in argv else statistics.median
    results, spread = combine([load(base) for base in bases], pick)
    backends = [a.split("=", 1)[1] for a in argv if a.startswith("--backend=")]
    if backends:
        results = {k: v for k, v in results.items() if k[1] in backends}
        spread = [s for s in spread if s[0][1] in backends]
    if "--json" in argv:
        out = {
            f"{t}/{b}": {str(s): cells for s, cells in sorted(sizes.items())}
            for (t, b), sizes in sorted(results.items(), key=lambda kv: order(kv[0]))
        }
        print(json.dumps(out, indent=2))
    else:
        print(markdown(results, spread, len(bases)))


if __name__ == "__main__":
    main(sys.argv[1:])
