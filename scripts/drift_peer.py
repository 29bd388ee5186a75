#!/usr/bin/env python3
"""The peer mlci's drift check replaces: pandas.read_csv (or read_parquet with pyarrow), scipy.stats.ks_2samp (method
'auto') and a numpy PSI over reference-quantile bins, per column. Prints
column, KS D, KS p-value, PSI as tab-separated lines.

  drift_peer.py REFERENCE.csv|.parquet CURRENT.csv|.parquet
"""
import sys

import numpy as np
import pandas as pd
from scipy import stats


def psi(reference, current, bins=10, eps=1e-4):
    edges = np.unique(np.quantile(reference, np.arange(1, bins) / bins))
    r = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=len(edges) + 1) / len(reference)
    c = np.bincount(np.searchsorted(edges, current, side="right"), minlength=len(edges) + 1) / len(current)
    r = np.maximum(r, eps)
    c = np.maximum(c, eps)
    return float(np.sum((c - r) * np.log(c / r)))


def main():
    read = pd.read_parquet if sys.argv[1].endswith(".parquet") else pd.read_csv  # pyarrow engine
    reference = read(sys.argv[1])
    current = read(sys.argv[2])
    for column in reference.columns:
        a = reference[column].to_numpy()
        b = current[column].to_numpy()
        result = stats.ks_2samp(a, b)
        print(f"{column}\t{result.statistic!r}\t{result.pvalue!r}\t{psi(a, b)!r}")


if __name__ == "__main__":
    main()
