"""Trains a logistic-regression churn classifier with numpy only.

Writes models/model.npz: plain arrays (no pickle), safe to load and to scan.
"""
import os

import numpy as np

from prepare import read_params


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def main():
    p = read_params()["train"]
    x, y = load("data/train.csv")
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    x = (x - mean) / std
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(p["epochs"]):
        z = 1 / (1 + np.exp(-(x @ w + b)))
        grad_w = x.T @ (z - y) / len(y) + p["l2"] * w
        grad_b = float(np.mean(z - y))
        w -= p["lr"] * grad_w
        b -= p["lr"] * grad_b
    os.makedirs("models", exist_ok=True)
    np.savez("models/model.npz", w=w, b=np.array([b]), mean=mean, std=std)


if __name__ == "__main__":
    main()
