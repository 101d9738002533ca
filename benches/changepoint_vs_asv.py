#!/usr/bin/env python3
# Run the whole comparison with:
#   cargo bench --bench changepoint && python3 benches/changepoint_vs_asv.py
#
# Reads the 1,000 series written by `cargo bench --bench changepoint`
# (target/changepoint/), runs asv's own step detection
# (asv.step_detect.detect_steps, installed with `pip install asv` if missing)
# on each, times it, and compares its steps with ours.
#
# A step is the start index of every segment but the first. Two steps of the
# same series match when they are at most 2 points apart (one-to-one, greedy
# in order). Agreement is printed both ways: matched / asv's steps (how many
# of asv's steps we find) and matched / our steps (how many of ours asv
# finds), plus the symmetric matched / max(ours, asv's) summed over series.
# Series with no step on either side count as agreeing series.

import importlib
import json
import os
import subprocess
import sys
import time

try:
    import asv
    import asv.step_detect as step_detect
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "asv"])
    importlib.invalidate_caches()
    import asv
    import asv.step_detect as step_detect

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "..", "target", "changepoint")
TOLERANCE = 2
# asv is timed this many times (ASV_RUNS), the median reported.
RUNS = int(os.environ.get("ASV_RUNS", "3"))


def read_rows(name, kind):
    with open(os.path.join(DIR, name)) as f:
        return [[kind(v) for v in line.split()] for line in f]


def match(a, b, tol=TOLERANCE):
    """Number of one-to-one matches between sorted position lists."""
    i = j = m = 0
    while i < len(a) and j < len(b):
        if abs(a[i] - b[j]) <= tol:
            m += 1
            i += 1
            j += 1
        elif a[i] < b[j]:
            i += 1
        else:
            j += 1
    return m


def main():
    series = read_rows("series.txt", float)
    ours = read_rows("steps.txt", int)
    truth = read_rows("truth.txt", int)
    with open(os.path.join(DIR, "timing.json")) as f:
        timing = json.load(f)

    native = step_detect._rangemedian is not None
    asv_runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        theirs = []
        for y in series:
            steps = step_detect.detect_steps(y)
            theirs.append([left for left, _, _, _, _ in steps[1:]])
        asv_runs.append(time.perf_counter() - started)
    asv_runs.sort()
    asv_s = asv_runs[len(asv_runs) // 2]
    ours_s = timing["median_s"]
    ours_par = timing.get("parallel_median_s")
    threads = timing.get("threads", 1)

    matched = sum(match(a, b) for a, b in zip(ours, theirs))
    n_ours = sum(map(len, ours))
    n_asv = sum(map(len, theirs))
    sym = matched / max(n_ours, n_asv) if max(n_ours, n_asv) else 1.0
    same_series = sum(
        1 for a, b in zip(ours, theirs) if len(a) == len(b) == match(a, b)
    )
    n_true = sum(map(len, truth))
    ours_true = sum(match(a, t) for a, t in zip(ours, truth))
    asv_true = sum(match(a, t) for a, t in zip(theirs, truth))

    print(f"series: {len(series)} x {len(series[0]) if series else 0} points")
    print(f"asv {asv.__version__} step_detect.detect_steps "
          f"(C range median: {'yes' if native else 'no'}), one thread: "
          f"median of {RUNS} runs {asv_s:.2f} s (runs: "
          f"{' '.join(f'{t:.2f}' for t in asv_runs)})")
    print(f"ours, one thread (median of {len(timing['runs_s'])} runs): {ours_s:.3f} s, "
          f"peak memory {timing['peak_kib'] / 1024:.1f} MiB")
    print(f"time ratio asv / ours, one thread each: {asv_s / ours_s:.1f}x")
    if ours_par:
        print(f"ours on {threads} threads (as readiness runs): {ours_par:.3f} s; "
              f"ratio asv / ours: {asv_s / ours_par:.1f}x")
    print(f"steps: ours {n_ours}, asv {n_asv}, matched within {TOLERANCE} points {matched}")
    print(f"agreement: {matched / n_asv if n_asv else 1:.1%} of asv's steps found by us, "
          f"{matched / n_ours if n_ours else 1:.1%} of ours found by asv, "
          f"symmetric matched/max {sym:.1%}")
    print(f"series with identical step sets (within {TOLERANCE}): "
          f"{same_series}/{len(series)}")
    print(f"against the generated truth ({n_true} steps): ours recall "
          f"{ours_true / n_true:.1%} precision {ours_true / max(n_ours, 1):.1%}; "
          f"asv recall {asv_true / n_true:.1%} precision {asv_true / max(n_asv, 1):.1%}")

    with open(os.path.join(DIR, "asv_steps.txt"), "w") as f:
        for row in theirs:
            f.write(" ".join(map(str, row)) + "\n")


if __name__ == "__main__":
    main()
