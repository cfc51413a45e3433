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
# aws-kinesis-agg (AWS's Node.js KPL aggregation module) from npm, for the aggregation interop tests (pack/).
KINESIS_AGG_VERSION := 4.2.8
KINESIS_AGG_DIR     := $(CURDIR)/.cache/aws-kinesis-agg-$(KINESIS_AGG_VERSION)
KINESIS_AGG_MAIN    := $(KINESIS_AGG_DIR)/node_modules/aws-kinesis-agg/index.js
export KBENCH_KINESIS_AGG_DIR := $(KINESIS_AGG_DIR)
# Other people's clients for `make test-long` (sim/clients_long_test.go): the AWS SDK for JavaScript v3 from npm,
# boto3 and the AWS CLI from Debian packages.
JS_SDK_VERSION := 3.1143.0
JS_SDK_DIR     := $(CURDIR)/.cache/aws-sdk-js-$(JS_SDK_VERSION)
JS_SDK_MAIN    := $(JS_SDK_DIR)/node_modules/@aws-sdk/client-kinesis/package.json
export KBENCH_JS_SDK_DIR := $(JS_SDK_DIR)
# Tests never talk to AWS; keep the SDK from probing the EC2 instance metadata service either.
export AWS_EC2_METADATA_DISABLED := true

RUN_OUT     ?= results/default
# cmd/kbench, the longest package, takes 7 to 8 min under heavy load (docs/performance.md#test-time).
TEST_FLAGS  ?= -timeout 12m
BENCH_OUT   ?= results/bench

# The acoustic-detector example's Node.js dependencies (the AWS SDK for JavaScript v3), for its test.
ACOUSTIC_DIR := $(CURDIR)/.cache/acoustic-detector
ACOUSTIC_SDK := $(ACOUSTIC_DIR)/node_modules/@aws-sdk/client-kinesis/package.json

.PHONY: all build run test test-long fuzz check bench kinesis-mock chromium clients kinesis-agg acoustic-detector clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/kbench

## run: the default scenario (about 30 s) on the in-process simulated endpoint; writes $(RUN_OUT)/report.html
run: build
	./$(BIN) run scenarios/default.yaml --out $(RUN_OUT)

## test: formatting, vet and every test, including the kinesis-mock integration tests
test: check kinesis-mock kinesis-agg chromium acoustic-detector
	$(GO) test $(TEST_FLAGS) ./...
	cd deploy/kubernetes && $(GO) test $(TEST_FLAGS) ./...

## test-long: the slow client-matrix tests (JS SDK v3 over h2c, TLS and HTTP/1.1; boto3; the AWS CLI), then
## every fuzz target for FUZZTIME each; .ci/run runs it after make test
test-long: clients
	$(GO) test -tags long -run 'TestClient' -timeout 40m -v ./sim/
	mkdir -p $(BENCH_OUT)
	KBENCH_VALIDATION_TABLE=$(abspath $(BENCH_OUT))/model-validation.md $(GO) test -tags long -run 'TestModelValidation' -timeout 30m -v ./cmd/kbench/
	$(MAKE) fuzz

## fuzz: every fuzz target (func FuzzXxx) for FUZZTIME each; a failing input is saved under testdata/fuzz/
FUZZTIME ?= 10s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	cd deploy/kubernetes && $(GO) vet ./...

kinesis-mock: $(KINESIS_MOCK_MAIN)

$(KINESIS_MOCK_MAIN):
	@command -v $(NPM) >/dev/null || { echo "npm is needed to install kinesis-local for the kinesis-mock tests"; exit 1; }
	mkdir -p $(KINESIS_MOCK_DIR)
	$(NPM) install --no-audit --no-fund --loglevel=error --prefix $(KINESIS_MOCK_DIR) kinesis-local@$(KINESIS_MOCK_VERSION)

# kinesis-agg: the interop tests skip (saying so) when npm cannot install it.
kinesis-agg:
	@if [ -f $(KINESIS_AGG_MAIN) ]; then :; \
	elif command -v $(NPM) >/dev/null && mkdir -p $(KINESIS_AGG_DIR) && \
		$(NPM) install --no-audit --no-fund --loglevel=error --prefix $(KINESIS_AGG_DIR) aws-kinesis-agg@$(KINESIS_AGG_VERSION); then :; \
	else echo "note: could not install aws-kinesis-agg with npm; the aggregation interop tests will skip"; fi

