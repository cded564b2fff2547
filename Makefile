# gowsgid: `make run` serves the example site, `make test` runs every test.
# Both install what they need on a fresh Debian 12 machine when run as root;
# otherwise they print the apt-get line to run and stop.

GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
BIN := bin/gowsgid
# Debian packages the tests and the example site use: Apache + mod_wsgi are
# the reference the differential tests compare against; python3-dev is the
# libpython gowsgid embeds (built with gcc and pkg-config); libssl-dev is the
# libcrypto RSA certificates sign with (internal/opensslkey); ssl-cert
# provides the snakeoil certificate the Indico guide's configuration names;
# Flask and Django are the real applications of the end-to-end tests;
# perl's DB_File writes the Berkeley DB files with overflow pages that
# RewriteMap dbm: must read and httxt2dbm (apache2-utils) never writes.
DEB_PACKAGES := gcc pkg-config python3-dev libssl-dev libpcre2-dev apache2 apache2-utils libapache2-mod-wsgi-py3 ssl-cert openssl \
	python3-flask python3-django systemd perl
SITE := $(CURDIR)/testdata/site

.PHONY: build run test test-pythons deps check-format vet fuzz bench bench-deps clean directives-doc

build: ## build bin/gowsgid
	$(GO) build -o $(BIN) ./cmd/gowsgid

deps: ## install the Debian packages (as root) or say which apt-get line to run
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages; run as root:"; \
	    echo "  apt-get install -y" $$missing; \
	    exit 1; \
	  fi; \
	fi

run: deps build ## serve testdata/site on http://127.0.0.1:8080/ in the foreground
	$(BIN) -DFOREGROUND -C "Define SITE $(SITE)" -f $(SITE)/httpd.conf

check-format:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test: deps check-format vet ## every test, with the race detector
	CGO_ENABLED=0 $(GO) build ./confparse/... ./vhost/... ./apexpr/... ./internal/...
	$(GO) test -race -count=1 ./...

fuzz: ## a minute or so of fuzzing for each fuzz target
	$(GO) test -run '^$$' -fuzz '^FuzzLexLine$$' -fuzztime 20s ./confparse
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime 40s ./confparse
	$(GO) test -run '^$$' -fuzz '^FuzzMap$$' -fuzztime 60s ./vhost
	$(GO) test -run '^$$' -fuzz '^FuzzRewrite$$' -fuzztime 40s ./rewrite
	$(GO) test -run '^$$' -fuzz '^FuzzHeaderLikeTextproto$$' -fuzztime 30s ./internal/http1
	$(GO) test -run '^$$' -fuzz '^FuzzChunked$$' -fuzztime 20s ./internal/http1

bench: deps bench-deps build ## configtest against apache2 -t; static files against Apache and nginx; TLS handshakes and HTTP/2 against Apache; WSGI embedded and daemon mode against mod_wsgi, uWSGI, gunicorn
	$(GO) run ./internal/bench/configtest -gowsgid $(BIN)
	$(GO) run ./internal/bench/static -gowsgid $(BIN)
	$(GO) run ./internal/bench/tls -gowsgid $(BIN)
	$(GO) run ./internal/bench/wsgi -gowsgid $(BIN)
	$(GO) run ./internal/bench/wsgi -mode daemon -processes 2 -threads 8 -gowsgid $(BIN)

# nginx is only the static benchmark's yardstick, h2load (nghttp2-client)
# the TLS benchmark's HTTP/2 load, and uWSGI, gunicorn and waitress only
# the WSGI benchmark's peers: make test needs none of them.
# RUNLEVEL=1 keeps their packages from starting system services (nginx on
# port 80, where the guides' configurations listen in the compat suite).
BENCH_PACKAGES := nginx nghttp2-client uwsgi uwsgi-plugin-python3 gunicorn python3-waitress
bench-deps:
	@missing=$$(for p in $(BENCH_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages; run as root:"; echo "  apt-get install -y" $$missing; exit 1; \
	  fi; \
	fi

# PYTHONS are the prefixes of other CPython builds (each with a shared
# libpython and lib/pkgconfig/python3-embed.pc) that test-pythons builds
# embedpy and wsgi against: by default pyenv's 3.12 and later. Go's
# build cache does not key cgo packages on PKG_CONFIG_PATH, so a define
# naming the prefix keeps each build apart.
PYTHONS ?= $(wildcard $(HOME)/.pyenv/versions/3.1[2-9].* $(HOME)/.pyenv/versions/3.[2-9][0-9].*)
test-pythons: ## the embedded engine's tests against other CPython builds (PYTHONS="prefix ..."; pyenv's 3.12+ by default)
	@test -n "$(strip $(PYTHONS))" || { echo "no other CPython build found: set PYTHONS=\"/prefix ...\""; exit 1; }
	@for p in $(PYTHONS); do \
	  echo "== $$p"; \
	  CGO_CFLAGS="-O2 -g -DGW_PYTHON_PREFIX_$$(echo $$p | tr -c 'A-Za-z0-9\n' _)" \
	  PKG_CONFIG_PATH=$$p/lib/pkgconfig LD_LIBRARY_PATH=$$p/lib \
	  $(GO) test -count=1 ./embedpy ./wsgi || exit 1; \
	done

directives-doc: ## regenerate docs/directives.md from the registry
	$(GO) run ./cmd/gowsgid directives --markdown > docs/directives.md

clean:
	rm -rf bin
