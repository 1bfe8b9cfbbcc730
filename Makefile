# Quick start: `make run` opens the viewer, `make test` runs every test.
# Both set everything up first (Debian packages when root, .venv, dependencies).
VENV ?= .venv
BIN := $(VENV)/bin
XVFB := xvfb-run -a -s "-screen 0 1920x1080x24"

.PHONY: setup run test test-unit lint bench meshes screenshots package clean

setup:
	@./scripts/setup.sh

run: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(BIN)/hfs-viewer; \
	else \
		mkdir -p out && \
		$(BIN)/hfs-viewer render --out out/default.png && \
		$(BIN)/hfs-viewer anatomy --json > out/anatomy.json && \
		echo "No display: rendered the default scene to out/default.png and the anatomy to out/anatomy.json." && \
		echo "For the window on this machine: $(XVFB) $(BIN)/hfs-viewer --screenshot out/window.png"; \
	fi

test: setup
	$(BIN)/lint-imports
	$(BIN)/pytest

test-unit: setup
	$(BIN)/pytest tests/unit

bench: setup
	$(BIN)/python scripts/benchmarks/bench_startup.py
	$(BIN)/python scripts/benchmarks/bench_analysis.py
	$(BIN)/python scripts/benchmarks/bench_drag.py

meshes: setup
	$(BIN)/hfs-viewer meshes

screenshots: setup
	mkdir -p assets/screenshots
	for v in anterior retrosigmoid; do \
		$(XVFB) $(BIN)/hfs-viewer --screenshot assets/screenshots/window-$$v.png --view $$v; done

package: setup
	@echo "Packaging is tracked in packaging/README.md (issue: desktop build)."; exit 1

clean:
	rm -rf out build dist .pytest_cache
