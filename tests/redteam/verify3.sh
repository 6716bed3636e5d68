#!/bin/bash
# Reruns the red team 2026-12 failures (numbers as in the report's FAILURES table; E<n> for the earlier review's rows
# it re-checked) and prints one line per row: HOLDS when the fix holds, FAILS when the failure is back. Exits 1 when a
# row fails. Rebuilt from the report's appendix; needs only this repository and its .venv (sh packaging/dev.sh test
# makes one). About 3-6 minutes on a shared 2-core machine.
#
#   bash tests/redteam/verify3.sh              every row but the slow ones
#   ROWS="1a 14 E26" bash tests/redteam/verify3.sh    only those rows
#   SLOW=1 bash tests/redteam/verify3.sh       adds the XLSX bombs (#7b) and the plain blank CSVs (E6): 400 MB and
#                                              340 MB unpacked, 10 and 40 MB plain; minutes on a slow machine
#   KEEP=1 ...                                 keeps the work folder (fixtures, state folders) and prints it
#   PY=... O=...                               another Python / omaliref command (default: the repository's .venv)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
O=${O:-$REPO/.venv/bin/omaliref}
export QT_QPA_PLATFORM=offscreen PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
unset OMALIREF_PAYERS OMALIREF_SITE_DIR OMALIREF_NO_PACK_CACHE
W=$(mktemp -d "${TMPDIR:-/tmp}/omaliref-verify3.XXXXXX")
F=$W/fixtures
if [ -n "${KEEP:-}" ]; then echo "work folder: $W"; else trap 'rm -rf "$W"' EXIT; fi
[ -x "$PY" ] && [ -x "$O" ] || { echo "no $PY or $O: run sh packaging/dev.sh test first" >&2; exit 2; }
"$PY" "$HERE/fixtures.py" "$F" ${SLOW:+--slow} 2>/dev/null || { echo "the fixtures could not be built" >&2; exit 2; }

