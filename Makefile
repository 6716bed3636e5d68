# Thin wrappers: packaging/dev.sh does the work, so the quick start needs no make on a fresh machine.
.PHONY: run test bench smoke dist frozen-check dist-baseline
run:
	sh packaging/dev.sh run
test:
	sh packaging/dev.sh test
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
