# Thin wrappers: ./dev does the work so the quick start needs no make on a fresh machine.
.PHONY: run test bench smoke
run:
	./dev run
test:
	./dev test
bench:
	./dev bench
smoke:
	./dev smoke
