/* policy.c - parse, load and evaluate /etc/vfio-broker/helper.conf. */
#include "policy.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits one line into at most 4 whitespace-separated words; -1 if more. */
static int split_words(char *line, char *w[4])
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		if (n == 4)
			return -1;
		w[n++] = p;
		while (*p != '\0' && !is_space(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

static bool hex_digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v * 16u + d;
	}
	*out = v;
	return true;
}

static int parse_rule(struct policy *p, char *w[4], int n, unsigned line)
{
	if (n != 3)
		return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
				"load policy: line %u: expected 'allow|deny address|id|class VALUE'", line);
	if (p->nrules == VBH_POLICY_MAX_RULES)
		return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0, "load policy: line %u: more than %d rules",
				line, VBH_POLICY_MAX_RULES);
	struct rule *r = &p->rules[p->nrules];
	memset(r, 0, sizeof *r);
	r->allow = strcmp(w[0], "allow") == 0;
	r->line = line;
	size_t vl = strlen(w[2]);
	if (strcmp(w[1], "address") == 0) {
		r->kind = R_ADDRESS;
		if (parse_pci_addr(w[2], &r->addr) < 0) {
			vbh_fail_reset();
			return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
					"load policy: line %u: address must be DDDD:BB:DD.F", line);
		}
	} else if (strcmp(w[1], "id") == 0) {
		r->kind = R_ID;
		if (vl != 9 || w[2][4] != ':' || !hex_digits(w[2], 4, &r->vendor) ||
		    !hex_digits(w[2] + 5, 4, &r->device))
			return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
					"load policy: line %u: id must be VVVV:DDDD (hexadecimal)", line);
	} else if (strcmp(w[1], "class") == 0) {
		r->kind = R_CLASS;
		if ((vl != 4 && vl != 6 && vl != 8) || w[2][0] != '0' || (w[2][1] != 'x' && w[2][1] != 'X') ||
		    !hex_digits(w[2] + 2, vl - 2, &r->class_value))
			return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
					"load policy: line %u: class must be 0xCC, 0xCCSS or 0xCCSSPP", line);
		r->class_digits = (unsigned)(vl - 2);
	} else {
		return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
				"load policy: line %u: rule kind must be address, id or class", line);
	}
	p->nrules++;
	return 0;
}

static int parse_line(struct policy *p, char *line, unsigned lineno, bool *have_caller, bool *have_min)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *eq = strchr(line, '=');
	if (eq) {
		*eq = '\0';
		char *k[4], *v[4];
		int nk = split_words(line, k), nv = split_words(eq + 1, v);
		if (nk != 1 || nv != 1)
			return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
					"load policy: line %u: expected 'key = value'", lineno);
		if (strcmp(k[0], "caller") == 0) {
			if (*have_caller)
				return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
						"load policy: line %u: caller given twice", lineno);
			if (parse_user_name(v[0], p->caller) < 0) {
				vbh_fail_reset();
				return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
						"load policy: line %u: caller must be an account name", lineno);
			}
			*have_caller = true;
		} else if (strcmp(k[0], "min-uid") == 0) {
			unsigned long long u;
			if (*have_min)
				return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
						"load policy: line %u: min-uid given twice", lineno);
			if (parse_uint(v[0], 4294967294ull, "min-uid", &u) < 0) {
				vbh_fail_reset();
				return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
						"load policy: line %u: min-uid must be a decimal number", lineno);
			}
			if (u == 0)
				return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
						"load policy: line %u: min-uid 0 would let devices go to root; refused",
						lineno);
			p->min_uid = (uint32_t)u;
			*have_min = true;
		} else {
			return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0, "load policy: line %u: unknown key",
					lineno);
		}
		return 0;
	}
	char *w[4];
	int n = split_words(line, w);
	if (n == 0)
		return 0;
	if (n < 0)
		return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0, "load policy: line %u: too many words",
				lineno);
	if (strcmp(w[0], "allow") == 0 || strcmp(w[0], "deny") == 0)
		return parse_rule(p, w, n, lineno);
	return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
			"load policy: line %u: expected 'caller =', 'min-uid =', 'allow' or 'deny'", lineno);
}

