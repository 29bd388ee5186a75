"""Randomized differential test of mlci's gate.data and drift against Great Expectations 1.x and Evidently 0.7.

    differential.py MLCI WORKDIR [SEED] [TABLES]

Generates TABLES (default 64) random tables as CSV (every other one also handed to mlci as
Parquet, written by pandas from what pandas read): missing values in every spelling pandas
knows (quoted too), unicode, numbers with spaces, 1/1.0/1e0, booleans, text mixed into
numbers. pandas reads each file; GX validates random expectations on the frame; mlci checks
the same file with the same expectations in mlci.yaml. Every pass/fail decision and
unexpected count must agree, or both must refuse (GX raises, mlci exits 2). Then a random
reference/current pair per table: Evidently's DataDriftPreset against `mlci check drift`
(method per column, drifted or not, dataset drift). Prints the seed; exits 1 on a difference.
"""
import csv
import io
import json
import os
import random
import subprocess
import sys
import warnings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import great_expectations as gx  # noqa: E402
from evidently import Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

mlci, work = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else random.SystemRandom().randrange(2**31)
tables = int(sys.argv[4]) if len(sys.argv) > 4 else 64
print(f"seed {seed} (rerun: differential.py MLCI WORKDIR {seed} {tables})", flush=True)
rng = random.Random(seed)
os.makedirs(work + "/data", exist_ok=True)
subprocess.run(["git", "init", "-q", work], check=True)

MISSING = ["", "NA", '"NA"', "null", '"null"', "NaN", "N/A", '""']
WORDS = ["a", "b", "Ü", "東京", "x y", "🙂", "1", "True"]

context = gx.get_context(mode="ephemeral")
asset = context.data_sources.add_pandas("p").add_dataframe_asset("a")
batch_definition = asset.add_batch_definition_whole_dataframe("bd")


def cell(kind):
    """One CSV field as written (already quoted where quoting is part of the test)."""
    if rng.random() < 0.12:
        return rng.choice(MISSING)
    if kind == "num":
        value = rng.choice([rng.randrange(-5, 20), round(rng.uniform(-5, 20), 2)])
        spelled = rng.choice([str(value), str(value), f" {value} ", f"{value} ", "1", "1.0", "1e0"])
        return spelled
    if kind == "txt":
        word = rng.choice(WORDS)
        return f'"{word}"' if rng.random() < 0.3 or " " in word else word
    return rng.choice(["True", "False", "true", "FALSE"])


def make_table(index):
    rows = rng.randrange(8, 40)
    kinds = {"num": "num", "txt": "txt", "flag": "flag"}
    columns = {name: [cell(kind) for _ in range(rows)] for name, kind in kinds.items()}
    if rng.random() < 0.2:  # text mixed into numbers: pandas gives an object column
        columns["num"][rng.randrange(rows)] = rng.choice(["abc", "Ü", "1,5"])
    if rng.random() < 0.5:  # booleans without missing values stay bool
        columns["flag"] = [rng.choice(["True", "False"]) for _ in range(rows)]
    lines = [",".join(columns)]
    for r in range(rows):
        fields = []
        for name in columns:
            value = columns[name][r]
            if "," in value and not value.startswith('"'):
                value = '"' + value + '"'
            fields.append(value)
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


