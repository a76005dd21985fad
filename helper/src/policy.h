/* policy.h - the helper's own policy file: caller, min-uid, allow/deny rules. Deny wins; default deny. */
#ifndef VBH_POLICY_H
#define VBH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "args.h"

#define VBH_POLICY_MAX_BYTES 65536
#define VBH_POLICY_MAX_RULES 256
#define VBH_POLICY_MAX_LINE 256
#define VBH_DEFAULT_MIN_UID 1000u

enum rule_kind { R_ADDRESS, R_ID, R_CLASS };

struct rule {
	bool allow;
	enum rule_kind kind;
	struct pci_addr addr;
	unsigned vendor, device;
	unsigned class_value;  /* class code prefix */
	unsigned class_digits; /* 2, 4 or 6 hex digits given */
	unsigned line;
};

struct policy {
	char caller[VBH_USER_MAX + 1];
	uint32_t min_uid;
	size_t nrules;
	struct rule rules[VBH_POLICY_MAX_RULES];
};

/* What the evaluator needs to know about a device. */
struct dev_identity {
	struct pci_addr addr;
	unsigned vendor, device;
	unsigned class_code; /* 24 bits, as in sysfs "class" */
	bool is_root_device; /* holds the root filesystem: always denied */
};

/* Pure parser (fuzzed): 0 or -1 with vbh_fail set (exit 78, message names the line). */
int policy_parse(const char *text, size_t len, struct policy *p);

/* Loads <rootfd>/etc/vfio-broker/helper.conf after checking owner and mode of file and directory. */
int policy_load(int rootfd, struct policy *p);

/* Decision with the rule that decided it ("default deny" when none matched). */
struct decision {
	bool allowed;
	const char *why;   /* "rule", "default-deny", "root-device" */
	unsigned line;     /* policy line of the deciding rule, 0 if none */
};
struct decision policy_evaluate(const struct policy *p, const struct dev_identity *d);

#endif
