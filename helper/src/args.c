/* args.c - strict argv parsing. Reject, never truncate. */
#include "args.h"
#include "fail.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	return (unsigned)(c - 'A' + 10);
}

/* Counted parse of exactly "DDDD:BB:DD.F"; no strtol, so no sign, space or prefix sneaks in. */
int parse_pci_addr(const char *s, struct pci_addr *out)
{
	static const char shape[] = "hhhh:hh:hh.h";
	size_t n = strnlen(s, VBH_ARG_MAX + 1);
	if (n != 12)
		return vbh_fail(EX_HELPER_USAGE, "bad-address", 0,
				"parse address: expected DDDD:BB:DD.F (12 characters), got %zu characters",
				n > VBH_ARG_MAX ? (size_t)VBH_ARG_MAX : n);
	unsigned v[4] = { 0, 0, 0, 0 };
	int field = 0;
	for (size_t i = 0; i < 12; i++) {
		if (shape[i] == 'h') {
			if (!is_hex(s[i]))
				return vbh_fail(EX_HELPER_USAGE, "bad-address", 0,
						"parse address: character %zu is not a hexadecimal digit; expected DDDD:BB:DD.F",
						i + 1);
			v[field] = v[field] * 16u + hexval(s[i]);
		} else {
			if (s[i] != shape[i])
				return vbh_fail(EX_HELPER_USAGE, "bad-address", 0,
						"parse address: character %zu must be '%c'; expected DDDD:BB:DD.F", i + 1,
						shape[i]);
			field++;
		}
	}
	if (v[2] > 0x1f)
		return vbh_fail(EX_HELPER_USAGE, "bad-address", 0, "parse address: device %02x is outside 00-1f",
				v[2]);
	if (v[3] > 7)
		return vbh_fail(EX_HELPER_USAGE, "bad-address", 0, "parse address: function %x is outside 0-7",
				v[3]);
	out->domain = v[0];
	out->bus = v[1];
	out->dev = v[2];
	out->fn = v[3];
	return 0;
}

void format_pci_addr(const struct pci_addr *a, char out[13])
{
	static const char hex[] = "0123456789abcdef";
	/* Fixed width by construction (ranges checked on parse), so no snprintf truncation to check. */
	out[0] = hex[(a->domain >> 12) & 15];
	out[1] = hex[(a->domain >> 8) & 15];
	out[2] = hex[(a->domain >> 4) & 15];
	out[3] = hex[a->domain & 15];
	out[4] = ':';
	out[5] = hex[(a->bus >> 4) & 15];
	out[6] = hex[a->bus & 15];
	out[7] = ':';
	out[8] = hex[(a->dev >> 4) & 15];
	out[9] = hex[a->dev & 15];
	out[10] = '.';
	out[11] = hex[a->fn & 7];
	out[12] = '\0';
}

/* Decimal only: digits, no sign, no space, no leading zeros (except "0"), within max. */
int parse_uint(const char *s, unsigned long long max, const char *what, unsigned long long *out)
{
	size_t n = strnlen(s, 21);
	if (n == 0 || n > 20)
		return vbh_fail(EX_HELPER_USAGE, "bad-number", 0, "parse %s: expected a decimal number of 1-20 digits",
				what);
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return vbh_fail(EX_HELPER_USAGE, "bad-number", 0,
					"parse %s: character %zu is not a decimal digit", what, i + 1);
	if (n > 1 && s[0] == '0')
		return vbh_fail(EX_HELPER_USAGE, "bad-number", 0, "parse %s: leading zeros are not accepted", what);
	unsigned long long v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10u)
			return vbh_fail(EX_HELPER_USAGE, "out-of-range", 0, "parse %s: value exceeds %llu", what, max);
		v = v * 10u + d;
	}
	*out = v;
	return 0;
}

