/* usage.c - the in-use rules. Read-only: mountinfo, swaps, routes, sysfs subtree of the device. */
#include "usage.h"
#include "fail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROC_FILE_MAX (1024 * 1024)
#define WALK_DEPTH_MAX 8
#define WALK_DIRS_MAX 20000
#define HOLDER_DEPTH_MAX 4

static void add_reason(struct usage *u, const char *kind, const char *name, const char *state)
{
	for (size_t i = 0; i < u->count; i++) {
		char tmp[96];
		/* A cut tmp could equal another, stored reason: only a whole one is a duplicate. */
		if (vbh_fmt(tmp, sizeof tmp, "%s:%s:%s", kind, name, state) && strcmp(tmp, u->reasons[i]) == 0)
			return;
	}
	if (u->count == VBH_REASONS_MAX)
		return; /* the device is refused anyway; the list is long enough to act on */
	/* A reason that does not fit is still counted (the device is refused); only its text is shortened. */
	char *r = u->reasons[u->count];
	if (!vbh_fmt(r, sizeof u->reasons[0], "%s:%s:%s", kind, name, state) &&
	    !vbh_fmt(r, sizeof u->reasons[0], "%s:(long name):%s", kind, state))
		memcpy(r, "(long reason)", sizeof "(long reason)"); /* kind and state are short literals */
	u->count++;
}

/*
 * /proc/self and /proc/net are symbolic links, which open_beneath refuses to follow: read this
 * process's own /proc/<pid>/REL instead (the pid read from the self link, so that it is the pid as
 * this proc mount numbers it). In a fixture tree proc/self is a plain directory: the path is used
 * as given there.
 */
static const char *own_proc(int procfd, const char *rel, const char *as_given, char *buf, size_t n)
{
	char pid[16];
	ssize_t k = readlinkat(procfd, "self", pid, sizeof pid);
	if (k <= 0 || (size_t)k >= sizeof pid)
		return as_given;
	for (ssize_t i = 0; i < k; i++)
		if (pid[i] < '0' || pid[i] > '9')
			return as_given;
	pid[k] = '\0';
	int w = snprintf(buf, n, "%s/%s", pid, rel);
	if (w < 0 || (size_t)w >= n)
		return as_given;
	return buf;
}

/* Reads a whole proc file (bounded) into a malloc'd NUL-terminated buffer. */
static char *slurp(int dirfd, const char *rel, const char *what)
{
	int fd = open_beneath(dirfd, rel, O_RDONLY | O_NOCTTY);
	if (fd < 0) {
		vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "%s: open %s", what, rel);
		return NULL;
	}
	char *buf = malloc(PROC_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		vbh_fail(EX_HELPER_INTERNAL, "internal", ENOMEM, "%s: read %s", what, rel);
		return NULL;
	}
	size_t len = 0;
	for (;;) {
		if (len == PROC_FILE_MAX) {
			free(buf);
			close(fd);
			vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: %s is larger than %d bytes", what, rel,
				 PROC_FILE_MAX);
			return NULL;
		}
		ssize_t n = read(fd, buf + len, PROC_FILE_MAX - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "%s: read %s", what, rel);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* Splits a line into whitespace-separated fields in place. */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	return n;
}

static bool parse_majmin(const char *s, dev_t *out)
{
	unsigned long long ma, mi;
	const char *colon = strchr(s, ':');
	if (!colon || (size_t)(colon - s) >= 16)
		return false;
	char a[16];
	memcpy(a, s, (size_t)(colon - s));
	a[colon - s] = '\0';
	if (parse_uint(a, 0xfffff, "major", &ma) < 0 || parse_uint(colon + 1, 0xfffff, "minor", &mi) < 0) {
		vbh_fail_reset();
		return false;
	}
	*out = makedev((unsigned)ma, (unsigned)mi);
	return true;
}

