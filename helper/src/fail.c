/* fail.c - the one error path. */
#include "fail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct vbh_failure vbh_fail_state;

int vbh_fail(int exit_code, const char *code, int err, const char *fmt, ...)
{
	if (vbh_fail_state.exit_code != 0)
		return -1; /* keep the first, most specific failure */
	vbh_fail_state.exit_code = exit_code;
	vbh_fail_state.err = err;
	/*
	 * Codes are compile-time literals shorter than the buffer. One that is not is a bug: never
	 * report a cut code (it could read as another), report the bug (70, "internal") instead.
	 */
	if (!vbh_fmt(vbh_fail_state.code, sizeof vbh_fail_state.code, "%s", code)) {
		vbh_fail_state.exit_code = EX_HELPER_INTERNAL;
		memcpy(vbh_fail_state.code, "internal", sizeof "internal");
	}

	char detail[640];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof detail) {
		/* The message names objects we already validated; mark rather than hide a cut. */
		memcpy(detail + sizeof detail - 5, "...", 4);
	}
	if (err != 0)
		n = snprintf(vbh_fail_state.message, sizeof vbh_fail_state.message, "%s (%s)", detail,
			     strerror(err));
	else
		n = snprintf(vbh_fail_state.message, sizeof vbh_fail_state.message, "%s", detail);
	if (n < 0 || (size_t)n >= sizeof vbh_fail_state.message)
		memcpy(vbh_fail_state.message + sizeof vbh_fail_state.message - 5, "...", 4);
	return -1;
}

void vbh_fail_reset(void)
{
	memset(&vbh_fail_state, 0, sizeof vbh_fail_state);
}
