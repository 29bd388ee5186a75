#!/usr/bin/env python3
"""Writes reference.csv and current.csv for the drift benchmark: ROWS rows of 10 numeric
columns (normal, shifted, log-normal, uniform, exponential, Poisson, scaled, bimodal,
Student t), drawn from one seeded numpy generator, values written with 6 decimals.

  drift_data.py OUTDIR [ROWS] [SEED]
"""
import os
import sys

import numpy as np


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 20261121)
    os.makedirs(out, exist_ok=True)

    def mixture(n, weight):
        left = rng.random(n) < weight
        return np.where(left, rng.normal(-2, 1, n), rng.normal(2, 1, n))

    makers = [
        ("normal", lambda n, cur: rng.normal(0, 1, n)),
        ("normal_tiny", lambda n, cur: rng.normal(0.004 if cur else 0, 1, n)),
        ("normal_shift", lambda n, cur: rng.normal(0.02 if cur else 0, 1, n)),
        ("lognormal", lambda n, cur: rng.lognormal(0.1 if cur else 0, 0.5, n)),
        ("uniform", lambda n, cur: rng.uniform(0, 1.01 if cur else 1, n)),
        ("exponential", lambda n, cur: rng.exponential(1.01 if cur else 1, n)),
        ("poisson", lambda n, cur: rng.poisson(3.03 if cur else 3, n).astype(float)),
        ("normal_scale", lambda n, cur: rng.normal(10, 2.1 if cur else 2, n)),
        ("bimodal", lambda n, cur: mixture(n, 0.55 if cur else 0.5)),
        ("student_t", lambda n, cur: rng.standard_t(5, n)),
    ]
    for name, current in (("reference.csv", False), ("current.csv", True)):
        columns = [make(rows, current) for _, make in makers]
        table = np.column_stack(columns)
        np.savetxt(os.path.join(out, name), table, fmt="%.6f", delimiter=",",
                   header=",".join(n for n, _ in makers), comments="")


if __name__ == "__main__":
    main()