int policy_parse(const char *text, size_t len, struct policy *p)
{
	memset(p, 0, sizeof *p);
	p->min_uid = VBH_DEFAULT_MIN_UID;
	if (len > VBH_POLICY_MAX_BYTES)
		return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0, "load policy: larger than %d bytes",
				VBH_POLICY_MAX_BYTES);
	bool have_caller = false, have_min = false;
	unsigned lineno = 0;
	size_t pos = 0;
	while (pos < len) {
		lineno++;
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		size_t ll = end - pos;
		if (ll > VBH_POLICY_MAX_LINE)
			return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
					"load policy: line %u: longer than %d bytes", lineno, VBH_POLICY_MAX_LINE);
		char line[VBH_POLICY_MAX_LINE + 1];
		for (size_t i = 0; i < ll; i++) {
			char c = text[pos + i];
			if (c == '\r' && i + 1 == ll) {
				ll--;
				break;
			}
			if ((unsigned char)c < 0x20 && c != '\t')
				return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
						"load policy: line %u: control character", lineno);
			if ((unsigned char)c >= 0x7f)
				return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0,
						"load policy: line %u: non-ASCII character", lineno);
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		if (parse_line(p, line, lineno, &have_caller, &have_min) < 0)
			return -1;
		pos = end + 1;
	}
	if (!have_caller)
		return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0, "load policy: no 'caller = ACCOUNT' line");
	return 0;
}

/* TEST BUILD ONLY difference: fixture files belong to whoever runs the tests. */
static bool trusted_owner(uid_t owner)
{
#ifdef VBH_TEST_BUILD
	return owner == 0 || owner == getuid();
#else
	return owner == 0;
#endif
}

static int check_secure(const struct stat *st, const char *what)
{
	if (!trusted_owner(st->st_uid))
		return vbh_fail(EX_HELPER_CONFIG, "policy-insecure", 0, "load policy: %s is not owned by root (uid %u)",
				what, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return vbh_fail(EX_HELPER_CONFIG, "policy-insecure", 0,
				"load policy: %s is writable by group or others (mode %04o)", what,
				(unsigned)(st->st_mode & 07777));
	return 0;
}

int policy_load(int rootfd, struct policy *p)
{
	static const char *const dirs[] = { "etc", "vfio-broker" };
	int dfd = dup(rootfd);
	if (dfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "load policy: dup root");
	struct stat st;
	for (size_t i = 0; i < 2; i++) {
		int nfd = openat(dfd, dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(dfd);
		if (nfd < 0)
			return vbh_fail(EX_HELPER_CONFIG, e == ENOENT ? "policy-missing" : "policy-insecure", e,
					"load policy: open directory %s", dirs[i]);
		dfd = nfd;
		if (fstat(dfd, &st) < 0) {
			e = errno;
			close(dfd);
			return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "load policy: stat %s", dirs[i]);
		}
		if (i == 1 && check_secure(&st, "directory /etc/vfio-broker") < 0) {
			close(dfd);
			return -1;
		}
	}
	int fd = openat(dfd, "helper.conf", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int e = errno;
	close(dfd);
	if (fd < 0)
		return vbh_fail(EX_HELPER_CONFIG, e == ENOENT ? "policy-missing" : "policy-insecure", e,
				"load policy: open /etc/vfio-broker/helper.conf");
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "load policy: stat helper.conf");
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return vbh_fail(EX_HELPER_CONFIG, "policy-insecure", 0, "load policy: helper.conf is not a regular file");
	}
	if (check_secure(&st, "helper.conf") < 0) {
		close(fd);
		return -1;
	}
	if (st.st_size > VBH_POLICY_MAX_BYTES) {
		close(fd);
		return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0, "load policy: larger than %d bytes",
				VBH_POLICY_MAX_BYTES);
	}
	static char buf[VBH_POLICY_MAX_BYTES + 1];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof buf - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "load policy: read helper.conf");
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > VBH_POLICY_MAX_BYTES) {
			close(fd);
			return vbh_fail(EX_HELPER_CONFIG, "policy-malformed", 0, "load policy: larger than %d bytes",
					VBH_POLICY_MAX_BYTES);
		}
	}
	close(fd);
	return policy_parse(buf, len, p);
}

static bool matches(const struct rule *r, const struct dev_identity *d)
{
	switch (r->kind) {
	case R_ADDRESS:
		return r->addr.domain == d->addr.domain && r->addr.bus == d->addr.bus && r->addr.dev == d->addr.dev &&
		       r->addr.fn == d->addr.fn;
	case R_ID:
		return r->vendor == d->vendor && r->device == d->device;
	case R_CLASS: {
		unsigned shift = 24u - 4u * r->class_digits;
		return (d->class_code >> shift) == r->class_value;
	}
	}
	return false;
}

struct decision policy_evaluate(const struct policy *p, const struct dev_identity *d)
{
	struct decision dec = { false, "default-deny", 0 };
	if (d->is_root_device) {
		dec.why = "root-device";
		return dec;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];
		if (!matches(r, d))
			continue;
		if (!r->allow) {
			dec.allowed = false;
			dec.why = "deny-rule";
			dec.line = r->line;
			return dec; /* deny wins, whatever comes before or after */
		}
		if (!dec.allowed) {
			dec.allowed = true;
			dec.why = "allow-rule";
			dec.line = r->line;
		}
	}
	return dec;
}
