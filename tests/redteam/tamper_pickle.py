"""Usage: python tamper_pickle.py CACHEFILE -- keeps the key, the header and the tag, changes J2357's billing unit to
10 mg: no code runs, only data the TOML validator would refuse (red team #1b)."""

from __future__ import annotations

import pickle
import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from omaliref.data.pack_cache import MAGIC, TAG_SIZE
from omaliref.domain.quantities import Quantity

path = sys.argv[1]
data = Path(path).read_bytes()
head = len(MAGIC) + TAG_SIZE if data.startswith(MAGIC) else 0
found = pickle.loads(data[head:])
catalog = found["catalog"]
codes = dict(catalog.codes)
codes["J2357"] = replace(codes["J2357"], billing_unit=Quantity(Fraction(10), "mg"))
found["catalog"] = replace(catalog, codes=codes)
with open(path, "wb") as out:
    out.write(data[:head] + pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
print("tampered", path)
