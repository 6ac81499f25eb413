#!/usr/bin/env python3
"""Build cost of tablemodel, diesel and sea-orm on the same generated schema, side by side.

Generates the crates (generate.py) into OUT/gen, builds each once with its dependencies, in a
target directory of its own (OUT/target/<orm>), then measures, RUNS times, interleaved
(tablemodel, diesel, sea-orm, tablemodel, ...):

  clean build   `cargo clean -p <crate>` then `cargo build`: only the generated crate compiles
  rebuild       one line of one model file changed (a comment), then `cargo build`

and prints a markdown table of medians with the ratios against tablemodel. Then the wide
table: tablemodel's 200-column model is built RUNS times, and diesel's 200-column table! is
tried once with the diesel crate's own features.

Every cargo command runs as `nice -n 19 cargo ... -j 2`. Every timed build is checked to have
compiled the generated crate and nothing else (a dependency rebuilt inside a timed build would
be counted as the crate's cost): the run stops if one did.

tablemodel is built from a snapshot of this repository's HEAD (`git archive`, into OUT), not
from the work tree, so that edits made in the work tree while this runs cannot trigger a
rebuild of tablemodel inside a timed build; --tablemodel-path uses a tree as it is instead.

Usage: measure.py [--out /tmp/build_cost] [--runs 3] [--models 50] [--columns 500]
                  [--wide-columns 200] [--tablemodel-path PATH] [--no-wide]
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, HERE)
import generate  # noqa: E402

ORMS = [("tablemodel", "tablemodel"), ("diesel", "diesel"), ("seaorm", "sea-orm")]
JOBS = "2"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def cargo(args, crate_dir, target_dir, check=True):
    """Runs nice'd cargo in crate_dir; returns (seconds, stderr, returncode)."""
    env = dict(os.environ, CARGO_TARGET_DIR=target_dir)
    cmd = ["nice", "-n", "19", "cargo"] + args
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=crate_dir, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if check and proc.returncode != 0:
        log(proc.stdout + proc.stderr)
        raise SystemExit(f"failed in {crate_dir}: {' '.join(cmd)}")
    return seconds, proc.stderr, proc.returncode


def compiled(stderr):
    return re.findall(r"^\s*Compiling (\S+)", stderr, re.M)


def timed_build(crate_dir, target_dir, crate):
    seconds, stderr, _ = cargo(["build", "-j", JOBS, "--offline"], crate_dir, target_dir)
    names = compiled(stderr)
    if names != [crate]:
        raise SystemExit(f"a timed build in {crate_dir} compiled {names}, not only {crate}: "
                         "a dependency changed between runs")
    return seconds


def set_marker(path, value):
    with open(path) as f:
        lines = f.read().split("\n")
    hits = [i for i, line in enumerate(lines) if line.startswith("// edit marker:")]
    if len(hits) != 1:
        raise SystemExit(f"no single edit marker in {path}")
    lines[hits[0]] = f"// edit marker: {value}"
    with open(path, "w") as f:
        f.write("\n".join(lines))


def source_lines(crate_dir):
    total = 0
    for root, _, files in os.walk(os.path.join(crate_dir, "src")):
        for name in files:
            with open(os.path.join(root, name)) as f:
                total += sum(1 for _ in f)
    return total


