"""Evaluates the model on data/test.csv and writes metrics.json."""
import json

import numpy as np

from train import load


def main():
    model = np.load("models/model.npz", allow_pickle=False)
    x, y = load("data/test.csv")
    x = (x - model["mean"]) / model["std"]
    p = 1 / (1 + np.exp(-(x @ model["w"] + model["b"][0])))
    predicted = (p > 0.5).astype(int)
    tp = int(((predicted == 1) & (y == 1)).sum())
    fp = int(((predicted == 1) & (y == 0)).sum())
    fn = int(((predicted == 0) & (y == 1)).sum())
    metrics = {
        "accuracy": round(float((predicted == y).mean()), 4),
        "precision": round(tp / max(tp + fp, 1), 4),
        "recall": round(tp / max(tp + fn, 1), 4),
        "rows": {"test": int(len(y))},
    }
    with open("metrics.json", "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
