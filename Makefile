# Thin wrappers: packaging/dev.sh does the work, so the quick start needs no make on a fresh machine.
.PHONY: run test bench smoke
run:
	sh packaging/dev.sh run
test:
	sh packaging/dev.sh test
bench:
	sh packaging/dev.sh bench
smoke:
	sh packaging/dev.sh smoke
