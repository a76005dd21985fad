/* sysfs.c - resolve devices and groups under <root>/sys without trusting links the kernel does not make. */
#include "sysfs.h"
#include "fail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int open_beneath(int dirfd, const char *relpath, int flags)
{
	char comp[256];
	const char *p = relpath;
	int cur = dup(dirfd);
	if (cur < 0)
		return -1;
	if (*p == '/' || *p == '\0') {
		close(cur);
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n >= sizeof comp || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(cur);
			errno = EINVAL;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		int next;
		if (slash)
			next = open_dir_at(cur, comp);
		else
			next = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(cur);
		if (next < 0) {
			errno = e;
			return -1;
		}
		cur = next;
		if (!slash)
			return cur;
		p = slash + 1;
	}
}

int host_open(const char *root, struct host *h)
{
	memset(h, 0, sizeof *h);
	h->rootfd = h->sysfd = h->hostprocfd = h->procfd = -1;
	h->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->rootfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "open root directory");
	h->sysfd = open_dir_at(h->rootfd, "sys");
	if (h->sysfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "open <root>/sys");
	h->hostprocfd = open_dir_at(h->rootfd, "proc");
	if (h->hostprocfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "open <root>/proc");
	h->procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (h->procfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "open /proc");
	return 0;
}

void host_close(struct host *h)
{
	int *fds[] = { &h->rootfd, &h->sysfd, &h->hostprocfd, &h->procfd };
	for (size_t i = 0; i < 4; i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

static ssize_t read_attr_impl(int dirfd, const char *name, char *buf, size_t size, const char *what, bool optional)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (optional && errno == ENOENT)
			return -2;
		return vbh_fail(errno == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_SYSCALL,
				errno == ENOENT ? "not-found" : "syscall", errno, "read %s: open %s", what, name);
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "read %s: stat %s", what, name);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return vbh_fail(EX_HELPER_UNSAFE, "not-regular-file", 0, "read %s: %s is not a regular file", what,
				name);
	}
	size_t len = 0;
	for (;;) {
		if (len == size) { /* one more byte than fits: the file is too long */
			close(fd);
			return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "read %s: %s is longer than %zu bytes", what,
					name, size - 1);
		}
		ssize_t n = read(fd, buf + len, size - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "read %s: read %s", what, name);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == size) {
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "read %s: %s is longer than %zu bytes", what, name,
				size - 1);
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL)
		return vbh_fail(EX_HELPER_UNSAFE, "malformed-attribute", 0, "read %s: %s holds a NUL byte", what, name);
	return (ssize_t)len;
}

ssize_t read_attr(int dirfd, const char *name, char *buf, size_t size, const char *what)
{
	return read_attr_impl(dirfd, name, buf, size, what, false);
}

ssize_t read_attr_opt(int dirfd, const char *name, char *buf, size_t size, const char *what)
{
	return read_attr_impl(dirfd, name, buf, size, what, true);
}

int write_attr(int dirfd, const char *name, const char *value, const char *what)
{
	int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return vbh_fail(errno == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_SYSCALL,
				errno == ENOENT ? "not-found" : "syscall", errno, "%s: open %s", what, name);
	size_t len = strlen(value);
	ssize_t n;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	int e = errno;
	if (n < 0) {
		close(fd);
		return vbh_fail(EX_HELPER_SYSCALL, "write-failed", e, "%s: write to %s", what, name);
	}
	if ((size_t)n != len) {
		close(fd);
		return vbh_fail(EX_HELPER_SYSCALL, "write-failed", 0, "%s: short write to %s (%zd of %zu bytes)", what,
				name, n, len);
	}
	if (close(fd) < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "write-failed", errno, "%s: close %s", what, name);
	return 0;
}

int read_link_base(int dirfd, const char *name, char *out, size_t size, const char *what)
{
	char link[1024];
	ssize_t n = readlinkat(dirfd, name, link, sizeof link);
	if (n < 0) {
		if (errno == ENOENT)
			return -2;
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "%s: read link %s", what, name);
	}
	if ((size_t)n >= sizeof link)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: link %s is too long", what, name);
	link[n] = '\0';
	const char *base = strrchr(link, '/');
	base = base ? base + 1 : link;
	size_t bl = strlen(base);
	if (bl == 0 || bl >= size || strcmp(base, "..") == 0 || strcmp(base, ".") == 0)
		return vbh_fail(EX_HELPER_UNSAFE, "bad-link", 0, "%s: link %s has an unusable target", what, name);
	memcpy(out, base, bl + 1);
	return 0;
}

/*
 * Lexically resolves a relative link target found in sys/<linkdir> and requires that it lands
 * under sys/devices/. Writes the path relative to sys into out.
 */
