# Tessera: one non-recursive Makefile. `make` builds build/tessera; `make run` sets up
# and serves a demo; `make test` sets up, builds, and runs the whole suite, normally and
# under AddressSanitizer + UndefinedBehaviorSanitizer.

CC      ?= cc
WERROR  ?= 1
SANITIZE ?=
PKGS    := libmicrohttpd jansson sqlite3 libsodium libxml-2.0 libcurl

ifeq ($(SANITIZE),)
BUILD   ?= build
OPT     ?= -O2 -g
else
BUILD   ?= build/san
OPT     ?= -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
# The test build honours TESSERA_FAULT_FILE (store fault injection, docs/internals/faults.md)
# and TESSERA_CLOCK_OFFSET_MS (a moved clock, for expiry tests); other builds ignore both.
TESTFLAGS := -DTESSERA_FAULTS
endif

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wwrite-strings -Wvla -Wformat=2 -Wconversion
ifeq ($(WERROR),1)
WARN += -Werror
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) $(TESTFLAGS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread -lm

LIB_SRC  := $(sort $(wildcard src/util/*.c src/model/*.c src/store/*.c src/doc/*.c \
                               src/quality/*.c src/core/*.c src/api/*.c src/http/*.c \
                               src/cli/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/replay_%)

.PHONY: all run test unit e2e setup clean bench fuzz-replay check-deps fuzz fuzz-bins
all: $(BUILD)/tessera

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tessera: $(MAIN_OBJ) $(LIB_OBJ)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/check.h $(wildcard tests/unit/*.h) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -lpthread -lm

# Each fuzz target is replayed over its corpus under gcc (and sanitizers in the
# sanitizer build), so every input that once crashed stays a test.
$(BUILD)/fuzz/replay_%: fuzz/%.c fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -Isrc -o $@ fuzz/replay.c $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

bench: $(BUILD)/tessera $(BENCH_BIN)

# `make fuzz CC=clang` (clang is the default here): every fuzz target as a libFuzzer
# binary in build/fuzz-clang/fuzz/, the library compiled by clang with coverage, ASan and
# UBSan too. fuzz/run.sh runs the campaign; `make test` needs none of this.
FUZZ_BUILD := build/fuzz-clang
FUZZ_CC := $(if $(findstring clang,$(CC)),$(CC),clang)
fuzz:
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=$(FUZZ_BUILD) \
	    WERROR=0 SANITIZE=fuzzer-no-link,address,undefined fuzz-bins

fuzz-bins: $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(LIB_OBJ) $(LDFLAGS) $(LDLIBS)

setup:
	@bash scripts/setup.sh

# `make run`: install what is missing, build, create a demo database, serve it on
# $(LISTEN) (`make run LISTEN=127.0.0.1:9000`; behind a proxy also BASE_URL=https://...).
LISTEN ?= 127.0.0.1:8080
run: setup
	@$(MAKE) --no-print-directory all
	@$(BUILD)/tessera demo --db tessera.db --listen '$(LISTEN)' $(if $(BASE_URL),--base-url '$(BASE_URL)')

# `make test`: install, build, then the whole suite: normal build, then sanitizers.
test: setup
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory SANITIZE=address,undefined all unit-bins
	@bash tests/run.sh

unit-bins: $(UNIT_BIN) $(FUZZ_REPLAY) $(BENCH_BIN)

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