def snapshot(out):
    """Extracts HEAD of this repository into OUT/tablemodel-src/<sha> (kept between runs)."""
    sha = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.strip()
    dest = os.path.join(out, "tablemodel-src", sha[:12])
    if not os.path.exists(os.path.join(dest, "Cargo.toml")):
        tmp = dest + ".partial"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        archive = subprocess.Popen(["git", "-C", REPO, "archive", "HEAD"],
                                   stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", tmp], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise SystemExit("git archive failed")
        os.rename(tmp, dest)
    return dest


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt(values):
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.1f} s"
    return f"{med:.1f} s ({min(values):.1f}-{max(values):.1f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="/tmp/build_cost")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--models", type=int, default=50)
    ap.add_argument("--columns", type=int, default=500)
    ap.add_argument("--wide-columns", type=int, default=200)
    ap.add_argument("--tablemodel-path", help="build tablemodel from this tree as it is "
                    "(default: a snapshot of this repository's HEAD)")
    ap.add_argument("--no-wide", action="store_true", help="skip the wide-table builds")
    args = ap.parse_args()

    began = time.perf_counter()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    load_start = os.getloadavg()
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], check=True,
                            stdout=subprocess.PIPE, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE, text=True).stdout.strip()
    tm_path = os.path.abspath(args.tablemodel_path) if args.tablemodel_path else snapshot(out)
    rustc = subprocess.run(["rustc", "-V"], stdout=subprocess.PIPE, text=True).stdout.strip()

    gen = os.path.join(out, "gen")
    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), gen,
                    "--models", str(args.models), "--columns", str(args.columns),
                    "--wide-columns", str(args.wide_columns), "--tablemodel-path", tm_path],
                   check=True, stdout=sys.stderr)
    schema = generate.Schema(args.models, args.columns)
    edited = os.path.join("src", "models", schema.mod(schema.edited) + ".rs")

    def where(orm):
        return os.path.join(gen, orm), os.path.join(out, "target", orm), generate.CRATES[orm]

    for orm, label in ORMS:
        crate_dir, target, _ = where(orm)
        log(f"building {label} and its dependencies (untimed)...")
        seconds, _, _ = cargo(["build", "-j", JOBS], crate_dir, target)
        log(f"  {seconds:.0f} s")

    clean = {orm: [] for orm, _ in ORMS}
    rebuild = {orm: [] for orm, _ in ORMS}
    for run in range(1, args.runs + 1):
        for orm, label in ORMS:
            crate_dir, target, crate = where(orm)
            cargo(["clean", "-p", crate], crate_dir, target)
            clean[orm].append(timed_build(crate_dir, target, crate))
            set_marker(os.path.join(crate_dir, edited), run)
            rebuild[orm].append(timed_build(crate_dir, target, crate))
            log(f"run {run} {label}: clean {clean[orm][-1]:.1f} s, "
                f"rebuild {rebuild[orm][-1]:.1f} s")

    wide_tm, wide_diesel = [], None
    if not args.no_wide:
        crate_dir, target, _ = where("tablemodel")
        wide_dir = os.path.join(gen, "tablemodel_wide")
        cargo(["build", "-j", JOBS], wide_dir, target)
        for _ in range(args.runs):
            cargo(["clean", "-p", generate.CRATES["tablemodel_wide"]], wide_dir, target)
            wide_tm.append(timed_build(wide_dir, target, generate.CRATES["tablemodel_wide"]))
        log(f"tablemodel wide: {[f'{s:.1f}' for s in wide_tm]}")
        _, target, _ = where("diesel")
        wide_dir = os.path.join(gen, "diesel_wide")
        shutil.copyfile(os.path.join(gen, "diesel", "Cargo.lock"),
                        os.path.join(wide_dir, "Cargo.lock"))
        seconds, stderr, code = cargo(["build", "-j", JOBS, "--offline"], wide_dir, target,
                                      check=False)
        errors = re.findall(r"^error[^:]*: (.*)$", stderr, re.M)
        helps = re.findall(r"^\s*help: (.*)$", stderr, re.M)
        wide_diesel = (code, errors[0].strip() if errors else "", helps[:2])
        log(f"diesel wide: exit {code}")

    load_end = os.getloadavg()
    elapsed = time.perf_counter() - began

    def ratio(values, orm):
        return statistics.median(values[orm]) / statistics.median(values["tablemodel"])

    lines = []
    source = (f"tablemodel built from {tm_path}" if args.tablemodel_path
              else "tablemodel built from a snapshot of HEAD")
    if args.tablemodel_path and dirty:
        source += " (the work tree had uncommitted changes)"
    lines.append(f"Build cost, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}, commit "
                 f"{commit} ({source}); {rustc}; {os.cpu_count()} cores ({cpu_model()}), "
                 f"`nice -n 19 cargo build -j {JOBS}`, dev profile; load average "
                 f"{load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end.")
    lines.append("")
    lines.append(f"Generated crate: {len(schema.models)} models, {schema.total_columns()} "
                 f"columns, {len(schema.models) - 1} foreign keys with their relationships; "
                 "tablemodel with create/public/update schemas on every model. Median of "
                 f"{args.runs} interleaved runs (min-max); ratios are the medians over "
                 "tablemodel's.")
    lines.append("")
    lines.append("| build | tablemodel | diesel | sea-orm | diesel / tablemodel "
                 "| sea-orm / tablemodel |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for title, values in [("clean build, dependencies compiled", clean),
                          ("rebuild after a one-line change", rebuild)]:
        lines.append(f"| {title} | {fmt(values['tablemodel'])} | {fmt(values['diesel'])} "
                     f"| {fmt(values['seaorm'])} | {ratio(values, 'diesel'):.2f} "
                     f"| {ratio(values, 'seaorm'):.2f} |")
    sizes = [source_lines(where(orm)[0]) for orm, _ in ORMS]
    lines.append(f"| generated source, lines | {sizes[0]} | {sizes[1]} | {sizes[2]} "
                 f"| {sizes[1] / sizes[0]:.2f} | {sizes[2] / sizes[0]:.2f} |")
    if not args.no_wide:
        lines.append("")
        lines.append(f"One table of {args.wide_columns} columns: tablemodel (with API schemas) "
                     f"compiles, clean build {fmt(wide_tm)}. ")
        code, error, helps = wide_diesel
        if code == 0:
            lines[-1] += "diesel's table! of the same width compiles."
        else:
            lines[-1] += (f"diesel's table! of the same width does not compile: "
                          f"`{error}` {' '.join(h.strip() for h in helps)}")
    lines.append("")
    lines.append(f"Whole run: {elapsed / 60:.1f} minutes.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