static int resolve_under_devices(const char *linkdir, const char *target, char *out, size_t size, const char *what)
{
	char stack[64][256];
	size_t depth = 0;
	char buf[2048];
	if (target[0] == '/')
		return vbh_fail(EX_HELPER_UNSAFE, "path-escape", 0, "%s: link target is absolute", what);
	int n = snprintf(buf, sizeof buf, "%s/%s", linkdir, target);
	if (n < 0 || (size_t)n >= sizeof buf)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: link target too long", what);
	char *save = NULL;
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			if (depth == 0)
				return vbh_fail(EX_HELPER_UNSAFE, "path-escape", 0, "%s: link target leaves sysfs", what);
			depth--;
			continue;
		}
		if (depth == 64 || strlen(c) >= 256)
			return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: link target too deep", what);
		memcpy(stack[depth++], c, strlen(c) + 1);
	}
	if (depth < 2 || strcmp(stack[0], "devices") != 0)
		return vbh_fail(EX_HELPER_UNSAFE, "path-escape", 0, "%s: link target is not under sysfs devices/",
				what);
	size_t len = 0;
	for (size_t i = 0; i < depth; i++) {
		size_t cl = strlen(stack[i]);
		if (len + cl + 2 > size)
			return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: resolved path too long", what);
		if (i)
			out[len++] = '/';
		memcpy(out + len, stack[i], cl);
		len += cl;
	}
	out[len] = '\0';
	return 0;
}

