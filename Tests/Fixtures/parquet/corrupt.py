"""Writes broken Parquet files with pyarrow plus byte surgery, and a manifest of what mlci must say.

    corrupt.py OUTDIR      -> OUTDIR/manifest.json: [{"file", "expect": [substrings of the message]}]
"""
import json
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
table = pa.table({"x": pa.array(range(2000), pa.int64()), "y": pa.array([float(i) / 7 for i in range(2000)])})
cases = []


def write(name, data, expect):
    path = os.path.join(out, name)
    with open(path, "wb") as handle:
        handle.write(data)
    cases.append({"file": path, "expect": expect})


def source(**options):
    path = os.path.join(out, "source.parquet")
    pq.write_table(table, path, **options)
    with open(path, "rb") as handle:
        return bytearray(handle.read())


good = source(compression="NONE", row_group_size=1000)
write("truncated.parquet", bytes(good[:-100]), ["does not end with PAR1"])
footer_length = int.from_bytes(good[-8:-4], "little")
broken = bytearray(good)
start = len(good) - 8 - footer_length
broken[start:start + 12] = b"\xff" * 12
write("bad-footer.parquet", bytes(broken), ["footer metadata is corrupt"])
broken = bytearray(good)
broken[4:8] = b"\x0f\x0f\x0f\x0f"  # the first page header of row group 1, column x
write("bad-page-header.parquet", bytes(broken), ["row group 1, column 'x', page 1", "bad page header"])
broken = bytearray(good)
marker = broken.find(b"\x18\x01y\x15\x00", start)  # path_in_schema ["y"], then codec = 0
broken[marker + 4] = 0x10  # codec 8: no such codec
write("unknown-codec.parquet", bytes(broken), ["column 'y'", "unknown compression codec 8"])
checked = source(compression="SNAPPY", write_page_checksum=True, row_group_size=1000, use_dictionary=False)
meta = pq.ParquetFile(os.path.join(out, "source.parquet")).metadata
second = meta.row_group(1).column(1)  # row group 2, column y: flip a byte inside its first page's body
offset = second.data_page_offset + 400
checked[offset] ^= 0xFF
write("crc-mismatch.parquet", bytes(checked), ["row group 2, column 'y', page 1", "checksum"])
snappy = source(compression="SNAPPY", row_group_size=1000, use_dictionary=False)
chunk = pq.ParquetFile(os.path.join(out, "source.parquet")).metadata.row_group(0).column(0)
snappy[chunk.data_page_offset + 300: chunk.data_page_offset + 330] = b"\xfe" * 30
write("corrupt-snappy.parquet", bytes(snappy), ["row group 1, column 'x', page 1", "corrupt snappy block"])
nested = os.path.join(out, "nested.parquet")
pq.write_table(pa.table({"ok": [1, 2], "tags": pa.array([[1, 2], [3]], pa.list_(pa.int64()))}), nested)
cases.append({"file": nested, "expect": ["column 'tags' is a nested list column"]})
with open(os.path.join(out, "manifest.json"), "w") as handle:
    json.dump(cases, handle)
