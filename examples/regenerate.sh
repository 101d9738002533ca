#!/usr/bin/env bash
# Regenerates examples/evidence/: each project's evidence, collected by
# readiness itself from a real clone (and real benchmark results where they
# exist), and the report beside it. See examples/evidence/README.md.
#
# Usage: examples/regenerate.sh [--reports | --tables]
#   --reports re-renders only the reports from the committed evidence (after
#             a change in scoring), without the clones
#   --tables  prints the README's tables of category scores (needs jq)
#   MIRRORS   folder of bare clones named OWNER+NAME/repo (default /work/.mirror)
#   REALDATA  the shared real-data folder (default ../shared/realdata)
#   READINESS the binary to run (default: built here with cargo build --release)
#
# Everything is pinned: the window ends on UNTIL (tags dated after it are
# ignored when measuring), and SOURCE_DATE_EPOCH pins the collection time,
# so the same clones give the same files byte for byte. The clones are made
# in a temporary folder outside the repository and deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
MIRRORS=${MIRRORS:-/work/.mirror}
REALDATA=${REALDATA:-$repo/../shared/realdata}
if [ -z "${READINESS:-}" ]; then
    cargo build --quiet --release --locked
    READINESS=${CARGO_TARGET_DIR:-$repo/target}/release/readiness
fi
# The collection runs in a temporary folder where realdata links to
# REALDATA, so the locations written in the evidence (realdata/asv/...) are
# the same on every machine.
asv=realdata/asv
out=$repo/examples/evidence

# pandas-dev/pandas is too large to fetch here (1.49 GB), and a fork keeps
# the tags it had when it was made: the simonjayhawkins/pandas fork has every
# upstream tag up to v2.2.0.dev0 (2023-10-06), and pandas 2.1.2 came out on
# 2023-10-26. So every file is as of 2023-10-06, the last day on which the
# pandas evidence is complete, and the projects compare over one window.
UNTIL=2023-10-06
# 2023-10-06T23:59:59Z
export SOURCE_DATE_EPOCH=1696636799

# name, mirror, benchmark results (empty: none published that we can read)
projects=(
    "dask dask+dask $asv/dask__dask-benchmarks@gh-pages/results/dask"
    "distributed dask+distributed $asv/dask__dask-benchmarks@gh-pages/results/distributed"
    "pandas simonjayhawkins+pandas $asv/pandas-dev__pandas@gh-pages-41bd66a4"
    "numpy numpy+numpy"
    "xarray pydata+xarray"
    "polars pola-rs+polars"
)

render_reports() {
    for p in "${projects[@]}"; do
        read -r name _ <<<"$p"
        $READINESS report "examples/evidence/$name.json" -o "examples/evidence/$name.md"
    done
}
# One row per (project, end of window): the category scores and the overall
# score with its grade, under the rubric $1.
score_table() {
    echo "| project, as of | release cadence | responsiveness | tests | benchmarks | overall |"
    echo "|---|---:|---:|---:|---:|---|"
    for row in dask:2023-10-06 distributed:2023-10-06 pandas:2023-10-06 numpy:2023-10-06 \
        xarray:2023-10-06 polars:2023-10-06 dask:2026-07-12 distributed:2026-07-12 \
        numpy:2026-07-12 xarray:2026-07-12 polars:2026-07-12 pandas:2015-09-11 dask:2016-12-16; do
        name=${row%%:*}
        until=${row#*:}
        $READINESS report "examples/evidence/$name.json" --until "$until" --rubric "$1" \
            --format json --no-charts |
            jq -r --arg row "$name, $until" '
                def s: if . == null then "n/a" else (. * 10 | round / 10 | tostring) end;
                [$row] + [.categories[].score | s]
                + ["\(.score | s) (\(.grade)), coverage \(.coverage * 100 | round) %"]
                | "| " + join(" | ") + " |"'
    done
}
case "${1:-}" in
--reports)
    render_reports
    exit 0
    ;;
--tables)
    for rubric in default pydata; do
        echo "Rubric $rubric:"
        echo
        score_table "$rubric"
        echo
    done
    exit 0
    ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
ln -s "$(cd "$REALDATA" && pwd)" "$work/realdata"
for p in "${projects[@]}"; do
    read -r name mirror bench <<<"$p"
    # A bare clone without its origin: readiness then reads tags only and
    # does not try GitHub (which these machines cannot reach), and the
    # target is named after the folder.
    git clone --bare --quiet "$MIRRORS/$mirror/repo" "$work/$name"
    git -C "$work/$name" remote remove origin
    echo "$name: $mirror at $(git -C "$work/$name" rev-parse HEAD)" >&2
    args=(collect "$name" --until "$UNTIL" -o "$out/$name.json")
    if [ -n "${bench:-}" ]; then
        args+=(--asv "$bench")
    fi
    # Run from the clones' folder so that the evidence names "dask", not a temporary path.
    (cd "$work" && $READINESS "${args[@]}")
done
render_reports
