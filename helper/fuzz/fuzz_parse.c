/*
 * fuzz_parse.c - libFuzzer target for the helper's input parsing: argv (args_parse) and the
 * policy file (policy_parse), plus the /proc status parser. The first byte picks the target; for
 * argv the rest is split at NUL bytes into arguments.
 */
#include "args.h"
#include "fail.h"
#include "policy.h"
#include "proc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 70000)
		return 0;
	uint8_t sel = data[0] % 3;
	const char *rest = (const char *)data + 1;
	size_t n = size - 1;
	vbh_fail_reset();
	if (sel == 0) {
		static struct policy p;
		policy_parse(rest, n, &p);
		if (vbh_fail_state.exit_code == 0 && p.min_uid == 0)
			abort(); /* min-uid 0 must never come out of the parser */
	} else if (sel == 1) {
		char *copy = malloc(n + 1);
		if (!copy)
			return 0;
		memcpy(copy, rest, n);
		copy[n] = '\0';
		char *argv[34];
		int argc = 0;
		argv[argc++] = (char *)"vfio-broker-helper";
		size_t i = 0;
		while (i <= n && argc < 33) {
			argv[argc++] = copy + i;
			i += strlen(copy + i) + 1;
		}
		argv[argc] = NULL;
		struct request r;
		if (args_parse(argc, argv, &r) == 0 && (r.verb == V_GRANT_NODES) && r.mode != 0600 && r.mode != 0660)
			abort();
		free(copy);
	} else {
		char *copy = malloc(n + 1);
		if (!copy)
			return 0;
		memcpy(copy, rest, n);
		copy[n] = '\0';
		struct proc_status st;
		parse_status(copy, &st);
		free(copy);
	}
	return 0;
}
