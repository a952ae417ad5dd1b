# The two commands a newcomer needs: `make demo` (set up, then a local exporter with virtual devices and a `j`
# session) and `make test` (set up, then every test). Both install what they need on a fresh machine.
SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: setup build test demo gen gen-check bench clean

setup:
	bash scripts/setup.sh

build: setup

test: setup
	$(ENV) bash scripts/gen-check.sh
	$(ENV) node scripts/run-tests.mjs

demo: setup
	$(ENV) bash scripts/demo-board/build.sh && jmp shell --exporter-config examples/virtual-board.yaml

gen:
	$(ENV) npm run gen

gen-check:
	$(ENV) bash scripts/gen-check.sh

bench: setup
	$(ENV) node bench/dist/run.js

clean:
	rm -rf packages/*/dist packages/drivers/*/dist bench/dist e2e/dist packages/*/tsconfig.tsbuildinfo packages/drivers/*/tsconfig.tsbuildinfo
