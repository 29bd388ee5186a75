#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ (swiftc -sanitize=fuzzer,address, compiled together
# with MLCIModelScan's and MLCISupport's sources) and runs each for a bounded time on a seed
# corpus. Usage: scripts/fuzz.sh [SECONDS_PER_HARNESS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-5}"
OUT=.build/fuzz
mkdir -p "$OUT"
PY="${MLCI_PYTHON:-python3}"
# Seeds: small valid files of each format, written by the real libraries where present.
"$PY" - "$OUT/seeds" <<'PYEOF'
import io, json, os, pickle, struct, sys, zipfile, collections
root = sys.argv[1]
for d in ("pickle", "zip", "npy", "header", "keras", "hdf5"):
    os.makedirs(os.path.join(root, d), exist_ok=True)
def put(d, name, data):
    open(os.path.join(root, d, name), "wb").write(data)
objs = [{"a": [1, 2.5, "x", b"y", None, True]}, collections.OrderedDict(a=1), (1, frozenset([2])), "é"]
for p in range(6):
    for i, o in enumerate(objs):
        put("pickle", f"p{p}_{i}", pickle.dumps(o, protocol=p))
put("pickle", "global", b"cos\nsystem\n(S'id'\ntR.")
# Recursive structures (a list, a dict and an object's state holding themselves): cycles the
# scanner must free (LeakSanitizer), and the input the hdf5 harness once leaked on.
class Node: pass
me = []; me.append(me)
mine = {}; mine["self"] = mine
node = Node(); node.loop = (node, [node])
for p in range(6):
    put("pickle", f"cycle_list{p}", pickle.dumps(me, protocol=p))
    put("pickle", f"cycle_dict{p}", pickle.dumps(mine, protocol=p))
    put("pickle", f"cycle_state{p}", pickle.dumps(node, protocol=p))
put("pickle", "leak_append_self", bytes.fromhex("5d5d5d5d5d3232326132325d4d5d5d55010000ff00"))
put("pickle", "stack_global", b"\x80\x04\x8c\x02os\x8c\x06system\x93.")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("archive/data.pkl", pickle.dumps([1, 2], protocol=2)); z.writestr("archive/version", "3\n")
put("zip", "torch", buf.getvalue())
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
header += " " * (63 - len(header) % 64) + "\n"
put("npy", "f8", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(16))
oh = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
oh += " " * (63 - len(oh) % 64) + "\n"
put("npy", "obj", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(oh)) + oh.encode() + pickle.dumps([None], protocol=3))
h = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
put("header", "st", struct.pack("<Q", len(h)) + h + bytes(8))
put("header", "onnx", b"\x08\x08\x3a\x02\x0a\x00")
cfg = {"module": "keras", "class_name": "Sequential", "config": {"layers": [{"module": "keras.layers", "class_name": "Dense", "config": {}}]}}
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("config.json", json.dumps(cfg)); z.writestr("metadata.json", "{}")
put("keras", "zip", buf.getvalue())
put("keras", "json", json.dumps(cfg).encode())
# HDF5: superblock v0 and a v1 root object header holding one fixed-length string attribute.
text = json.dumps(cfg).encode()
def message(kind, body):
    body += bytes(-len(body) % 8)
    return struct.pack("<HHB3x", kind, len(body), 0) + body
name = b"model_config\0"
dtype = struct.pack("<B3sI", 0x13, bytes(3), len(text))
space = struct.pack("<BBBB4x", 1, 0, 0, 0)
attribute = struct.pack("<BBHHH", 1, 0, len(name), len(dtype), len(space))
attribute += name + bytes(-len(name) % 8) + dtype + space + text
body = message(0x0C, attribute)
header = struct.pack("<BBHII4x", 1, 0, 1, 1, len(body)) + body
size = 96 + len(header)
superblock = b"\x89HDF\r\n\x1a\n" + bytes([0, 0, 0, 0, 0, 8, 8, 0]) + struct.pack("<HHI", 4, 16, 0)
superblock += struct.pack("<QQQQ", 0, 2**64 - 1, size, 2**64 - 1) + struct.pack("<QQII16x", 0, 96, 0, 0)
put("hdf5", "minimal_v0", superblock + header)
PYEOF
# Files h5py writes (v0-v3 superblocks, dense attributes, vlen strings, user blocks), when the
# model-scan venv has it.
if [ -n "${MLCI_MODELSCAN_PYTHON:-}" ] && "$MLCI_MODELSCAN_PYTHON" -c "import h5py" 2>/dev/null; then
  "$MLCI_MODELSCAN_PYTHON" scripts/h5-corpus.py seeds "$OUT/seeds/hdf5"
fi
# One module: the scanner and its support sources together (the cross-module import dropped).
rm -rf "$OUT/src"; mkdir -p "$OUT/src"
for f in Sources/MLCIModelScan/*.swift Sources/MLCISupport/*.swift; do
  sed '/^import MLCISupport$/d' "$f" > "$OUT/src/$(basename "$(dirname "$f")")-$(basename "$f")"
done
SOURCES=("$OUT"/src/*.swift)
FLAGS=(-sanitize=fuzzer,address -parse-as-library -Onone -module-name MLCIFuzz
       -I Sources/CZlib -I Sources/CBZip2 -I Sources/CLZMA -lz -lbz2 -llzma)
echo "fuzz: building the harness (one binary, MLCI_FUZZ_TARGET picks the reader)"
swiftc "${FLAGS[@]}" Fuzz/*.swift "${SOURCES[@]}" -o "$OUT/fuzz-models" 2>&1 | grep -v "Cannot export local symbol" || true
status=0
for target in pickle zip npy header keras hdf5; do
  mkdir -p "$OUT/corpus-$target"
  if ! MLCI_FUZZ_TARGET=$target "$OUT/fuzz-models" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 \
       -artifact_prefix="$OUT/$target-" "$OUT/corpus-$target" "$OUT/seeds/$target" > "$OUT/fuzz-$target.log" 2>&1; then
    echo "fuzz: $target found a crash or a leak (input saved as $OUT/$target-*):"; tail -40 "$OUT/fuzz-$target.log"; status=1
  else
    echo "fuzz: $target: $(grep -E '^#[0-9]+' "$OUT/fuzz-$target.log" | tail -1)"
  fi
done
exit $status
