# Thin wrappers: packaging/dev.sh does the work, so the quick start needs no make on a fresh machine.
.PHONY: run test test-all bench smoke dist frozen-check dist-baseline
run:
	sh packaging/dev.sh run
test:
	sh packaging/dev.sh test
test-all:
	sh packaging/dev.sh test --all
bench:
	sh packaging/dev.sh bench
smoke:
	sh packaging/dev.sh smoke
dist:
	sh packaging/dev.sh dist
frozen-check:
	sh packaging/dev.sh frozen-check
dist-baseline:
	sh packaging/dev.sh dist-baseline