int host_load_root(struct host *h)
{
	if (h->root_known)
		return 0;
	char p[48];
	char *mi = slurp(h->hostprocfd, own_proc(h->hostprocfd, "mountinfo", "self/mountinfo", p, sizeof p),
			 "read mount table");
	if (!mi)
		return -1;
	char *save = NULL;
	for (char *line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6];
		if (fields(line, f, 6) < 5)
			continue;
		dev_t d;
		if (strcmp(f[4], "/") == 0 && parse_majmin(f[2], &d))
			h->root_majmin = d; /* the last mount on / is the visible one */
	}
	free(mi);
	h->root_known = true;
	return 0;
}

struct scan {
	struct host *h;
	struct usage *u;
	char *mountinfo, *swaps, *route, *route6; /* raw copies */
	size_t dirs;
};

static bool majmin_mounted(const struct scan *s, dev_t dev)
{
	const char *p = s->mountinfo;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		if (ll < sizeof line) {
			memcpy(line, p, ll);
			line[ll] = '\0';
			char *f[4];
			dev_t d;
			if (fields(line, f, 4) >= 3 && parse_majmin(f[2], &d) && d == dev)
				return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* /proc/swaps names devices by path; compare the last component with the kernel name. */
static bool name_swapped(const struct scan *s, const char *kname)
{
	const char *p = s->swaps;
	bool first = true;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		if (!first && ll < sizeof line) {
			memcpy(line, p, ll);
			line[ll] = '\0';
			char *f[2];
			if (fields(line, f, 2) >= 1) {
				const char *b = strrchr(f[0], '/');
				b = b ? b + 1 : f[0];
				if (strcmp(b, kname) == 0)
					return true;
			}
		}
		first = false;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Route tables: iface is column 1 of /proc/net/route and the last column of ipv6_route. */
static bool iface_routed(const struct scan *s, const char *ifname)
{
	for (int t = 0; t < 2; t++) {
		const char *p = t == 0 ? s->route : s->route6;
		bool header = t == 0;
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t ll = nl ? (size_t)(nl - p) : strlen(p);
			char line[1024];
			if (!header && ll < sizeof line) {
				memcpy(line, p, ll);
				line[ll] = '\0';
				char *f[12];
				int nf = fields(line, f, 12);
				if (nf >= 1 && strcmp(t == 0 ? f[0] : f[nf - 1], ifname) == 0)
					return true;
			}
			header = false;
			p = nl ? nl + 1 : NULL;
		}
	}
	return false;
}

static int check_net(struct scan *s, int dfd, const char *ifname)
{
	char b[64];
	ssize_t r = read_attr_opt(dfd, "operstate", b, sizeof b, "interface state");
	if (r == -1)
		return -1;
	bool up = r >= 0 && strcmp(b, "up") == 0;
	r = read_attr_opt(dfd, "flags", b, sizeof b, "interface flags");
	if (r == -1)
		return -1;
	if (r > 2 && b[0] == '0' && b[1] == 'x') {
		char *end = NULL;
		errno = 0;
		unsigned long fl = strtoul(b + 2, &end, 16);
		if (errno == 0 && end && *end == '\0' && (fl & 1ul))
			up = true; /* IFF_UP */
	}
	if (up)
		add_reason(s->u, "net", ifname, "up");
	if (iface_routed(s, ifname))
		add_reason(s->u, "net", ifname, "routes");
	return 0;
}

static int check_block(struct scan *s, int dfd, const char *kname, int depth)
{
	char b[32];
	ssize_t r = read_attr_opt(dfd, "dev", b, sizeof b, "block device number");
	if (r == -1)
		return -1;
	dev_t dev;
	if (r >= 0 && parse_majmin(b, &dev)) {
		if (majmin_mounted(s, dev))
			add_reason(s->u, "block", kname, "mounted");
		if (s->h->root_known && s->h->root_majmin != 0 && dev == s->h->root_majmin) {
			add_reason(s->u, "block", kname, "root-filesystem");
			s->u->root_device = true;
		}
	}
	if (name_swapped(s, kname))
		add_reason(s->u, "block", kname, "swap");
	if (depth >= HOLDER_DEPTH_MAX)
		return 0;
	/* Stacked devices (dm, md) appear as links in holders/; follow them through sys/class/block. */
	int hfd = openat(dfd, "holders", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (hfd < 0)
		return 0;
	DIR *dir = fdopendir(hfd);
	if (!dir) {
		close(hfd);
		return 0;
	}
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(dir)) != NULL && rc == 0) {
		if (de->d_name[0] == '.')
			continue;
		int hd = sys_resolve_link(s->h, "class/block", de->d_name, "block holder");
		if (hd < 0) {
			/* A holder we cannot resolve is a holder: refuse rather than guess. */
			vbh_fail_reset();
			add_reason(s->u, "block", de->d_name, "holder-unresolved");
			continue;
		}
		size_t before = s->u->count;
		rc = check_block(s, hd, de->d_name, depth + 1);
		close(hd);
		if (rc == 0 && s->u->count > before)
			add_reason(s->u, "block", kname, "used-through-holder");
	}
	closedir(dir);
	return rc;
}

static bool looks_like_pci_addr(const char *name)
{
	struct pci_addr a;
	if (parse_pci_addr(name, &a) == 0)
		return true;
	vbh_fail_reset();
	return false;
}

static int walk(struct scan *s, int dfd, int depth)
{
	int dup_fd = dup(dfd);
	if (dup_fd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "scan device: dup");
	DIR *dir = fdopendir(dup_fd);
	if (!dir) {
		close(dup_fd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "scan device: list directory");
	}
	rewinddir(dir);
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(dir)) != NULL && rc == 0) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (looks_like_pci_addr(de->d_name))
			continue; /* a child function is a member of its own; not this device's subtree */
		if (++s->dirs > WALK_DIRS_MAX) {
			rc = vbh_fail(EX_HELPER_INTERNAL, "too-many-entries", 0,
				      "scan device: more than %d directories", WALK_DIRS_MAX);
			break;
		}
		int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue; /* a symlink or a file: not part of this subtree */
		char subsys[64];
		int r = read_link_base(sub, "subsystem", subsys, sizeof subsys, "scan device");
		if (r == -1) {
			close(sub);
			rc = -1;
			break;
		}
		if (r == 0 && strcmp(subsys, "net") == 0)
			rc = check_net(s, sub, de->d_name);
		else if (r == 0 && strcmp(subsys, "block") == 0)
			rc = check_block(s, sub, de->d_name, 0);
		if (rc == 0 && depth < WALK_DEPTH_MAX)
			rc = walk(s, sub, depth + 1);
		close(sub);
	}
	closedir(dir);
	return rc;
}

