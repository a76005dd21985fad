/* args.h - strict parsing of argv: every value is checked for syntax and range, nothing truncated. */
#ifndef VBH_ARGS_H
#define VBH_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define VBH_ARG_MAX 256          /* longest argument accepted at all */
#define VBH_GROUP_MAX 1000000u   /* IOMMU group numbers are small non-negative ints */
#define VBH_PID_MAX 4194304u     /* PID_MAX_LIMIT on 64-bit */
#define VBH_GRACE_MAX_MS 600000u
#define VBH_NUMVFS_MAX 65535u
#define VBH_BYTES_MAX (1ull << 62)
#define VBH_USER_MAX 32
#define VBH_DRIVER_MAX 63

struct pci_addr {
	unsigned domain, bus, dev, fn;
};

enum vbh_verb {
	V_NONE = 0,
	V_VERSION,
	V_INSPECT_GROUP,
	V_BIND_GROUP,
	V_RESTORE,
	V_GRANT_NODES,
	V_REVOKE_NODES,
	V_SET_NUMVFS,
	V_MEMLOCK_USER,
	V_MEMLOCK_PID,
	V_HOLDERS,
	V_TERMINATE_HOLDERS,
	V_RESET,
	V_READ_CONFIG
};

struct request {
	enum vbh_verb verb;
	const char *verb_name;
	const char *root;          /* test build only: the fake root directory */
	unsigned group;
	struct pci_addr addr;
	char bdf[13];              /* canonical lower-case "dddd:bb:dd.f" */
	char driver[VBH_DRIVER_MAX + 1]; /* restore: optional named driver, "" if none */
	uint32_t uid, gid;
	unsigned mode;             /* 0600 or 0660 */
	unsigned numvfs;
	char user[VBH_USER_MAX + 1];
	bool remove;               /* memlock-user ... remove */
	unsigned long long bytes;
	unsigned pid;
	unsigned grace_ms;
};

/* Value parsers: 0 on success, -1 with vbh_fail set (exit 64). `what` names the argument. */
int parse_pci_addr(const char *s, struct pci_addr *out);
void format_pci_addr(const struct pci_addr *a, char out[13]);
int parse_uint(const char *s, unsigned long long max, const char *what, unsigned long long *out);
int parse_uid(const char *s, const char *what, uint32_t *out);
int parse_mode(const char *s, unsigned *out);
int parse_user_name(const char *s, char out[VBH_USER_MAX + 1]);
int parse_driver_name(const char *s, char out[VBH_DRIVER_MAX + 1]);
/* Whole KiB: bytes must be a multiple of 1024 (pam_limits counts memlock in KiB). */
int bytes_to_kib(unsigned long long bytes, unsigned long long *kib);

/* Parses the whole argv; in the test build argv must start with "--root DIR". */
int args_parse(int argc, char *const argv[], struct request *r);

/* Name of a verb for messages. */
const char *verb_name(enum vbh_verb v);

#endif
