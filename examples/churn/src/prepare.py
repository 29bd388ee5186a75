"""Generates the churn data set: a CSV of customers and whether they left.

Deterministic for a given data.seed, so every run of a commit makes the same bytes.
"""
import os

import numpy as np


def read_params(path="params.yaml"):
    """A tiny reader for the two-level params.yaml (keeps the example numpy-only)."""
    params, section = {}, None
    for line in open(path):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            section = line.split(":")[0].strip()
            params[section] = {}
        else:
            key, value = (part.strip() for part in line.split(":", 1))
            params[section][key] = float(value) if any(c in value for c in ".e") else int(value)
    return params


def main():
    p = read_params()["data"]
    rng = np.random.default_rng(p["seed"])
    n = p["rows"]
    tenure = rng.integers(1, 72, n)
    monthly = rng.normal(70, 20, n).clip(15, 150)
    tickets = rng.poisson(1.5, n)
    logit = 1.0 - 0.05 * tenure + 0.03 * (monthly - 70) + 0.6 * tickets + rng.normal(0, p["noise"], n)
    churned = (logit > 0).astype(int)
    os.makedirs("data", exist_ok=True)
    split = int(n * 0.8)
    for name, rows in (("train", slice(0, split)), ("test", slice(split, n))):
        with open(f"data/{name}.csv", "w") as f:
            f.write("tenure,monthly,tickets,churned\n")
            for t, m, k, y in zip(tenure[rows], monthly[rows], tickets[rows], churned[rows]):
                f.write(f"{t},{m:.2f},{k},{y}\n")


if __name__ == "__main__":
    main()