def expectations():
    mostly = rng.choice([1.0, 1.0, 0.9, 0.75])
    strict = rng.random() < 0.3
    low, high = sorted([rng.randrange(-5, 10), rng.randrange(0, 25)])
    spec = {"mostly": mostly}
    if strict:
        spec["strict"] = True
    chosen = []
    E = gx.expectations
    if rng.random() < 0.7:
        column = rng.choice(["num", "txt", "flag"])
        spec["not_null"] = [column]
        chosen.append(("data.not_null", column, E.ExpectColumnValuesToNotBeNull(column=column, mostly=mostly)))
    if rng.random() < 0.7:
        column = rng.choice(["num", "txt"])
        spec["unique"] = [column]
        chosen.append(("data.unique", column, E.ExpectColumnValuesToBeUnique(column=column, mostly=mostly)))
    if rng.random() < 0.8:
        column = "num" if rng.random() < 0.85 else "txt"
        spec["between"] = {column: [low, high]}
        chosen.append(("data.between", column, E.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high,
                                                                              strict_min=strict, strict_max=strict, mostly=mostly)))
    sets = {}
    if rng.random() < 0.7:
        sets["txt"] = rng.sample(WORDS, 4)
    if rng.random() < 0.5:
        sets["flag"] = rng.choice([[True], [False, True], ["True"], [1]])
    if rng.random() < 0.4:
        sets["num"] = rng.sample([1, 2.0, 3, 5, True, "1", 7.5, -1], 4)
    if sets:
        spec["in_set"] = sets
        for column, members in sets.items():
            chosen.append(("data.in_set", column, E.ExpectColumnValuesToBeInSet(column=column, value_set=members, mostly=mostly)))
    if rng.random() < 0.6:
        column = "num" if rng.random() < 0.8 else "txt"
        spec["mean_between"] = {column: [low, high]}
        chosen.append(("data.mean", column, E.ExpectColumnMeanToBeBetween(column=column, min_value=low, max_value=high,
                                                                          strict_min=strict, strict_max=strict)))
    return spec, chosen


def gx_results(frame, chosen):
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    out = []
    for rule, column, expectation in chosen:
        result = batch.validate(expectation).to_json_dict()
        info = result["exception_info"] or {}
        raised = info.get("raised_exception") or any(isinstance(v, dict) and v.get("raised_exception") for v in info.values())
        if raised:
            out.append((rule, column, "error", None))
        else:
            out.append((rule, column, result["success"], result["result"].get("unexpected_count")))
    return out


def yaml_value(value):
    return json.dumps(value, ensure_ascii=False)


def run_mlci(*arguments):
    return subprocess.run([mlci, *arguments], capture_output=True, text=True, cwd=work)