failed=0
fresh() { export OMALIREF_STATE_DIR; OMALIREF_STATE_DIR=$(mktemp -d "$W/state.XXXXXX"); }
q1() { "$O" import "$F"/q1/*.zip >/dev/null 2>&1; }
hot() { [ "$(head -c 8 "$OMALIREF_STATE_DIR/data/cms.sqlite3-journal" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = d9d505f920a163d7 ]; }
sql() { "$PY" -c 'import sqlite3, sys; d = sqlite3.connect(sys.argv[1]); d.execute(sys.argv[2]); d.commit()' "$OMALIREF_STATE_DIR/data/cms.sqlite3" "$1"; }
ms() { "$PY" -c 'import time; print(int(time.time() * 1000))'; }
# judge ROW CONDITION-EXIT-CODE TEXT: one line per row
judge() {
  if [ "$2" = 0 ]; then printf '%-5s HOLDS  %s\n' "$1" "$3"; else printf '%-5s FAILS  %s\n' "$1" "$3"; failed=1; fi
}
has() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }
wanted() { [ -z "${ROWS:-}" ] || has " $ROWS " " $1 "; }
cut1() { tr '\n' ' ' | cut -c1-"${1:-160}"; }

row_1a() {  # a planted pickle in the pack cache runs code on every start
  fresh; "$O" search xolair >/dev/null 2>&1; P=$(ls "$OMALIREF_STATE_DIR"/cache/pack-*.pickle 2>/dev/null | head -1)
  [ -n "$P" ] || { judge 1a 1 "no compiled pack was written"; return; }
  "$PY" "$HERE/plant_pickle.py" "$P" "$W/PWNED" >/dev/null; rm -f "$W/PWNED"
  out=$("$O" units J2357 --dose 375mg 2>&1); n=$(cat "$W/PWNED" 2>/dev/null | wc -l)
  [ "$n" -eq 0 ] && has "$out" "= 75 units"; judge 1a $? "planted pickle ran $n time(s); units: $(echo "$out" | grep -m1 Administered)"
}
row_1b() {  # a tampered pickle (J2357 at 10 mg per unit) is used
  fresh; "$O" search xolair >/dev/null 2>&1; P=$(ls "$OMALIREF_STATE_DIR"/cache/pack-*.pickle | head -1)
  "$PY" "$HERE/tamper_pickle.py" "$P" >/dev/null; out=$("$O" units J2357 --dose 375mg 2>/dev/null | grep -m1 Administered)
  has "$out" "375 mg = 75 units"; judge 1b $? "tampered pickle: $out"
}
row_1c() {  # a FIFO at the cache path hangs every command
  fresh; "$O" search xolair >/dev/null 2>&1; P=$(ls "$OMALIREF_STATE_DIR"/cache/pack-*.pickle | head -1); rm "$P"; mkfifo "$P"
  timeout 20 "$O" search xolair >/dev/null 2>&1; rc=$?; [ $rc -eq 0 ]; judge 1c $? "FIFO at the cache path: search rc=$rc (124 = hung)"
}
row_3() {  # closing the window during an import aborts the process and leaves a hot journal
  local bad=0 said=""
  for d in ${DELAYS:-0.7 4.0}; do
    fresh; q1; DELAY=$d timeout 120 "$PY" "$HERE/gui_close_during_import.py" "$F/big-jan.zip" >/dev/null 2>&1; rc=$?
    timeout 60 "$O" --smoke-test >/dev/null 2>&1; smoke=$?; left=$(ls "$OMALIREF_STATE_DIR/data" | tr '\n' ' ')
    q=$("$O" quarters 2>&1 | cut1 60)
    if [ $rc -ne 0 ] || [ $smoke -ne 0 ] || has "$left" damaged || ! has "$q" 2027Q1; then bad=1; fi
    said="$said close at ${d}s: rc=$rc, next start rc=$smoke, data: $left;"
  done
  judge 3 $bad "${said# }"
}
row_2() {  # kill -9 mid-import: the next read must roll the hot journal back, not set the database aside
  fresh; q1; "$O" import "$F/big-jan.zip" >/dev/null 2>&1 & P=$!
  for _ in $(seq 1 1500); do hot && break; kill -0 $P 2>/dev/null || break; sleep 0.02; done
  hot && h=hot || h="never hot (the kill missed the write)"; kill -9 $P 2>/dev/null; wait $P 2>/dev/null
  out=$("$O" quarters 2>&1); left=$(ls "$OMALIREF_STATE_DIR/data" | tr '\n' ' ')
  has "$out" 2027Q1 && ! has "$left" damaged && [ "$h" = hot ]
  judge 2 $? "kill -9 mid-import (journal $h), then quarters: $(echo "$out" | cut1 90) | data: $left"
}
row_4() {  # one payer file can make the app unusable
  for f in deep bigint; do
    fresh; mkdir -p "$OMALIREF_STATE_DIR/config"; cp "$F/payers/$f.toml" "$OMALIREF_STATE_DIR/config/payers.toml"
    out=$("$O" units J2357 --dose 375mg 2>&1); a=$?; timeout 60 "$O" --smoke-test >/dev/null 2>&1; b=$?
    [ $a -eq 0 ] && [ $b -eq 0 ] && has "$out" "left out" && ! has "$out" Traceback
    judge 4 $? "$f.toml in config: units rc=$a, smoke rc=$b (124 = hung); notice: $(echo "$out" | grep -m1 'payer file' | grep -o 'not a usable.*' | cut -c1-90)"
  done
}
row_5() {  # a commercial desk silently computes with Medicare rules when its org file breaks
  fresh; C=$OMALIREF_STATE_DIR/config; mkdir -p "$C"
  printf '[[payer]]\nid = "acme-commercial"\nname = "ACME commercial contract"\nkind = "commercial"\njw_jz = "none"\n}\n' >"$C/payers.toml"
  echo '{"schema":1,"preferences":{"payer":"commercial","payer_profile":"acme-commercial"},"checklist_ticks":[]}' >"$C/state.json"
  out=$(timeout 60 "$PY" "$HERE/gui_fallback.py" 2>/dev/null)
  has "$out" "(kind commercial)" && has "$out" "errors: []"; judge 5 $? "$(echo "$out" | cut1 200)"
}
row_11() {  # an org file silently replaces medicare-part-b
  fresh; out=$(OMALIREF_PAYERS=$F/payers/shadow.toml "$O" units J2357 --dose 150mg --package 50242-0215-01 --package 50242-0214-01 2>&1)
  x12=$(OMALIREF_PAYERS=$F/payers/shadow.toml "$O" units J2357 --dose 150mg --package 50242-0215-01 --package 50242-0214-01 --format x12 2>/dev/null)
  w=$(echo "$out" | grep -c '\[warning\] .*no JW or JZ')
  has "$out" "which replaces the built-in one" && [ "$w" -eq 1 ] && ! has "$x12" "shadow.toml"
  judge 11 $? "text says: $(echo "$out" | grep -o -m1 'medicare-part-b is the profile of [^,]*, which replaces the built-in one' | sed 's|of /.*/|of |'); JW/JZ off: $w warning"
}
row_8() {  # control characters in text output
  fresh; "$O" import "$F"/hostile/* >/dev/null 2>&1
  a=$("$O" units J0001 --dose 25mg --date 2027-02-01 --single-dose 2>&1 | grep -c $'\x1b')
  b=$(OMALIREF_PAYERS=$F/payers/evil.toml "$O" payers list 2>&1 | grep -c $'\x1b')
  c=$("$O" units J0001 --dose 25mg --date 2027-02-01 --single-dose 2>&1 | grep -c '^NM1\*85')
  [ "$a" -eq 0 ] && [ "$b" -eq 0 ] && [ "$c" -eq 0 ]; judge 8 $? "lines with ESC: units $a, payers list $b; forged NM1 lines: $c"
}
row_7() {  # a 6 KB XLSX dimension bomb ties up the import for minutes
  fresh; s=$(ms); timeout "${T7:-60}" "$O" import "$F/xlsx/dim-lastrow.xlsx" >/dev/null 2>&1; rc=$?; t=$(( $(ms) - s ))
  [ $rc -ne 124 ] && [ $rc -le 2 ]; judge 7 $? "dim-lastrow.xlsx: rc=$rc after ${t} ms (124 = still running)"
}
row_12() {  # ParseError traceback from a malformed XLSX
  fresh; out=$("$O" import "$F/xlsx/truncated-xml.xlsx" 2>&1); rc=$?
  [ $rc -eq 2 ] && ! has "$out" Traceback; judge 12 $? "truncated-xml.xlsx rc=$rc $(echo "$out" | tail -1 | cut -c1-90)"
}
row_6() {  # the open app mixes two files' data after a CLI import
  fresh; q1; out=$(timeout 120 "$PY" "$HERE/gui_cli_import.py" "$O" "$F"/q1b/* 2>/dev/null)
  after=$(echo "$out" | grep '^after')
  has "$after" "payment_limit=99.000" && has "$after" "20 mg" && ! has "$after" "100 mg" && has "$out" "J0007 found = True"
  judge 6 $? "$(echo "$out" | grep -E '^(before|after|search)' | cut1 400)"
}
row_17() {  # start-up index race: a background index from before an import replaces the fresh one
  fresh; "$O" import "$F/big-jan.zip" >/dev/null 2>&1
  out=$(timeout 300 "$PY" "$HERE/gui_index_race.py" newmab "$F/q2/apr-2027-medicare-part-b-payment-limit-files.zip" "$F/q2/apr-2027-alpha-numeric-hcpcs-file.zip" 2>/dev/null | tail -2)
  has "$out" "J0006"; judge 17 $? "$(echo "$out" | cut1 200)"
}
row_9() {  # the review gate passes when it cannot read
  fresh; q1; "$O" import "$F"/q2/*.zip >/dev/null 2>&1
  "$PY" -c 'import sqlite3, sys, time; d = sqlite3.connect(sys.argv[1], isolation_level=None); d.execute("BEGIN EXCLUSIVE"); time.sleep(12)' "$OMALIREF_STATE_DIR/data/cms.sqlite3" &
  L=$!; sleep 1; "$O" review >/dev/null 2>&1; a=$?; wait $L; "$O" review >/dev/null 2>&1; b=$?
  [ $a -eq 2 ] && [ $b -eq 1 ]; judge 9 $? "review rc under a lock=$a (2 expected), unlocked=$b (1: J2357 contradicted)"
}
row_16() {  # an id that payers check accepts and Preferences refuses
  fresh; out=$(OMALIREF_PAYERS=$F/payers/underscore.toml timeout 60 "$PY" "$HERE/gui_prefs.py" 2>/dev/null | head -1)
  chk=$("$O" payers check "$F/payers/underscore.toml" 2>&1); rc=$?
  has "$out" "errors: []" && [ $rc -eq 3 ]; judge 16 $? "payers check rc=$rc; $(echo "$out" | cut1 120)"
}
row_14() {  # a bad value in a structurally valid store: no traceback, and a notice naming table and quarter
  local bad=0 said="" base
  fresh; q1; base=$OMALIREF_STATE_DIR
  for damage in "asp import:UPDATE imports SET effective_from='junk' WHERE kind='asp'" "hcpcs:UPDATE hcpcs SET add_date='2027-13-45'" \
      "crosswalk:UPDATE crosswalk SET billunits='NaN'" "crosswalk:UPDATE crosswalk SET pkg_size='1e5000'" \
      "mue:UPDATE mue SET value='abc'" "asp:UPDATE asp SET payment_limit='NaN'"; do
    table=${damage%%:*}; fresh; cp -r "$base/." "$OMALIREF_STATE_DIR/"; sql "${damage#*:}"
    q=$("$O" quarters 2>&1); u=$("$O" units J0001 --dose 25mg --date 2027-02-01 --single-dose 2>&1)
    j=$("$O" show J0001 --json 2>/dev/null)
    n=$(echo "$u" | grep -c "left out")
    if has "$q$u" Traceback || has "$u" NaN || [ "$n" -ne 1 ] || ! has "$u" "$table" || has "$j" "left out"; then bad=1; fi
    said="$said $table: notices $n;"
  done
  judge 14 $bad "one sentence each, none on stdout:${said}"
}
row_13() {  # one read by an older install moves a newer install's database aside
  fresh; q1; sql "UPDATE meta SET value='2' WHERE key='schema'"; "$O" search xolair >/dev/null 2>&1
  left=$(ls "$OMALIREF_STATE_DIR/data" | tr '\n' ' '); ! has "$left" damaged && has "$left" "cms.sqlite3"
  judge 13 $? "after one search: data holds $left"
}
row_10() {  # Qt's file dialogs write the chosen folder to ~/.config/QtProject.conf
  fresh; H=$(mktemp -d "$W/home.XXXXXX"); D="$W/Patients/JaneDoe MRN12345"; mkdir -p "$D"
  HOME=$H timeout 60 "$PY" "$HERE/gui_filedialog.py" "$D" >/dev/null 2>&1
  kept=$(grep -rh "JaneDoe" "$H" 2>/dev/null | head -1); [ -z "$kept" ]; judge 10 $? "folder kept under HOME: ${kept:-nothing}"
}
row_15() {  # non-ASCII digits in a crosswalk NDC reach the claim line
  fresh; q1; "$O" import "$F"/xwuni/*.csv >/dev/null 2>&1
  out=$("$O" units J0001 --dose 25mg --date 2027-02-01 --single-dose 2>&1)
  echo "$out" | "$PY" -c 'import sys; sys.exit(any(c.isdigit() and not c.isascii() for c in sys.stdin.read()))'
  judge 15 $? "no non-ASCII digit in units: $(echo "$out" | grep -m1 -E 'NDC N4|omaliref:' | cut -c1-100)"
}
row_18() {  # payers check on a FIFO hangs; on /dev/zero it reads until MemoryError
  rm -f "$W/payers.fifo"; mkfifo "$W/payers.fifo"; timeout 10 "$O" payers check "$W/payers.fifo" >/dev/null 2>&1; a=$?
  out=$( (ulimit -v 2000000; "$O" payers check /dev/zero 2>&1 >/dev/null) ); b=$?
  [ $a -ne 124 ] && [ $b -ne 1 ] && ! has "$out" Traceback; judge 18 $? "FIFO rc=$a (124 = hung); /dev/zero rc=$b: $(echo "$out" | tail -1 | cut -c1-90)"
}
row_19() {  # a 100 MB payers.toml adds seconds to every command
  fresh; s=$(ms); out=$(OMALIREF_PAYERS=$F/payers/huge.toml "$O" units J2357 --dose 375mg 2>&1); t=$(( $(ms) - s ))
  has "$out" "byte limit"; judge 19 $? "100 MB payers.toml: units took ${t} ms; $(echo "$out" | grep -m1 'byte limit' | cut -c1-80)"
}
row_E12() {  # earlier #12: an ANWEB code with two first-record lines was merged silently
  fresh; imp=$("$O" import "$F"/dupanweb/* 2>&1); show=$("$O" show J0001 2>&1)
  ! has "$show" "SECOND COPY" && has "$imp" "J0001"; judge E12 $? "import says: $(echo "$imp" | grep -m1 -i 'second\|skipped' | cut -c1-110)"
}
row_E26() {  # earlier #26: a patient's name given to a CMS file was stored and shown
  fresh; "$O" import "$F/phi/JaneDoe MRN12345 DOB 1970-01-01.csv.zip" >/dev/null 2>&1
  out=$("$O" quarters --json 2>&1); kept=$(grep -rl "JaneDoe" "$OMALIREF_STATE_DIR" 2>/dev/null | head -1)
  ! has "$out" JaneDoe && [ -z "$kept" ]; judge E26 $? "quarters --json names: $(echo "$out" | grep -m1 '"file"' | cut -c1-90)"
}
row_E27b() {  # earlier #27(b): a newline in a path forged a second 'omaliref:' line
  fresh; out=$("$O" import $'x\nomaliref: imported 2027Q9 ok.zip' 2>&1); n=$(echo "$out" | grep -c '^omaliref:')
  [ "$n" -eq 1 ]; judge E27b $? "stderr lines starting 'omaliref:': $n"
}
row_7b() {  # SLOW: XLSX members too large or too compressed
  for x in sheet-bomb sst-bomb; do
    fresh; s=$(ms); out=$( (ulimit -v 6000000; timeout 600 "$O" import "$F/xlsx/$x.xlsx" 2>&1 >/dev/null) ); rc=$?; t=$(( $(ms) - s ))
    [ $rc -eq 2 ] && [ $t -lt 30000 ]; judge 7b $? "$x.xlsx rc=$rc after ${t} ms: $(echo "$out" | tail -1 | cut -c1-90)"
  done
}
row_E6() {  # SLOW: earlier #6, plain files of blank lines
  for mb in 10 40; do
    fresh; s=$(ms); out=$( (ulimit -v 3000000; "$O" import "$F/blank$mb.csv" 2>&1 >/dev/null) ); rc=$?; t=$(( $(ms) - s ))
    [ $rc -eq 2 ] && [ $t -lt 30000 ] && ! has "$out" Traceback; judge E6 $? "blank$mb.csv rc=$rc after ${t} ms: $(echo "$out" | tail -1 | cut -c1-80)"
  done
}

ALL="1a 1b 1c 3 2 4 5 11 8 7 12 6 17 9 16 14 13 10 15 18 19 E12 E26 E27b"
[ -n "${SLOW:-}" ] && ALL="$ALL 7b E6"
for r in $ALL; do wanted "$r" && "row_$r"; done
exit $failed
