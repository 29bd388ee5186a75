"""Writes a matrix of Parquet files with pyarrow and checks that mlci reads every cell as pandas does.

    matrix.py OUTDIR MLCI [SEED]

Every physical and logical type mlci reads, every encoding, both data page versions, every
codec, nulls, several row groups and small pages; one file per variant. For each file,
`mlci check data FILE --dump` must give the values `pandas.read_parquet` (pyarrow) gives.
Then a 1,000,000-row file: `--dump-summary` against pandas' count/sum/min/max per column.
Prints the seed, one line per file, and exits 1 on any difference.
"""
import datetime
import decimal
import json
import math
import os
import random
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

out, mlci = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else random.SystemRandom().randrange(2**31)
print(f"seed {seed} (rerun: matrix.py OUTDIR MLCI {seed})")
rng = random.Random(seed)
os.makedirs(out, exist_ok=True)
N = 700


def maybe(value, p=0.15):
    return None if rng.random() < p else value


WORDS = ["alpha", "béta", "γάμμα", "дельта", "东京", "emoji 🙂", "", "NA", "null", " spaced ", "a,b", 'quote"d']
EPOCH = datetime.datetime(1970, 1, 1)


def table():
    ts = [maybe(rng.randrange(-2_000_000_000_000_000, 4_000_000_000_000_000_000)) for _ in range(N)]
    cols = {
        "i8": pa.array([maybe(rng.randrange(-128, 128)) for _ in range(N)], pa.int8()),
        "i16": pa.array([maybe(rng.randrange(-32768, 32768)) for _ in range(N)], pa.int16()),
        "i32": pa.array([maybe(rng.randrange(-2**31, 2**31)) for _ in range(N)], pa.int32()),
        "i64": pa.array([maybe(rng.randrange(-2**63, 2**63)) for _ in range(N)], pa.int64()),
        "i64req": pa.array([rng.randrange(-10**6, 10**6) for _ in range(N)], pa.int64()),
        "u8": pa.array([maybe(rng.randrange(0, 256)) for _ in range(N)], pa.uint8()),
        "u16": pa.array([maybe(rng.randrange(0, 65536)) for _ in range(N)], pa.uint16()),
        "u32": pa.array([rng.randrange(0, 2**32) for _ in range(N)], pa.uint32()),
        "u64": pa.array([rng.randrange(0, 2**64) for _ in range(N)], pa.uint64()),
        "f32": pa.array([maybe(rng.choice([rng.uniform(-1e6, 1e6), float("nan"), float("inf"), -0.0, 1.5])) for _ in range(N)], pa.float32()),
        "f64": pa.array([maybe(rng.choice([rng.gauss(0, 1e3), float("nan"), float("-inf"), 1e-300, 2.0**60])) for _ in range(N)], pa.float64()),
        "f64req": pa.array([rng.random() for _ in range(N)], pa.float64()),
        "flag": pa.array([maybe(rng.random() < 0.5) for _ in range(N)], pa.bool_()),
        "flagreq": pa.array([rng.random() < 0.3 for _ in range(N)], pa.bool_()),
        "text": pa.array([maybe(rng.choice(WORDS) + str(rng.randrange(50))) for _ in range(N)], pa.string()),
        "cat": pa.array([maybe(rng.choice(WORDS)) for _ in range(N)], pa.string()).dictionary_encode(),
        "day": pa.array([maybe(datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(0, 80000))) for _ in range(N)], pa.date32()),
        "ts_ms": pa.array([None if t is None else t // 1_000_000 for t in ts], pa.timestamp("ms")),
        "ts_us": pa.array([None if t is None else t // 1000 for t in ts], pa.timestamp("us")),
        "ts_ns": pa.array([None if t is None else t % (2**62) for t in ts], pa.timestamp("ns")),
        "ts_ms_utc": pa.array([None if t is None else t // 1_000_000 for t in ts], pa.timestamp("ms", tz="UTC")),
        "ts_us_utc": pa.array([None if t is None else t // 1000 for t in ts], pa.timestamp("us", tz="UTC")),
        "ts_ns_utc": pa.array([None if t is None else t % (2**62) for t in ts], pa.timestamp("ns", tz="UTC")),
        "dec5": pa.array([maybe(decimal.Decimal(rng.randrange(-99999, 100000)).scaleb(-2)) for _ in range(N)], pa.decimal128(5, 2)),
        "dec15": pa.array([maybe(decimal.Decimal(rng.randrange(-10**15 + 1, 10**15)).scaleb(-3)) for _ in range(N)], pa.decimal128(15, 3)),
        "dec30": pa.array([maybe(decimal.Decimal(rng.randrange(-10**30 + 1, 10**30)).scaleb(-4)) for _ in range(N)], pa.decimal128(30, 4)),
    }
    return pa.table(cols)


def canonical(value, dtype):
    """A pandas cell in the text mlci prints for it (None for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def compare(path, label):
    frame = pd.read_parquet(path)
    run = subprocess.run([mlci, "check", "data", path, "--dump"], capture_output=True, text=True)
    if run.returncode != 0:
        return [f"mlci exit {run.returncode}: {run.stderr.strip()}"]
    dump = json.loads(run.stdout)
    problems = []
    names = [c["name"] for c in dump["columns"]]
    if names != list(frame.columns):
        return [f"columns {names} != pandas {list(frame.columns)}"]
    for column in dump["columns"]:
        series = frame[column["name"]]
        for row, (got, value) in enumerate(zip(column["values"], series.tolist())):
            want = canonical(value, series.dtype)
            if isinstance(want, float):
                ok = got is not None and float(got) == want and (math.copysign(1, float(got)) == math.copysign(1, want) or want != 0)
            else:
                ok = got == want
            if not ok:
                problems.append(f"{column['name']} row {row}: mlci {got!r}, pandas {want!r}")
                break
        if len(column["values"]) != len(series):
            problems.append(f"{column['name']}: {len(column['values'])} rows, pandas {len(series)}")
    return problems


base = table()
no_unsigned64 = base.drop(["u64"])  # BYTE_STREAM_SPLIT etc. need the column list
variants = []
for codec in ["NONE", "SNAPPY", "GZIP", "ZSTD", "LZ4", "BROTLI"]:
    for page in ["1.0", "2.0"]:
        variants.append((f"{codec.lower()}-v{page[0]}-dict", base, dict(compression=codec, data_page_version=page, use_dictionary=True)))
        variants.append((f"{codec.lower()}-v{page[0]}-plain", base, dict(compression=codec, data_page_version=page, use_dictionary=False)))
ints = ["i8", "i16", "i32", "i64", "i64req", "u8", "u16", "u32", "u64"]
for page in ["1.0", "2.0"]:
    variants.append((f"delta-binary-v{page[0]}", base, dict(data_page_version=page, use_dictionary=False,
                                                          column_encoding={c: "DELTA_BINARY_PACKED" for c in ints})))
    variants.append((f"delta-length-v{page[0]}", base, dict(data_page_version=page, use_dictionary=False,
                                                          column_encoding={"text": "DELTA_LENGTH_BYTE_ARRAY"})))
    variants.append((f"delta-byte-array-v{page[0]}", base, dict(data_page_version=page, use_dictionary=False,
                                                              column_encoding={"text": "DELTA_BYTE_ARRAY", "dec5": "DELTA_BYTE_ARRAY", "dec30": "DELTA_BYTE_ARRAY"})))
    variants.append((f"byte-stream-split-v{page[0]}", base, dict(data_page_version=page, use_dictionary=False,
                                                               column_encoding={c: "BYTE_STREAM_SPLIT" for c in ["f32", "f64", "f64req", "i32", "i64", "dec15"]})))
    variants.append((f"rle-bool-v{page[0]}", base, dict(data_page_version=page, use_dictionary=False, column_encoding={"flag": "RLE", "flagreq": "RLE"})))
variants += [
    ("format-1.0-plain-dictionary", base, dict(version="1.0", coerce_timestamps="us", allow_truncated_timestamps=True)),
    ("row-groups-and-small-pages", base, dict(row_group_size=97, data_page_size=256, compression="ZSTD")),
    ("row-groups-v2-small-pages", base, dict(row_group_size=250, data_page_size=300, data_page_version="2.0", compression="GZIP")),
    ("page-checksums", base, dict(write_page_checksum=True, row_group_size=300)),
    ("decimal-as-integer", base, dict(store_decimal_as_integer=True)),
    ("int96-timestamps", base.select(["ts_us", "ts_ns", "i32"]), dict(use_deprecated_int96_timestamps=True)),
    ("no-arrow-schema", base, dict(store_schema=False)),
]
failures = 0
for name, data, options in variants:
    path = os.path.join(out, f"{name}.parquet")
    pq.write_table(data, path, **options)
    problems = compare(path, name)
    status = "ok" if not problems else "DIFFERS: " + "; ".join(problems[:5])
    print(f"{name}: {status}")
    failures += bool(problems)

# A million rows, several row groups: statistics only.
big = os.path.join(out, "million.parquet")
nrng = np.random.default_rng(seed)
million = pa.table({
    "x": pa.array(nrng.normal(size=1_000_000)),
    "n": pa.array(nrng.integers(-10**9, 10**9, size=1_000_000)),
    "f": pa.array(np.where(nrng.random(1_000_000) < 0.1, np.nan, nrng.random(1_000_000)).astype(np.float32)),
    "m": pa.array(nrng.integers(0, 100, size=1_000_000), mask=nrng.random(1_000_000) < 0.2),
})
pq.write_table(million, big, row_group_size=300_000)
frame = pd.read_parquet(big)
run = subprocess.run([mlci, "check", "data", big, "--dump-summary"], capture_output=True, text=True)
if run.returncode != 0:
    print(f"million: mlci exit {run.returncode}: {run.stderr.strip()}")
    failures += 1
else:
    summary = {c["name"]: c for c in json.loads(run.stdout)["columns"]}
    problems = []
    for name in frame.columns:
        s = frame[name].dropna().astype("float64")
        got = summary[name]
        if got["count"] != len(s) or got["min"] != s.min() or got["max"] != s.max() or not math.isclose(got["sum"], math.fsum(s), rel_tol=1e-9, abs_tol=1e-6):
            problems.append(f"{name}: mlci {got}, pandas count {len(s)} sum {math.fsum(s)} min {s.min()} max {s.max()}")
    print("million: " + ("ok" if not problems else "DIFFERS: " + "; ".join(problems)))
    failures += bool(problems)
print(f"{len(variants) + 1} files, {failures} differ")
sys.exit(1 if failures else 0)