int parse_uid(const char *s, const char *what, uint32_t *out)
{
	unsigned long long v;
	/* (uid_t)-1 is "no change" for chown: never a valid id. */
	if (parse_uint(s, 4294967294ull, what, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_mode(const char *s, unsigned *out)
{
	if (strcmp(s, "0600") == 0)
		*out = 0600;
	else if (strcmp(s, "0660") == 0)
		*out = 0660;
	else
		return vbh_fail(EX_HELPER_USAGE, "bad-mode", 0, "parse mode: expected 0600 or 0660");
	return 0;
}

/* POSIX-ish portable user name: [a-z_][a-z0-9_-]*, at most 32 characters. */
int parse_user_name(const char *s, char out[VBH_USER_MAX + 1])
{
	size_t n = strnlen(s, VBH_USER_MAX + 1);
	if (n == 0 || n > VBH_USER_MAX)
		return vbh_fail(EX_HELPER_USAGE, "bad-user", 0, "parse user: expected 1-%d characters", VBH_USER_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || c == '_' ||
			  (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
		if (!ok)
			return vbh_fail(EX_HELPER_USAGE, "bad-user", 0,
					"parse user: character %zu not allowed; expected [a-z_][a-z0-9_-]*", i + 1);
	}
	memcpy(out, s, n + 1);
	return 0;
}

/* Kernel driver names as they appear under /sys/bus/pci/drivers: [A-Za-z0-9_-], not "." or "..". */
int parse_driver_name(const char *s, char out[VBH_DRIVER_MAX + 1])
{
	size_t n = strnlen(s, VBH_DRIVER_MAX + 1);
	if (n == 0 || n > VBH_DRIVER_MAX)
		return vbh_fail(EX_HELPER_USAGE, "bad-driver", 0, "parse driver: expected 1-%d characters",
				VBH_DRIVER_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '-';
		if (!ok)
			return vbh_fail(EX_HELPER_USAGE, "bad-driver", 0,
					"parse driver: character %zu not allowed; expected [A-Za-z0-9_-]", i + 1);
	}
	memcpy(out, s, n + 1);
	return 0;
}

int bytes_to_kib(unsigned long long bytes, unsigned long long *kib)
{
	if (bytes % 1024u != 0)
		return vbh_fail(EX_HELPER_USAGE, "not-whole-kib", 0,
				"parse bytes: %llu is not a whole number of KiB (pam_limits counts memlock in KiB)",
				bytes);
	*kib = bytes / 1024u;
	return 0;
}

const char *verb_name(enum vbh_verb v)
{
	switch (v) {
	case V_VERSION: return "version";
	case V_INSPECT_GROUP: return "inspect-group";
	case V_BIND_GROUP: return "bind-group";
	case V_RESTORE: return "restore";
	case V_GRANT_NODES: return "grant-nodes";
	case V_REVOKE_NODES: return "revoke-nodes";
	case V_SET_NUMVFS: return "set-numvfs";
	case V_MEMLOCK_USER: return "memlock-user";
	case V_MEMLOCK_PID: return "memlock-pid";
	case V_HOLDERS: return "holders";
	case V_TERMINATE_HOLDERS: return "terminate-holders";
	case V_RESET: return "reset";
	case V_READ_CONFIG: return "read-config";
	case V_NONE: break;
	}
	return "none";
}

static const struct {
	const char *name;
	enum vbh_verb verb;
	int min_args, max_args; /* operands after the verb */
	const char *usage;
} verbs[] = {
	{ "version", V_VERSION, 0, 0, "version" },
	{ "inspect-group", V_INSPECT_GROUP, 1, 1, "inspect-group GROUP" },
	{ "bind-group", V_BIND_GROUP, 1, 1, "bind-group GROUP" },
	{ "restore", V_RESTORE, 1, 2, "restore ADDRESS [DRIVER]" },
	{ "grant-nodes", V_GRANT_NODES, 4, 4, "grant-nodes GROUP UID GID 0600|0660" },
	{ "revoke-nodes", V_REVOKE_NODES, 1, 1, "revoke-nodes GROUP" },
	{ "set-numvfs", V_SET_NUMVFS, 2, 2, "set-numvfs PF-ADDRESS N" },
	{ "memlock-user", V_MEMLOCK_USER, 2, 2, "memlock-user USER BYTES|remove" },
	{ "memlock-pid", V_MEMLOCK_PID, 3, 3, "memlock-pid PID UID BYTES" },
	{ "holders", V_HOLDERS, 1, 1, "holders GROUP" },
	{ "terminate-holders", V_TERMINATE_HOLDERS, 2, 2, "terminate-holders GROUP GRACE-MS" },
	{ "reset", V_RESET, 1, 1, "reset ADDRESS" },
	{ "read-config", V_READ_CONFIG, 1, 1, "read-config ADDRESS" },
};

static int parse_group(const char *s, unsigned *out)
{
	unsigned long long v;
	if (parse_uint(s, VBH_GROUP_MAX, "group", &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_addr_arg(const char *s, struct request *r)
{
	if (parse_pci_addr(s, &r->addr) < 0)
		return -1;
	format_pci_addr(&r->addr, r->bdf);
	return 0;
}

int args_parse(int argc, char *const argv[], struct request *r)
{
	memset(r, 0, sizeof *r);
	int i = 1;
	if (argc < 1 || argv == NULL)
		return vbh_fail(EX_HELPER_USAGE, "usage", 0, "parse arguments: empty argument vector");
	for (int k = 0; k < argc; k++) {
		if (argv[k] == NULL)
			return vbh_fail(EX_HELPER_USAGE, "usage", 0, "parse arguments: argument %d is missing", k);
#ifdef VBH_TEST_BUILD
		if (k == 2 && strcmp(argv[1], "--root") == 0)
			continue; /* TEST BUILD ONLY: the root path has its own bound below */
#endif
		if (strnlen(argv[k], VBH_ARG_MAX + 1) > VBH_ARG_MAX)
			return vbh_fail(EX_HELPER_USAGE, "argument-too-long", 0,
					"parse arguments: argument %d is longer than %d bytes", k, VBH_ARG_MAX);
	}
#ifdef VBH_TEST_BUILD
	/* TEST BUILD ONLY: the fake root directory. The production build has no such option. */
	if (argc < 3 || strcmp(argv[1], "--root") != 0)
		return vbh_fail(EX_HELPER_USAGE, "usage", 0, "parse arguments: the test build needs --root DIR first");
	if (argv[2][0] != '/' || strnlen(argv[2], 4097) > 4000)
		return vbh_fail(EX_HELPER_USAGE, "usage", 0, "parse arguments: --root needs an absolute path under 4000 bytes");
	r->root = argv[2];
	i = 3;
#else
	r->root = "/";
#endif
	if (i >= argc)
		return vbh_fail(EX_HELPER_USAGE, "usage", 0, "parse arguments: no verb given");
	const char *verb = argv[i];
	size_t nv = sizeof verbs / sizeof verbs[0];
	size_t v = 0;
	for (; v < nv; v++)
		if (strcmp(verb, verbs[v].name) == 0)
			break;
	if (v == nv)
		return vbh_fail(EX_HELPER_USAGE, "unknown-verb", 0, "parse arguments: unknown verb");
	r->verb = verbs[v].verb;
	r->verb_name = verbs[v].name;
	int nargs = argc - i - 1;
	char *const *a = argv + i + 1;
	if (nargs < verbs[v].min_args || nargs > verbs[v].max_args)
		return vbh_fail(EX_HELPER_USAGE, "usage", 0, "parse arguments: usage: %s", verbs[v].usage);

	unsigned long long n;
	switch (r->verb) {
	case V_VERSION:
		return 0;
	case V_INSPECT_GROUP:
	case V_BIND_GROUP:
	case V_REVOKE_NODES:
	case V_HOLDERS:
		return parse_group(a[0], &r->group);
	case V_RESTORE:
		if (parse_addr_arg(a[0], r) < 0)
			return -1;
		if (nargs == 2)
			return parse_driver_name(a[1], r->driver);
		return 0;
	case V_GRANT_NODES:
		if (parse_group(a[0], &r->group) < 0 || parse_uid(a[1], "uid", &r->uid) < 0 ||
		    parse_uid(a[2], "gid", &r->gid) < 0 || parse_mode(a[3], &r->mode) < 0)
			return -1;
		return 0;
	case V_SET_NUMVFS:
		if (parse_addr_arg(a[0], r) < 0 || parse_uint(a[1], VBH_NUMVFS_MAX, "numvfs", &n) < 0)
			return -1;
		r->numvfs = (unsigned)n;
		return 0;
	case V_MEMLOCK_USER:
		if (parse_user_name(a[0], r->user) < 0)
			return -1;
		if (strcmp(a[1], "remove") == 0) {
			r->remove = true;
			return 0;
		}
		if (parse_uint(a[1], VBH_BYTES_MAX, "bytes", &r->bytes) < 0)
			return -1;
		return bytes_to_kib(r->bytes, &n);
	case V_MEMLOCK_PID:
		if (parse_uint(a[0], VBH_PID_MAX, "pid", &n) < 0)
			return -1;
		if (n < 2)
			return vbh_fail(EX_HELPER_USAGE, "out-of-range", 0, "parse pid: must be 2 or more");
		r->pid = (unsigned)n;
		if (parse_uid(a[1], "uid", &r->uid) < 0 || parse_uint(a[2], VBH_BYTES_MAX, "bytes", &r->bytes) < 0)
			return -1;
		return 0;
	case V_TERMINATE_HOLDERS:
		if (parse_group(a[0], &r->group) < 0 || parse_uint(a[1], VBH_GRACE_MAX_MS, "grace-ms", &n) < 0)
			return -1;
		r->grace_ms = (unsigned)n;
		return 0;
	case V_RESET:
	case V_READ_CONFIG:
		return parse_addr_arg(a[0], r);
	case V_NONE:
		break;
	}
	return vbh_fail(EX_HELPER_INTERNAL, "internal", 0, "parse arguments: unhandled verb");
}