# acoustic-detector: npm-installs the example's package.json into .cache; when that fails the example's test
# skips with a message instead of failing make test.
acoustic-detector: $(ACOUSTIC_SDK)

$(ACOUSTIC_SDK): examples/acoustic-detector/package.json
	@mkdir -p $(ACOUSTIC_DIR) && cp examples/acoustic-detector/package.json $(ACOUSTIC_DIR)/
	@if command -v $(NPM) >/dev/null && $(NPM) install --no-audit --no-fund --loglevel=error --prefix $(ACOUSTIC_DIR); then \
		touch $@; \
	else echo "note: could not npm-install the acoustic-detector example's SDK; its test will skip"; fi

# chromium: headless Chromium for the report screenshot test (reports/browser_test.go), installed from
# Debian packages where it is missing and we can (root with apt-get); otherwise that test skips.
chromium:
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium for the report screenshot test"; \
		{ apt-get update -qq && apt-get install -y -qq chromium; } || echo "note: could not install chromium; the report screenshot test will skip"; \
	else \
		echo "note: no chromium on PATH and no root apt-get to install it; the report screenshot test will skip"; \
	fi

# clients: the JavaScript SDK from npm into .cache/, and Debian's python3-boto3 and awscli when we are root with
# apt-get; a client that cannot be installed is noted here and its test skips.
clients: $(JS_SDK_MAIN)
	@if /usr/bin/python3 -c 'import boto3' 2>/dev/null && [ -x /usr/bin/aws ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing python3-boto3 and awscli for the client tests"; \
		{ apt-get update -qq && apt-get install -y -qq python3-boto3 awscli; } || echo "note: could not install python3-boto3/awscli; their client tests will skip"; \
	else \
		echo "note: no boto3 for /usr/bin/python3 or no /usr/bin/aws, and no root apt-get to install them; their client tests will skip"; \
	fi

$(JS_SDK_MAIN):
	@command -v $(NPM) >/dev/null || { echo "note: no npm; the JavaScript SDK client tests will skip"; exit 0; }
	mkdir -p $(JS_SDK_DIR)
	$(NPM) install --no-audit --no-fund --loglevel=error --prefix $(JS_SDK_DIR) @aws-sdk/client-kinesis@$(JS_SDK_VERSION) @smithy/node-http-handler || echo "note: npm could not install @aws-sdk/client-kinesis; its client tests will skip"

## bench: Go benchmarks of the hot paths and whole-run benchmarks; figures go in docs/performance.md
bench: build kinesis-mock
	mkdir -p $(BENCH_OUT)
	$(GO) test -run '^$$' -bench . -benchmem -count 5 -timeout 60m ./... | tee $(BENCH_OUT)/go-bench.txt
	@# The model target's scale figure: one simulated hour of 1M records/s into 1,000 shards, with its
	@# peak memory (docs/model.md).
	$(GO) test -c -o $(BENCH_OUT)/model.test ./model
	cd model && KBENCH_MODEL_SCALE_DURATION=1h /usr/bin/time -v $(abspath $(BENCH_OUT))/model.test -test.run '^$$' \
		-test.bench Scale -test.benchtime 1x 2>&1 | tee $(abspath $(BENCH_OUT))/model-scale.txt
	./scripts/bench-runs.sh $(BENCH_OUT)

clean:
	rm -rf bin comparison
	@# results/ holds package results' sources beside the run outputs: remove only the outputs
	find results -mindepth 1 -maxdepth 1 -type d ! -name testdata -exec rm -rf {} +

## docker: build the kbench image from docker/Dockerfile (needs the docker command and a running engine)
IMAGE ?= kbench:local
.PHONY: docker
docker:
	@command -v docker >/dev/null 2>&1 || { echo "make docker: no docker command here; install Docker to build the image (go build ./cmd/kbench builds the binary without it)"; exit 1; }
	@docker info >/dev/null 2>&1 || { echo "make docker: the docker command cannot reach a Docker engine; start one and retry"; exit 1; }
	docker build -f docker/Dockerfile --build-arg VERSION=$$(git describe --tags --always --dirty 2>/dev/null || echo docker) -t $(IMAGE) .
