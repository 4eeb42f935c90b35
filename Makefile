# crosscheck — plain make. `make -j2` builds the library (static and shared), the CLI and the
# unit tests into $(BUILD)/. `make test` runs the unit tests and the ONNX conformance suite.
BUILD    ?= build
ifeq ($(origin CC),default)
CC       = gcc
endif
SAN      ?=
OPT      ?= -O2
CFLAGS   ?=
PYTHON   ?= python3
PROTO_ROOT ?= /usr/include

# The reference must be an honest oracle: no fused multiply-add contraction anywhere we compute.
# Only what include/crosscheck/ marks XC_API is exported from the shared library
# (-fvisibility=hidden); XC_ASSERT invariants are checked in sanitizer and unoptimized builds.
INVARIANTS ?= $(if $(SAN),1,$(if $(filter -O2 -O3 -Os,$(OPT)),,1))
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wvla -Wno-format-truncation -fPIC -g $(OPT) -ffp-contract=off \
              -fvisibility=hidden $(if $(filter 1,$(INVARIANTS)),-DXC_CHECK_INVARIANTS) \
              -I include -I src -I reference -I $(BUILD)/gen $(SAN)
LDLIBS   = -lprotobuf-c -lcjson -lOpenCL -lz -lm -lpthread
LDLIBS  += -lgvc -lcgraph

