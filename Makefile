# fuwu — top-level build. `make` builds build/fuwu; `make run` and `make test` are the two
# commands of the README (they install what is missing first); `make bench` prints figures.
CC      ?= gcc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium xlsxwriter minizip expat gdlib
BUILD   ?= build
WARN    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow
CFLAGS  ?= -O2 -g
ifeq ($(SANITIZE),1)
BUILD   := build-san
CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
LIBS       := $(PKG_LIBS) -lpthread -lm

SRC      := $(shell find src -name '*.c' | sort)
EXCLUDE  ?=
LIB_SRC  := $(filter-out src/main.c $(EXCLUDE),$(SRC))
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
MIGR     := $(sort $(wildcard src/store/migrations/*.sql))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
WEB_DIST ?= web/dist

.PHONY: all test-bins web run test test-unit bench bench-routing deps-run deps-test lint clean
all: $(BUILD)/fuwu

test-bins: $(UNIT_BIN)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# Web assets and SQL migrations are embedded in the binary (one file to deploy).
$(BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror $< -o $@

$(BUILD)/gen/assets.c: $(BUILD)/embed $(shell find $(WEB_DIST) -type f 2>/dev/null) $(MIGR)
	@mkdir -p $(dir $@)
	$(BUILD)/embed $@ $(WEB_DIST) src/store/migrations

$(BUILD)/obj/gen_assets.o: $(BUILD)/gen/assets.c
	$(CC) -std=c11 -O1 -c $< -o $@

$(BUILD)/libfuwu.a: $(LIB_OBJ) $(BUILD)/obj/gen_assets.o
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuwu: $(BUILD)/obj/main.o $(BUILD)/libfuwu.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfuwu.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libfuwu.a $(LDFLAGS) $(LIBS) -lcmocka

web:
	cd web && npm run build

run: deps-run
	$(MAKE) web all
	bash scripts/run.sh

test: deps-test
	bash tests/run.sh

test-unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

bench: deps-test
	bash bench/run.sh

bench-routing: all
	bash bench/routing.sh

deps-run:
	bash scripts/deps.sh run

deps-test:
	bash scripts/deps.sh test

# Banned calls (as curl's checksrc): unbounded or error-blind libc functions.
lint:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|sscanf)\s*\(' $(SRC) || (echo "lint: banned call" && false)

clean:
	rm -rf build build-san

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
