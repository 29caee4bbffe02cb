/*
 * route_fuzz.c — libFuzzer target for the route optimiser's JSON reader, and for the solver
 * on whatever small problem the reader accepts. Any input must give either a solution or a
 * message, never a crash, a leak or undefined behaviour.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *         tests/fuzz/route_fuzz.c src/route/rt_*.c src/util/util.c \
 *         $(pkg-config --cflags --libs jansson libsodium) -lm -o /tmp/route_fuzz
 *   /tmp/route_fuzz -max_len=4096 tests/fuzz/route_corpus
 */
#include "route/rt.h"
#include "route/rt_json.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!in)
		return 0;
	char err[256];
	rt_problem p;
	if (rt_json_parse(in, 40, &p, err, sizeof(err)) == 0) {
		rt_problem_free(&p);
		rt_params par;
		rt_params_default(&par);
		par.time_limit = 0.05;
		par.max_iterations = 3;
		json_t *out = rt_json_solve(in, &par, 40, err, sizeof(err));
		json_decref(out);
	}
	json_decref(in);
	return 0;
}
