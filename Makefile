# Taskwire. `make run` serves the whole app; `make test` runs every module's tests.
GO      ?= go
MODULES := . shared migrations functions/tasks functions/chat functions/recurrence functions/reminders functions/notify functions/web

.PHONY: run run-split test lint build bench db web-deps web-compress vendor deploy

## run: serve the whole app on :8080 (PostgreSQL at 127.0.0.1:5432, else a private cluster under .data/)
run:
	$(GO) run ./cmd/taskwire serve

## run-split: every function as its own process, CloudEvents over HTTP through the local broker
## (tasks on :8080, web :8081, chat :8082, broker :8090, recurrence :8091, reminders :8092,
## notify :8093)
run-split: build
	./bin/taskwire split

## test: vet and format checks, then every module's tests against real PostgreSQL, with
## -race and once more without it (the race build compiles differently and once hid a bug)
test: db lint
	@command -v chromium >/dev/null 2>&1 && [ -d functions/web/e2e/node_modules/playwright-core ] || \
		echo "NOTE: Chromium or the browser tests' npm packages are missing: the browser tests (TestWeb_Browser) will be SKIPPED; make web-deps installs them"
	@for m in $(MODULES); do \
		echo "== $$m"; \
		(cd $$m && GOWORK=off $(GO) test -race -count=1 -cover ./... && GOWORK=off $(GO) test -count=1 ./...) || exit 1; \
	done

## lint: go vet on every module (each on its own, without the workspace) and gofmt
lint:
	@for m in $(MODULES); do (cd $$m && GOWORK=off $(GO) vet ./...) || exit 1; done
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## build: the taskwire command
build:
	$(GO) build -o bin/taskwire ./cmd/taskwire

## bench: k6 against taskwire serve beside pgbench on the same server, then the event flow
## (recurrence events/s, reminder lateness), the chat function's overhead per message
## (cmd/chatbench), then each function binary's cold start and idle
## RSS (cmd/coldbench), then the web app's first load in Chromium (bytes,
## time to the rendered list); each prints a table, a missed target is a result
bench: db
	bash cmd/bench/run.sh
	$(GO) run ./cmd/eventbench
	$(GO) run ./cmd/chatbench
	$(GO) run ./cmd/coldbench
	@GOWORK=off $(GO) test -count=1 -run 'TestWeb_Browser$$' -v . | \
		grep -E '^\s+web_test.go:[0-9]+: (not ok|skip|browser tests:)|^--- SKIP|^\s+web_test.go:[0-9]+: .*skipped' || true
	@node functions/web/e2e/report.mjs

## vendor: write into every function directory (and the root) the .goproxy/ that carries
## the project's own modules to kn func build (README, Deploying to a cluster)
vendor:
	$(GO) run ./cmd/funcbuild vendor

## deploy: every function of functions/ with kn func deploy, then the eventing/ manifests
## (REGISTRY=… overrides func.yaml's registry)
deploy:
	@missing=; for tool in kn kubectl; do command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
		echo "make deploy: not on the PATH:$$missing (it needs kubectl, and kn with its func plugin; see README, Deploying to a cluster)"; exit 1; \
	fi
	@kn func version >/dev/null 2>&1 || { echo "make deploy needs the func plugin of kn (kn func)"; exit 1; }
	$(MAKE) vendor
	@for d in functions/*/; do \
		[ -f $$d/func.yaml ] || continue; \
		echo "== kn func deploy --path $$d"; \
		kn func deploy --path $$d $(if $(REGISTRY),--registry $(REGISTRY)) || exit 1; \
	done
	kubectl apply -f eventing/

## web-deps: what the browser tests need: Debian's chromium (apt) and playwright-core and
## axe-core from the npm registry (npm ci; no browser download)
web-deps:
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	cd functions/web/e2e && npm ci --no-audit --no-fund

## web-compress: after a change under functions/web/ui, write the brotli and gzip forms of
## the page and its assets into functions/web/precompressed (make test fails until then)
web-compress:
	cd functions/web && $(GO) test -count=1 -run '^TestPrecompressed$$' . -update

## db: make sure the test PostgreSQL answers at 127.0.0.1:5432, installing or starting it
db:
	@if ! command -v pg_ctlcluster >/dev/null 2>&1; then \
		echo "installing PostgreSQL"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
		hba=$$(ls /etc/postgresql/*/main/pg_hba.conf | tail -n 1); \
		sed -i -E 's/^(local|host)(.*)(peer|scram-sha-256|md5)$$/\1\2trust/' $$hba; \
	fi
	@pg_isready -q -h 127.0.0.1 -p 5432 || \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -n 1) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
		echo "PostgreSQL does not answer at 127.0.0.1:5432"; exit 1
