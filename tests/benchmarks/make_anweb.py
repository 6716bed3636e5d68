"""Write a synthetic ANWEB zip with N drug codes (default 10,000) for the imported-codes search benchmark."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.fixtures.cms import big_anweb, write_zip


def main(out: str = "build/bench/october-2027-alpha-numeric-hcpcs-file.zip", count: int = 10_000) -> int:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_zip(path, {"HCPC2027_OCT_ANWEB_vBENCH.txt": big_anweb(count)})
    print(path)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    raise SystemExit(main(*(args[:1] or []), *(int(a) for a in args[1:2])))