LIB_SRC  = $(wildcard src/*.c src/ops/*.c src/ocl/*.c src/ocl/layers/*.c src/ocl/passes/*.c src/surgeon/*.c \
                      reference/*.c reference/ops/*.c src/debug/*.c src/runners/*.c)
KERNELS  = $(sort $(wildcard kernels/*.cl))
CLI_SRC  = $(wildcard cli/*.c)
TEST_SRC = $(wildcard tests/unit/*.c)
GEN_C    = $(BUILD)/gen/onnx/onnx.pb-c.c
GEN_H    = $(BUILD)/gen/onnx/onnx.pb-c.h

LIB_OBJ  = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/gen/onnx.pb-c.o $(BUILD)/obj/gen/kernels_embed.o
CLI_OBJ  = $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
TEST_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_SRC))

all: $(BUILD)/libcrosscheck.a $(BUILD)/libcrosscheck.so $(BUILD)/crosscheck $(BUILD)/unit_tests

$(GEN_C) $(GEN_H) &: $(PROTO_ROOT)/onnx/onnx.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -I$(PROTO_ROOT) onnx/onnx.proto

# Objects depend on the compiler flags they were built with: changing OPT, SAN or the flags
# above rebuilds them (a stale object would keep, say, its old symbol visibility).
FLAGS_STAMP = $(BUILD)/obj/.cflags
FLAGS_TEXT  = $(CC) $(subst $(BUILD)/gen,BUILD/gen,$(BASE_CFLAGS)) $(CFLAGS) # the same build named another way is the same
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(FLAGS_TEXT)' | cmp -s - $@ || echo '$(FLAGS_TEXT)' > $@
FORCE:

$(BUILD)/obj/gen/onnx.pb-c.o: $(GEN_C) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Wno-unused-parameter $(CFLAGS) -c $< -o $@

# kernels/*.cl are embedded as C strings (one table entry per file) so the library is self-contained.
$(BUILD)/gen/kernels_embed.c: $(KERNELS) Makefile
	@mkdir -p $(dir $@)
	@echo "GEN $@"
	@{ echo '/* generated from the kernels folder by the Makefile: do not edit */'; \
	  echo 'typedef struct kernel_file { const char *name, *source; } kernel_file;'; \
	  echo 'extern const kernel_file xc_kernel_files[];'; \
	  echo 'const kernel_file xc_kernel_files[] = {'; \
	  for f in $(KERNELS); do \
	    echo "{\"$$(basename $$f)\","; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
	    echo '},'; \
	  done; \
	  echo '{0, 0}};'; } > $@

$(BUILD)/obj/gen/kernels_embed.o: $(BUILD)/gen/kernels_embed.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(CC) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(GEN_H) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(BASE_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcrosscheck.a: $(LIB_OBJ)
	@echo "AR $@"
	@rm -f $@ && ar rcs $@ $^

# The shared library exports the public API alone (XC_API in include/crosscheck/; everything
# else, protobuf-c's onnx__* code included, is compiled hidden). The CLI, unit tests and fuzz
# replays link the static library, which keeps every symbol. Its soname carries the major
# number of XC_VERSION.
VERSION  := $(shell sed -n 's/^\#define XC_VERSION "\(.*\)"/\1/p' include/crosscheck/api.h)
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
$(BUILD)/libcrosscheck.so: $(LIB_OBJ)
	@echo "LD $@"
	@$(CC) -shared $(SAN) -Wl,-soname,libcrosscheck.so.$(SOMAJOR) -o $@ $(LIB_OBJ) $(LDLIBS)

# -rdynamic and the whole archive: plugins loaded with --plugins resolve every XC_API function
# against the CLI itself (only those are visible; the rest is compiled hidden).
$(BUILD)/crosscheck: $(CLI_OBJ) $(BUILD)/libcrosscheck.a
	@echo "LD $@"
	@$(CC) $(SAN) -rdynamic -o $@ $(CLI_OBJ) -Wl,--whole-archive $(BUILD)/libcrosscheck.a -Wl,--no-whole-archive $(LDLIBS)

$(BUILD)/unit_tests: $(TEST_OBJ) $(BUILD)/libcrosscheck.a
	@echo "LD $@"
	@$(CC) $(SAN) -o $@ $(TEST_OBJ) $(BUILD)/libcrosscheck.a $(LDLIBS)

# Custom-op plugins (plugins/<name>/*.c -> $(BUILD)/plugins/<name>.so, loaded with --plugins):
# built as a user would, against the public headers alone, with the XC_API functions left
# undefined (they resolve against the crosscheck that loads them). The test suite builds them.
PLUGIN_NAMES = $(notdir $(wildcard plugins/*))
PLUGIN_LIBS  = $(patsubst %,$(BUILD)/plugins/%.so,$(PLUGIN_NAMES))
plugins: $(PLUGIN_LIBS)
.SECONDEXPANSION:
$(BUILD)/plugins/%.so: $$(wildcard plugins/%/*.c plugins/%/*.h) $(wildcard include/crosscheck/*.h)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) -std=c11 -Wall -Wextra -Werror -Wvla -fPIC -shared -g $(OPT) -ffp-contract=off -fvisibility=hidden $(SAN) \
	    -I include -o $@ $(filter %.c,$^) -lm

# `make install PREFIX=... [DESTDIR=...]`: the libraries (libcrosscheck.so.$(VERSION) with its
# soname link), the public headers (include/crosscheck/), the CLI and crosscheck.pc.
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
LIBDIR    = $(PREFIX)/lib
INCDIR    = $(PREFIX)/include/crosscheck
PCDIR     = $(LIBDIR)/pkgconfig
PUBLIC_HEADERS = $(notdir $(wildcard include/crosscheck/*.h))
install: $(BUILD)/libcrosscheck.a $(BUILD)/libcrosscheck.so $(BUILD)/crosscheck
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PCDIR) $(DESTDIR)$(INCDIR)
	install -m 755 $(BUILD)/crosscheck $(DESTDIR)$(BINDIR)/crosscheck
	install -m 644 $(BUILD)/libcrosscheck.a $(DESTDIR)$(LIBDIR)/libcrosscheck.a
	install -m 755 $(BUILD)/libcrosscheck.so $(DESTDIR)$(LIBDIR)/libcrosscheck.so.$(VERSION)
	ln -sf libcrosscheck.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcrosscheck.so.$(SOMAJOR)
	ln -sf libcrosscheck.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libcrosscheck.so
	@for h in $(PUBLIC_HEADERS); do install -m 644 include/crosscheck/$$h $(DESTDIR)$(INCDIR)/$$h || exit 1; done
	@{ echo 'prefix=$(PREFIX)'; echo 'libdir=$${prefix}/lib'; echo 'includedir=$${prefix}/include'; \
	  echo; echo 'Name: crosscheck'; echo 'Description: ONNX model debugging: reference interpreter, OpenCL engine, comparisons'; \
	  echo 'Version: $(VERSION)'; echo 'Cflags: -I$${includedir}'; \
	  echo 'Libs: -L$${libdir} -lcrosscheck'; echo 'Libs.private: $(LDLIBS)'; } > $(DESTDIR)$(PCDIR)/crosscheck.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/crosscheck $(DESTDIR)$(LIBDIR)/libcrosscheck.a $(DESTDIR)$(LIBDIR)/libcrosscheck.so \
	    $(DESTDIR)$(LIBDIR)/libcrosscheck.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libcrosscheck.so.$(VERSION) \
	    $(DESTDIR)$(PCDIR)/crosscheck.pc
	rm -rf $(DESTDIR)$(INCDIR)

# Python (with a pinned onnx) is a test-time tool only: it lives in a venv under build/ and
# generates the ONNX conformance suite, fixtures and hostile models (nothing generated is committed).
ONNX_PIN ?= onnx==1.23.2
# the independent judges of the trust tests: Polygraphy for comparison semantics, ONNX Runtime
# for op semantics (both from PyPI, pinned)
JUDGE_PINS ?= polygraphy==0.53.6 onnxruntime==1.32.0
VENV     ?= build/venv
VPY       = $(VENV)/bin/python
CONF_DIR ?= build/onnx-tests

$(VENV)/.done:
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q $(ONNX_PIN) numpy $(JUDGE_PINS)
	@touch $@

$(CONF_DIR)/.done: tests/conformance/gen_node_tests.py $(VENV)/.done
	$(VPY) tests/conformance/gen_node_tests.py --out $(CONF_DIR) --venv $(VENV)
	@touch $@

conformance-data: $(CONF_DIR)/.done

# The two entry points of the README: each first makes sure the system packages are there.
DEMO_MODEL = models/small_cnn
demo:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory all
	./$(BUILD)/crosscheck run $(DEMO_MODEL)/model.onnx --ref --ocl --load-outputs $(DEMO_MODEL)/test_data_set_0 \
	    --load-inputs $(DEMO_MODEL)/test_data_set_0 --per-layer

# Two tiers. `make test` (the fast tier, what CI runs) builds OpenCL engines at optimization
# level 0 (baseline tactics, nothing timed) except where a test checks tuning, and leaves out
# the long-only sections; `make test-long` tunes every engine and adds the GPU-sized tactic
# variants and the ONNX node suite on the OpenCL engine.
TEST_ARGS ?=
# sections run in this many processes (PoCL compiles and the reference use one core each)
TEST_JOBS ?= 2
# (clang, llvm-14 and libclc-14: bench/kernel_occupancy.py's test, which also needs the CUDA
# toolkit's ptxas and is left out where there is none)
test:
	@sh tools/deps.sh clang llvm-14 libclc-14
	@$(MAKE) --no-print-directory all plugins conformance-data
	$(VPY) tests/run_tests.py --build $(BUILD) --conf $(CONF_DIR) --jobs $(TEST_JOBS) $(TEST_ARGS)

test-long:
	@$(MAKE) --no-print-directory test TEST_ARGS="--tier long $(TEST_ARGS)"

# Fuzzing. Each fuzz/fuzz_<target>.c is built twice: by $(CC) with fuzz/replay_main.c into
# $(BUILD)/replay/<target>, which `make test` runs over tests/fuzz_regressions/<target>/ (so every
# crash ever found stays fixed, under the sanitizer build too), and by `make fuzz` with clang and
# libFuzzer into $(FUZZ_BUILD)/, run FUZZ_SECONDS each on corpora seeded by fuzz/make_seeds.sh.
FUZZ_TARGETS = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_HELPERS = $(filter-out fuzz/replay_main.c $(wildcard fuzz/fuzz_*.c),$(wildcard fuzz/*.c))
FUZZ_REPLAY  = $(patsubst %,$(BUILD)/replay/%,$(FUZZ_TARGETS))
all: $(FUZZ_REPLAY)

$(BUILD)/replay/%: fuzz/%.c fuzz/replay_main.c $(FUZZ_HELPERS) $(wildcard fuzz/*.h) $(BUILD)/libcrosscheck.a
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $< fuzz/replay_main.c $(FUZZ_HELPERS) $(BUILD)/libcrosscheck.a $(LDLIBS)

FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -I include -I src -I reference -I $(FUZZ_BUILD)/gen
fuzz: all $(VENV)/.done
	@sh tools/deps.sh clang libclang-rt-dev
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT=-O1 CFLAGS=-Wno-unknown-warning-option \
	    SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_BUILD)/libcrosscheck.a
	@mkdir -p $(FUZZ_BUILD)/fuzz
	@for t in $(FUZZ_TARGETS); do echo "LD $(FUZZ_BUILD)/fuzz/$$t"; \
	  clang $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $(FUZZ_BUILD)/fuzz/$$t \
	      fuzz/$$t.c $(FUZZ_HELPERS) $(FUZZ_BUILD)/libcrosscheck.a $(LDLIBS) || exit 1; done
	@sh fuzz/make_seeds.sh $(FUZZ_BUILD)/corpus $(BUILD)/crosscheck $(VPY)
	sh fuzz/run.sh $(FUZZ_BUILD)/fuzz $(FUZZ_BUILD)/corpus $(FUZZ_SECONDS)

.PHONY: FORCE all plugins demo test test-long conformance-data clean fuzz install uninstall
clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
