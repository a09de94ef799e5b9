# EmbedKit — the two commands of the README's quick start, and the steps they are made of.
#
#   make demo    set up, fetch and verify assets, build release, run the worked example end to end
#   make test    set up, fetch and verify assets, build release, run the whole test suite
#
# Each target does its own set-up, so either works first on a fresh Debian/Ubuntu machine with Swift.

SHELL := /bin/bash
CONFIG ?= release
EMBEDKIT := .build/$(CONFIG)/embedkit
PEERS_PYTHON = $(shell scripts/peers-venv | tail -n 1)

.PHONY: demo test bootstrap build assets peers bench clean-cache

demo: assets
	$(EMBEDKIT) demo

test: assets
	swift build -c $(CONFIG) --build-tests
	EMBEDKIT_PEERS_PYTHON="$(PEERS_PYTHON)" swift test -c $(CONFIG) --skip-build
	scripts/test-python

bootstrap:
	scripts/bootstrap

build: bootstrap
	swift build -c $(CONFIG) --product embedkit

assets: build
	$(EMBEDKIT) assets fetch

peers:
	scripts/peers-venv

bench: assets
	scripts/bench-all
