# Quick start: `make run` opens the viewer, `make test` runs every test.
# Both set everything up first (Debian packages when root, .venv, dependencies).
VENV ?= .venv
BIN := $(VENV)/bin
XVFB := xvfb-run -a -s "-screen 0 1920x1080x24"

.PHONY: setup run test test-unit soak lint bench meshes thumbnails screenshots package clean demo-case

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

test: setup lint
	$(BIN)/lint-imports
	$(BIN)/pytest

# ruff: lint rules and the formatter's check (pyproject.toml [tool.ruff]); `ruff format .` fixes the latter
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-unit: setup
	$(BIN)/pytest tests/unit

# Random operations on the real window (seeded; SOAK_SEED reproduces a run): 600 operations or
# 300 s, whichever comes first (SOAK_OPS, SOAK_SECONDS). Not part of `make test`.
soak: setup
	$(XVFB) $(BIN)/pytest -m soak tests/gui/test_soak.py

bench: setup
	$(BIN)/python scripts/benchmarks/bench_startup.py
	$(BIN)/python scripts/benchmarks/bench_analysis.py
	$(XVFB) $(BIN)/python scripts/benchmarks/bench_drag.py
	$(BIN)/python scripts/benchmarks/bench_mechanism.py
	$(BIN)/python scripts/benchmarks/bench_import.py
	$(BIN)/python scripts/benchmarks/bench_corridor.py
	$(BIN)/python scripts/benchmarks/bench_decompression.py
	$(BIN)/python scripts/benchmarks/bench_case_analysis.py

# the shipped demo patient case (viewer/patient/demo/): the model voxelised as NIfTI and .seg.nrrd
demo-case: setup
	$(BIN)/python -m viewer.patient.demo

meshes: setup
	$(BIN)/hfs-viewer meshes

# preset thumbnails for the Teaching cases browser (after changing a preset or the anatomy)
thumbnails: setup
	$(BIN)/python -m viewer.render.thumbnails

screenshots: setup
	mkdir -p assets/screenshots
	for v in anterior retrosigmoid; do \
		$(XVFB) $(BIN)/hfs-viewer --screenshot assets/screenshots/window-$$v.png --view $$v; done
	$(XVFB) $(BIN)/python scripts/corridor_screenshots.py --out assets/screenshots

# The one-folder desktop build: dist/hfs-viewer/ and dist/hfs-viewer-*.tar.gz (packaging/README.md).
# Installs the pinned `package` extra once (stamp per pyproject.toml); binutils (strip) and
# desktop-file-utils (the smoke test validates the .desktop entry) when root on Debian.
package: setup
	@stamp="$(VENV)/.package-$$(sha256sum pyproject.toml | cut -c1-16)"; \
	if [ ! -f "$$stamp" ]; then \
		echo "package: installing the pinned PyInstaller (pip install -e '.[package]')"; \
		$(BIN)/python -m pip install -q -e ".[package]" && rm -f $(VENV)/.package-* && touch "$$stamp"; \
	fi
	@if ! command -v strip >/dev/null || ! command -v desktop-file-validate >/dev/null || \
		! command -v icupkg >/dev/null || ! command -v cc >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "package: installing binutils gcc icu-devtools desktop-file-utils"; apt-get update -q >/dev/null && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends binutils gcc libc6-dev \
				icu-devtools desktop-file-utils >/dev/null; \
		else echo "package: needs strip (binutils), cc (gcc) and icupkg (icu-devtools, trims Qt's ICU data);" \
			"desktop-file-validate (desktop-file-utils) is optional"; fi; fi
	$(BIN)/python packaging/build.py

clean:
	rm -rf out build dist .pytest_cache
