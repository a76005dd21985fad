/* fail.h - the one error path: exit code, stable machine code, message naming action, object, errno. */
#ifndef VBH_FAIL_H
#define VBH_FAIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes (documented in vfio-broker-helper.8; stable). */
enum {
	EX_HELPER_OK = 0,
	EX_HELPER_USAGE = 64,     /* malformed arguments */
	EX_HELPER_POLICY = 65,    /* refused by the policy file */
	EX_HELPER_UNSAFE = 66,    /* in use, not viable, noiommu, held, path escape */
	EX_HELPER_NOTFOUND = 67,  /* device, group, node, user or process not found */
	EX_HELPER_CALLER = 69,    /* the calling account is not the configured caller */
	EX_HELPER_INTERNAL = 70,  /* internal limit or bug */
	EX_HELPER_SYSCALL = 71,   /* a system call failed */
	EX_HELPER_CONFIG = 78     /* policy file insecure or malformed */
};

struct vbh_failure {
	int exit_code;     /* one of the EX_HELPER_* values, 0 while no failure */
	char code[40];     /* stable machine code, e.g. "in-use" */
	char message[768]; /* "action: object: detail (errno text)" */
	int err;           /* errno, 0 if none */
};

extern struct vbh_failure vbh_fail_state;

/* Records a failure (the first one wins) and returns -1, so callers can "return vbh_fail(...)". */
int vbh_fail(int exit_code, const char *code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Forgets the recorded failure (fuzz targets and unit tests). */
void vbh_fail_reset(void);

/*
 * snprintf into a fixed buffer, checked (house style: no snprintf result is ignored). True when
 * the whole text fit; false on an output error or when it would have been cut, and out is then ""
 * (never a cut string). Records nothing: the caller reports with vbh_fail, naming what it formats.
 */
static inline bool vbh_fmt(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline bool vbh_fmt(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < size)
		return true;
	if (size > 0)
		out[0] = '\0';
	return false;
}

#endif