int sys_resolve_link(struct host *h, const char *linkdir, const char *name, const char *what)
{
	char full[512], target[1024], rel[2048];
	int n = snprintf(full, sizeof full, "%s/%s", linkdir, name);
	if (n < 0 || (size_t)n >= sizeof full)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: name too long", what);
	int dfd = open_beneath(h->sysfd, linkdir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return vbh_fail(EX_HELPER_NOTFOUND, "not-found", errno, "%s: open sys/%s", what, linkdir);
	ssize_t l = readlinkat(dfd, name, target, sizeof target);
	int e = errno;
	close(dfd);
	if (l < 0)
		return vbh_fail(e == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_UNSAFE, e == ENOENT ? "not-found" : "bad-link",
				e, "%s: read link sys/%s", what, full);
	if ((size_t)l >= sizeof target)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: link sys/%s too long", what, full);
	target[l] = '\0';
	if (resolve_under_devices(linkdir, target, rel, sizeof rel, what) < 0)
		return -1;
	int fd = open_beneath(h->sysfd, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return vbh_fail(errno == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_UNSAFE,
				errno == ENOENT ? "not-found" : "path-escape", errno,
				"%s: open sys/%s without following links", what, rel);
	return fd;
}

static int parse_hex_attr(int dfd, const char *name, unsigned max, unsigned *out, const char *what)
{
	char b[32];
	ssize_t n = read_attr(dfd, name, b, sizeof b, what);
	if (n < 0)
		return -1;
	if (n < 3 || b[0] != '0' || b[1] != 'x' || n > 10)
		return vbh_fail(EX_HELPER_UNSAFE, "malformed-attribute", 0, "%s: %s is not 0x-hexadecimal", what, name);
	unsigned v = 0;
	for (ssize_t i = 2; i < n; i++) {
		char c = b[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return vbh_fail(EX_HELPER_UNSAFE, "malformed-attribute", 0, "%s: %s is not 0x-hexadecimal", what,
					name);
		if (v > (max - d) / 16u)
			return vbh_fail(EX_HELPER_UNSAFE, "malformed-attribute", 0, "%s: %s out of range", what, name);
		v = v * 16u + d;
	}
	*out = v;
	return 0;
}

int pci_dev_refresh_driver(struct pci_dev *d)
{
	char what[64];
	if (!vbh_fmt(what, sizeof what, "device %s", d->bdf)) /* fixed-size: cannot truncate; checked anyway */
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "device %s: description too long", d->bdf);
	int r = read_link_base(d->fd, "driver", d->driver, sizeof d->driver, what);
	if (r == -2) {
		d->driver[0] = '\0';
		return 0;
	}
	if (r < 0)
		return -1;
	char tmp[VBH_DRIVER_MAX + 1];
	if (parse_driver_name(d->driver, tmp) < 0) {
		vbh_fail_reset();
		return vbh_fail(EX_HELPER_UNSAFE, "bad-link", 0, "device %s: driver link names no driver", d->bdf);
	}
	return 0;
}

int pci_dev_open(struct host *h, const struct pci_addr *a, struct pci_dev *d)
{
	memset(d, 0, sizeof *d);
	d->fd = -1;
	d->group = -1;
	d->addr = *a;
	format_pci_addr(a, d->bdf);
	char what[64];
	if (!vbh_fmt(what, sizeof what, "device %s", d->bdf))
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "device %s: description too long", d->bdf);
	d->fd = sys_resolve_link(h, "bus/pci/devices", d->bdf, what);
	if (d->fd < 0)
		return -1;
	if (parse_hex_attr(d->fd, "vendor", 0xffff, &d->vendor, what) < 0 ||
	    parse_hex_attr(d->fd, "device", 0xffff, &d->device, what) < 0 ||
	    parse_hex_attr(d->fd, "class", 0xffffff, &d->class_code, what) < 0 || pci_dev_refresh_driver(d) < 0)
		return -1;
	char g[32];
	int r = read_link_base(d->fd, "iommu_group", g, sizeof g, what);
	if (r == -2)
		return 0;
	if (r < 0)
		return -1;
	unsigned long long gn;
	if (parse_uint(g, VBH_GROUP_MAX, "iommu_group link", &gn) < 0) {
		vbh_fail_reset();
		return vbh_fail(EX_HELPER_UNSAFE, "bad-link", 0, "%s: iommu_group link names no group", what);
	}
	d->group = (int)gn;
	return 0;
}

void pci_dev_close(struct pci_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

bool pci_dev_is_bridge(const struct pci_dev *d)
{
	return (d->class_code >> 8) == 0x0604;
}

bool dma_ownership_ok(const char *driver)
{
	static const char suffix[] = "_vfio_pci";
	size_t n = strlen(driver), s = sizeof suffix - 1;
	return driver[0] == '\0' || strcmp(driver, "vfio-pci") == 0 || strcmp(driver, "pci-stub") == 0 ||
	       strcmp(driver, "pcieport") == 0 || (n > s && strcmp(driver + n - s, suffix) == 0);
}

static int cmp_dev(const void *x, const void *y)
{
	return strcmp(((const struct pci_dev *)x)->bdf, ((const struct pci_dev *)y)->bdf);
}

int group_open(struct host *h, unsigned number, struct iommu_group *g)
{
	memset(g, 0, sizeof *g);
	g->number = number;
	char rel[64];
	int n = snprintf(rel, sizeof rel, "kernel/iommu_groups/%u", number);
	if (n < 0 || (size_t)n >= sizeof rel)
		return vbh_fail(EX_HELPER_INTERNAL, "internal", 0, "open group %u: path", number);
	int gfd = open_beneath(h->sysfd, rel, O_RDONLY | O_DIRECTORY);
	if (gfd < 0)
		return vbh_fail(errno == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_UNSAFE,
				errno == ENOENT ? "group-not-found" : "path-escape", errno, "open group %u", number);
	char name[64];
	ssize_t r = read_attr_opt(gfd, "name", name, sizeof name, "group name");
	if (r == -1) {
		close(gfd);
		return -1;
	}
	if (r >= 0 && strcmp(name, "vfio-noiommu") == 0)
		g->noiommu = true;
	r = read_attr_opt(gfd, "type", g->type, sizeof g->type, "group type");
	if (r == -1) {
		close(gfd);
		return -1;
	}
	if (r == -2)
		g->type[0] = '\0';
	int dfd = openat(gfd, "devices", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(gfd);
	if (dfd < 0)
		return vbh_fail(EX_HELPER_NOTFOUND, "group-not-found", errno, "open group %u: devices", number);
	DIR *dir = fdopendir(dfd);
	if (!dir) {
		int e = errno;
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "open group %u: list devices", number);
	}
	struct dirent *de;
	int rc = 0;
	errno = 0;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct pci_addr a;
		if (parse_pci_addr(de->d_name, &a) < 0) {
			vbh_fail_reset();
			rc = vbh_fail(EX_HELPER_UNSAFE, "malformed-group", 0,
				      "open group %u: entry in devices/ is not a PCI address", number);
			break;
		}
		if (g->count == VBH_GROUP_MEMBERS_MAX) {
			rc = vbh_fail(EX_HELPER_INTERNAL, "too-many-members", 0, "open group %u: more than %d members",
				      number, VBH_GROUP_MEMBERS_MAX);
			break;
		}
		struct pci_dev *d = &g->members[g->count];
		if (pci_dev_open(h, &a, d) < 0) {
			pci_dev_close(d);
			rc = -1;
			break;
		}
		g->count++;
		/* The member's own iommu_group link must agree: the canonical route decides. */
		if (d->group != (int)number) {
			rc = vbh_fail(EX_HELPER_UNSAFE, "malformed-group", 0,
				      "open group %u: member %s says its group is %d", number, d->bdf, d->group);
			break;
		}
	}
	closedir(dir);
	if (rc < 0)
		return rc;
	if (g->count == 0)
		return vbh_fail(EX_HELPER_NOTFOUND, "group-not-found", 0, "open group %u: no members", number);
	qsort(g->members, g->count, sizeof g->members[0], cmp_dev);
	/* noiommu: vfio names the node noiommu-N. */
	char node[64];
	if (!vbh_fmt(node, sizeof node, "dev/vfio/noiommu-%u", number)) /* never skip the noiommu check */
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "open group %u: noiommu node path too long", number);
	struct stat st;
	if (fstatat(h->rootfd, node, &st, AT_SYMLINK_NOFOLLOW) == 0)
		g->noiommu = true;
	return 0;
}

void group_close(struct iommu_group *g)
{
	for (size_t i = 0; i < g->count; i++)
		pci_dev_close(&g->members[i]);
	g->count = 0;
}
