# kbench: two commands set everything up on a fresh machine with Go and Node.js:
#   make run    builds kbench and runs the default scenario on the embedded simulated endpoint
#   make test   installs what the tests need (kinesis-local from npm) and runs every test
GO          ?= go
NPM         ?= npm
BIN         := bin/kbench
# kinesis-mock (the engine inside LocalStack's Kinesis) from npm, for the integration tests.
KINESIS_MOCK_VERSION := 0.6.2
KINESIS_MOCK_DIR     := $(CURDIR)/.cache/kinesis-local-$(KINESIS_MOCK_VERSION)
KINESIS_MOCK_MAIN    := $(KINESIS_MOCK_DIR)/node_modules/kinesis-local/main.js
export KBENCH_KINESIS_MOCK_DIR := $(KINESIS_MOCK_DIR)

RUN_OUT     ?= results/default
TEST_FLAGS  ?= -timeout 12m
BENCH_OUT   ?= results/bench

.PHONY: all build run test check bench kinesis-mock clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/kbench

## run: the default scenario (about 30 s) on the in-process simulated endpoint; writes $(RUN_OUT)/report.html
run: build
	./$(BIN) run scenarios/default.yaml --out $(RUN_OUT)

## test: formatting, vet and every test, including the kinesis-mock integration tests
test: check kinesis-mock
	$(GO) test $(TEST_FLAGS) ./...

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

kinesis-mock: $(KINESIS_MOCK_MAIN)

$(KINESIS_MOCK_MAIN):
	@command -v $(NPM) >/dev/null || { echo "npm is needed to install kinesis-local for the kinesis-mock tests"; exit 1; }
	mkdir -p $(KINESIS_MOCK_DIR)
	$(NPM) install --no-audit --no-fund --loglevel=error --prefix $(KINESIS_MOCK_DIR) kinesis-local@$(KINESIS_MOCK_VERSION)

## bench: Go benchmarks of the hot paths and whole-run benchmarks; figures go in README's Performance section
bench: build kinesis-mock
	mkdir -p $(BENCH_OUT)
	$(GO) test -run '^$$' -bench . -benchmem -count 5 -timeout 60m ./... | tee $(BENCH_OUT)/go-bench.txt
	./scripts/bench-runs.sh $(BENCH_OUT)

clean:
	rm -rf bin results comparison
