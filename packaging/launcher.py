"""Entry point of the frozen app (PyInstaller needs a script; the package's own main does the work)."""

from omaliref.cli import main

raise SystemExit(main())
