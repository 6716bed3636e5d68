from omaliref.cli import main

raise SystemExit(main())
