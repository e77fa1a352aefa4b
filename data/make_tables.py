"""Regenerate the generated tables of the course (seeded, deterministic).

The tables ship inside the package, in ``mlpabc/data/``, so that every loader
of ``mlpabc.datasets`` works from an installed wheel. Run from the repository root::

    python data/make_tables.py            # rewrites the generated CSV files in mlpabc/data/
    python data/make_tables.py --check    # only verifies that the files are up to date

The rows the sources print are kept verbatim (``*_source.csv``) and are the
first rows of the larger companion tables; everything else is generated here
by the rules below, each written next to the code that applies it. See
mlpabc/data/README.md for the provenance of every file.

Only numpy is needed. All randomness comes from ``numpy.random.default_rng``
with the fixed seeds below (PCG64, whose streams numpy keeps stable across
versions); every value is rounded to an integer or to 0.1 before it is
written, which absorbs last-bit differences between linear-algebra libraries.
The package tests check that the shipped files equal this script's output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

#: Where the tables live: package data of mlpabc (read with importlib.resources).
DATA_DIR = Path(__file__).resolve().parent.parent / "mlpabc" / "data"

# Verbatim rows of the booklet (Li Sun Bowen, MLP ABC v0.2.2, 2023).
# Table 2.1 "exam scores": mock exam A, mock exam B -> final exam.
EXAM_SOURCE = np.array(
    [
        [85, 76, 80],
        [76, 83, 80],
        [90, 86, 87],
        [70, 80, 73],
    ],
    dtype=float,
)
# Table 2.3 "flower classification": petal length, petal width, serration depth -> species (1..4).
FLOWERS_SOURCE = np.array(
    [
        [23, 12, 2, 2],
        [12, 5, 0.5, 1],
        [32, 25, 5, 4],
        [70, 35, 9, 3],
    ],
    dtype=float,
)

SEED_HOUSE, SEED_EXAM, SEED_FLOWERS = 2020, 2023, 2024


def house_prices() -> tuple[list[str], np.ndarray]:
    """30 houses: area (m^2), floor -> price (10,000 CNY). Entirely generated.

    The slides (Chen Yunji et al., 2020) show their house data only in
    figures, without numbers, so no source row is available. Rule::

        area  ~ Uniform{40, ..., 150} m^2, integers, never 65 (the slides ask
                for the price of a 65 m^2 house that is not in the records)
        floor ~ Uniform{1, ..., 30}
        price = 5 + 1.2 * area + 0.4 * floor + N(0, 6^2), rounded to 0.1

    The table is sorted by area.
    """
    rng = np.random.default_rng(SEED_HOUSE)
    n = 30
    areas = np.setdiff1d(np.arange(40, 151), [65])
    area = np.sort(rng.choice(areas, size=n, replace=False)).astype(float)
    floor = rng.integers(1, 31, size=n).astype(float)
    price = np.round(5.0 + 1.2 * area + 0.4 * floor + rng.normal(0.0, 6.0, size=n), 1)
    return ["area", "floor", "price"], np.column_stack([area, floor, price])


def exam_scores() -> tuple[list[str], np.ndarray]:
    """200 students: mock_a, mock_b -> final. Rows 1-4 verbatim, rows 5-200 generated.

    Rule, computed from the four source rows only (nothing is invented):

    * (mock_a, mock_b) ~ bivariate normal with the sample mean and sample
      covariance (ddof=1) of the four source rows;
    * final = theta_0 + theta_1 * mock_a + theta_2 * mock_b + N(0, s^2), where
      theta is the least-squares fit to the four source rows and s^2 is its
      residual variance RSS / (4 - 3);
    * every score is rounded to an integer and clipped to [0, 100], as on the
      source's score sheet.

    The generated rows are in random order (nothing to sort by).
    """
    rng = np.random.default_rng(SEED_EXAM)
    n_new = 196
    mocks = EXAM_SOURCE[:, :2]
    final = EXAM_SOURCE[:, 2]
    design = np.column_stack([np.ones(len(mocks)), mocks])
    theta, rss, *_ = np.linalg.lstsq(design, final, rcond=None)
    sigma = float(np.sqrt(rss[0] / (len(final) - design.shape[1])))
    new_mocks = rng.multivariate_normal(mocks.mean(axis=0), np.cov(mocks.T), size=n_new)
    new_final = theta[0] + new_mocks @ theta[1:] + rng.normal(0.0, sigma, size=n_new)
    new = np.clip(np.round(np.column_stack([new_mocks, new_final])), 0, 100)
    return ["mock_a", "mock_b", "final"], np.vstack([EXAM_SOURCE, new])


def flowers() -> tuple[list[str], np.ndarray]:
    """200 flowers, 50 per species: 3 measurements -> species 1..4. Rows 1-4 verbatim.

    Rule: the source gives one flower per species; each generated flower of
    species k multiplies every measurement of the source's species-k flower
    by an independent factor exp(N(0, 0.15^2)) (about +-15 %, always positive),
    rounded to 0.1. 49 flowers per species are generated, so with the four
    source rows there are 50 of each; the generated rows are shuffled, so the
    last 30 % of the table (what Keras's ``validation_split=0.3`` takes)
    holds every species.
    """
    rng = np.random.default_rng(SEED_FLOWERS)
    per_species = 49
    rows = []
    for centre in FLOWERS_SOURCE[np.argsort(FLOWERS_SOURCE[:, 3])]:
        factors = np.exp(rng.normal(0.0, 0.15, size=(per_species, 3)))
        measurements = np.round(centre[:3] * factors, 1)
        rows.append(np.column_stack([measurements, np.full(per_species, centre[3])]))
    generated = np.vstack(rows)[rng.permutation(4 * per_species)]
    names = ["petal_length", "petal_width", "serration_depth", "species"]
    return names, np.vstack([FLOWERS_SOURCE, generated])


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def to_csv(names: list[str], rows: np.ndarray) -> str:
    """The table as CSV text: a header of English column names, one row per line."""
    lines = [",".join(names)] + [",".join(_fmt(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def tables() -> dict[str, str]:
    """File name -> CSV text of every table this script owns."""
    exam_names, exam = exam_scores()
    flower_names, flower = flowers()
    return {
        "house_prices.csv": to_csv(*house_prices()),
        "exam_scores_source.csv": to_csv(exam_names, EXAM_SOURCE),
        "exam_scores.csv": to_csv(exam_names, exam),
        "flowers_source.csv": to_csv(flower_names, FLOWERS_SOURCE),
        "flowers.csv": to_csv(flower_names, flower),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    stale = []
    for name, text in tables().items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print("out of date:", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