int device_usage(struct host *h, const struct pci_dev *d, struct usage *u)
{
	memset(u, 0, sizeof *u);
	if (host_load_root(h) < 0)
		return -1;
	struct scan s = { .h = h, .u = u };
	int rc = -1;
	char pm[48], pr[48], p6[48];
	const char *route6 = own_proc(h->hostprocfd, "net/ipv6_route", "net/ipv6_route", p6, sizeof p6);
	s.mountinfo = slurp(h->hostprocfd, own_proc(h->hostprocfd, "mountinfo", "self/mountinfo", pm, sizeof pm),
			    "read mount table");
	s.swaps = s.mountinfo ? slurp(h->hostprocfd, "swaps", "read swap table") : NULL;
	s.route = s.swaps ? slurp(h->hostprocfd, own_proc(h->hostprocfd, "net/route", "net/route", pr, sizeof pr), "read routes") : NULL;
	if (s.route) {
		/* ipv6_route is absent when IPv6 is disabled: that is no route. */
		struct stat st;
		if (fstatat(h->hostprocfd, route6, &st, AT_SYMLINK_NOFOLLOW) == 0)
			s.route6 = slurp(h->hostprocfd, route6, "read IPv6 routes");
		else
			s.route6 = calloc(1, 1);
	}
	if (s.route6) {
		char b[8];
		ssize_t r = read_attr_opt(d->fd, "boot_vga", b, sizeof b, "boot VGA flag");
		if (r >= 0 && strcmp(b, "1") == 0)
			add_reason(u, "display", d->bdf, "boot-vga");
		if (r != -1)
			rc = walk(&s, d->fd, 0);
	}
	free(s.mountinfo);
	free(s.swaps);
	free(s.route);
	free(s.route6);
	return rc;
}