failures = 0
agreed = refused = 0
for index in range(tables):
    text = make_table(index)
    name = f"data/t{index}.csv"
    with open(os.path.join(work, name), "w", encoding="utf-8") as handle:
        handle.write(text)
    frame = pd.read_csv(io.StringIO(text))
    target = name
    if index % 2 == 1:
        target = f"data/t{index}.parquet"
        try:
            frame.to_parquet(os.path.join(work, target))
        except Exception:  # pyarrow refuses mixed object columns; keep the CSV
            target = name
    spec, chosen = expectations()
    with open(os.path.join(work, "mlci.yaml"), "w", encoding="utf-8") as handle:
        handle.write(f"version: 1\ngate:\n  data:\n    {target}: {yaml_value(spec)}\n")
    want = gx_results(frame, chosen)
    got = run_mlci("check", "data", "--json", target)
    problems = []
    if any(r[2] == "error" for r in want):
        if got.returncode != 2:
            problems.append(f"GX raises on {[r[:2] for r in want if r[2] == 'error']}, mlci exit {got.returncode}")
        else:
            refused += 1
    elif got.returncode not in (0, 1):
        problems.append(f"mlci exit {got.returncode}: {got.stderr.strip()}")
    else:
        checks = json.loads(got.stdout)["checks"]
        for rule, column, success, unexpected in want:
            match = [c for c in checks if c["check"] == rule and c["subject"].endswith(":" + column)
                     or c["check"] == rule and c["subject"].endswith(f":{rule[5:]}({column})")]
            if not match:
                problems.append(f"{rule} {column}: no mlci finding")
                continue
            finding = match[0]
            mine = finding["outcome"] == "passed"
            count = (finding.get("observed") or {}).get("unexpected_count") if isinstance(finding.get("observed"), dict) else None
            if mine != success or (unexpected is not None and count != unexpected):
                problems.append(f"{rule} {column}: GX {success}/{unexpected}, mlci {finding['outcome']}/{count}")
        if not problems:
            agreed += 1

    # Drift: Evidently's DataDriftPreset against mlci check drift on a random pair.
    def drift_frame(n, shift):
        k_high = rng.randrange(2, 9)
        x = [rng.gauss(shift, 1) for _ in range(n)]
        for _ in range(rng.randrange(0, 3)):
            x[rng.randrange(n)] = rng.choice([float("inf"), float("-inf"), float("nan")])
        return pd.DataFrame({
            "x": x,
            "k": [rng.randrange(0, k_high) for _ in range(n)],
            "w": [rng.randrange(0, 500 + int(shift * 100)) for _ in range(n)],
            "c": [rng.choice(["a", "b", "Ü", "d"][: rng.choice([2, 3, 4])]) for _ in range(n)],
        })
    shift = rng.choice([0, 0, 0.3, 1])
    reference = drift_frame(rng.randrange(30, 300), 0)
    current = drift_frame(rng.randrange(30, 300), shift)
    ref_path, cur_path = f"data/r{index}.csv", f"data/c{index}.csv"
    reference.to_csv(os.path.join(work, ref_path), index=False)
    current.to_csv(os.path.join(work, cur_path), index=False)
    if index % 2 == 1:
        reference = pd.read_csv(os.path.join(work, ref_path))
        current = pd.read_csv(os.path.join(work, cur_path))
        ref_path, cur_path = f"data/r{index}.parquet", f"data/c{index}.parquet"
        reference.to_parquet(os.path.join(work, ref_path))
        current.to_parquet(os.path.join(work, cur_path))
    else:
        reference = pd.read_csv(os.path.join(work, ref_path))
        current = pd.read_csv(os.path.join(work, cur_path))
    snapshot = Report([DataDriftPreset()]).run(current_data=Dataset.from_pandas(current), reference_data=Dataset.from_pandas(reference))
    methods = {"K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
               "Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon"}
    evidently = {}
    share = None
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config["type"].endswith("ValueDrift"):
            method = methods.get(config["method"], config["method"])
            value = metric["value"]
            drifted = value <= config["threshold"] if method == "ks" else value < config["threshold"] if method in ("chisquare", "z") else value >= config["threshold"]
            evidently[config["column"]] = (method, drifted)
        elif config["type"].endswith("DriftedColumnsCount"):
            share = metric["value"]["share"]
    got = run_mlci("check", "drift", "--json", "--reference", ref_path, "--current", cur_path)
    if got.returncode not in (0, 1):
        problems.append(f"drift: mlci exit {got.returncode}: {got.stderr.strip()}")
    else:
        result = json.loads(got.stdout)
        mine = {c["column"]: (c["method"], c["drifted"]) for c in result["columns"]}
        if mine != evidently:
            problems.append(f"drift: Evidently {evidently}, mlci {mine}")
        if share is not None and (share >= 0.5) != result["dataset_drift"]:
            # Evidently 0.7 counts drifted columns through its legacy calculation, which treats
            # +-inf differently from the per-column ValueDrift metrics it reports beside the count
            # (seen: one column K-S p 0.0501 in ValueDrift, 0.0391 in the count). mlci follows the
            # per-column metrics; where the count contradicts them the table is noted, not failed.
            implied = sum(drifted for _, drifted in evidently.values()) / max(1, len(evidently))
            if (implied >= 0.5) == result["dataset_drift"] and mine == evidently:
                print(f"table {index}: note: Evidently's drifted-column share {share} contradicts its own per-column results ({implied}); mlci agrees with the per-column results", flush=True)
            else:
                problems.append(f"drift: Evidently share {share}, mlci dataset_drift {result['dataset_drift']}")
    if problems:
        failures += 1
        print(f"table {index} ({target}): DIFFERS: " + "; ".join(problems), flush=True)
print(f"{tables} tables: expectations agreed on {agreed}, both refused {refused}; {failures} differ")
sys.exit(1 if failures else 0)
