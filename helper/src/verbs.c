/* verbs.c - each verb: re-validate against the real tree and the policy, then act. */
#include "verbs.h"
#include "devnodes.h"
#include "fail.h"
#include "limits.h"
#include "proc.h"
#include "usage.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VBH_CDEVS_MAX 8

static void reason(struct ctx *c, const char *who, const char *what)
{
	char b[160];
	/* who is an address or a word, what a short reason (at most 128 characters together). */
	if (!vbh_fmt(b, sizeof b, "%s: %s", who, what))
		memcpy(b, "(reason too long)", sizeof "(reason too long)"); /* rather than a cut reason */
	j_str(c->reasons, b);
}

static struct dev_identity identity(const struct pci_dev *d, const struct usage *u)
{
	struct dev_identity id = { d->addr, d->vendor, d->device, d->class_code, u->root_device };
	return id;
}

static bool left_alone(const struct pci_dev *d)
{
	return pci_dev_is_bridge(d) || strcmp(d->driver, "pcieport") == 0;
}

static bool is_vfio_driver(const char *drv)
{
	static const char suffix[] = "_vfio_pci";
	size_t n = strlen(drv), s = sizeof suffix - 1;
	return strcmp(drv, "vfio-pci") == 0 || (n > s && strcmp(drv + n - s, suffix) == 0);
}

/* Fixed-width hexadecimal of the low `digits` nibbles (ranges were checked when read). */
static void hexstr(char *out, size_t size, const char *prefix, unsigned digits, unsigned v)
{
	static const char hx[] = "0123456789abcdef";
	size_t p = strlen(prefix);
	if (p + digits + 1 > size) {
		out[0] = '\0';
		return;
	}
	memcpy(out, prefix, p);
	for (unsigned i = 0; i < digits; i++)
		out[p + i] = hx[(v >> (4u * (digits - 1u - i))) & 15u];
	out[p + digits] = '\0';
}

static int group_node_name(unsigned group, char *out, size_t size)
{
	int n = snprintf(out, size, "%u", group);
	if (n < 0 || (size_t)n >= size)
		return vbh_fail(EX_HELPER_INTERNAL, "internal", 0, "group node name");
	return 0;
}

static void member_json(struct ctx *c, const struct pci_dev *d, const struct usage *u, const struct decision *dec)
{
	struct jbuf *j = c->out;
	char b[16];
	j_obj_begin(j);
	j_kstr(j, "address", d->bdf);
	hexstr(b, sizeof b, "", 4, d->vendor);
	j_kstr(j, "vendor", b);
	hexstr(b, sizeof b, "", 4, d->device);
	j_kstr(j, "device", b);
	hexstr(b, sizeof b, "0x", 6, d->class_code);
	j_kstr(j, "class", b);
	if (d->driver[0])
		j_kstr(j, "driver", d->driver);
	else {
		j_key(j, "driver");
		j_null(j);
	}
	j_kbool(j, "bridge", pci_dev_is_bridge(d));
	j_kbool(j, "dmaOwnershipOk", dma_ownership_ok(d->driver));
	j_key(j, "inUse");
	j_arr_begin(j);
	for (size_t i = 0; i < u->count; i++)
		j_str(j, u->reasons[i]);
	j_arr_end(j);
	j_kbool(j, "rootDevice", u->root_device);
	j_kbool(j, "allowedByPolicy", dec->allowed);
	j_kstr(j, "policyDecision", dec->why);
	if (dec->line)
		j_kuint(j, "policyLine", dec->line);
	char cdevs[VBH_CDEVS_MAX][32];
	int n = device_cdevs(d, cdevs, VBH_CDEVS_MAX);
	j_key(j, "cdevs");
	j_arr_begin(j);
	for (int i = 0; i < n; i++)
		j_str(j, cdevs[i]);
	j_arr_end(j);
	if (n < 0)
		vbh_fail_reset(); /* reported as empty; grant-nodes checks it again and fails there */
	j_obj_end(j);
}

/* Collects each member's usage and policy decision. */
struct member_view {
	struct usage u;
	struct decision dec;
};

static int view_group(struct ctx *c, struct iommu_group *g, struct member_view *v)
{
	for (size_t i = 0; i < g->count; i++) {
		if (device_usage(c->host, &g->members[i], &v[i].u) < 0)
			return -1;
		struct dev_identity id = identity(&g->members[i], &v[i].u);
		v[i].dec = policy_evaluate(c->pol, &id);
	}
	return 0;
}

static bool group_viable(const struct iommu_group *g)
{
	for (size_t i = 0; i < g->count; i++)
		if (!dma_ownership_ok(g->members[i].driver))
			return false;
	return true;
}

static void group_json_head(struct ctx *c, const struct iommu_group *g)
{
	j_kuint(c->out, "group", g->number);
	j_kbool(c->out, "noiommu", g->noiommu);
	if (g->type[0])
		j_kstr(c->out, "type", g->type);
}

static int nodes_json(struct ctx *c, const struct iommu_group *g)
{
	char name[16], path[320];
	if (group_node_name(g->number, name, sizeof name) < 0)
		return -1;
	struct node_state st;
	if (node_stat(c->host, "dev/vfio", name, &st) < 0)
		return -1;
	if (!vbh_fmt(path, sizeof path, "/dev/vfio/%s", name))
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: group %u: node path too long", c->req->verb_name,
				g->number);
	j_key(c->out, "node");
	node_json(c->out, path, &st);
	j_key(c->out, "cdevNodes");
	j_arr_begin(c->out);
	int rc = 0;
	for (size_t i = 0; i < g->count && rc == 0; i++) {
		char cdevs[VBH_CDEVS_MAX][32];
		int n = device_cdevs(&g->members[i], cdevs, VBH_CDEVS_MAX);
		if (n < 0)
			rc = -1;
		for (int k = 0; k < n && rc == 0; k++) {
			if (node_stat(c->host, "dev/vfio/devices", cdevs[k], &st) < 0)
				rc = -1;
			else if (!vbh_fmt(path, sizeof path, "/dev/vfio/devices/%s", cdevs[k]))
				rc = vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: %s: node path too long",
						c->req->verb_name, cdevs[k]);
			else
				node_json(c->out, path, &st);
		}
	}
	/* closed on failure too: the partial answer stays one JSON object */
	j_arr_end(c->out);
	if (rc < 0)
		return rc;
	container_json(c->host, c->out);
	return 0;
}

static int do_inspect(struct ctx *c)
{
	struct iommu_group *g = calloc(1, sizeof *g);
	struct member_view *v = calloc(VBH_GROUP_MEMBERS_MAX, sizeof *v);
	int rc = -1;
	if (!g || !v) {
		vbh_fail(EX_HELPER_INTERNAL, "internal", ENOMEM, "inspect-group: allocate");
		goto out;
	}
	if (group_open(c->host, c->req->group, g) < 0 || view_group(c, g, v) < 0)
		goto out;
	group_json_head(c, g);
	j_kbool(c->out, "viable", group_viable(g));
	j_key(c->out, "members");
	j_arr_begin(c->out);
	for (size_t i = 0; i < g->count; i++)
		member_json(c, &g->members[i], &v[i].u, &v[i].dec);
	j_arr_end(c->out);
	rc = nodes_json(c, g);
out:
	if (g)
		group_close(g);
	free(g);
	free(v);
	return rc;
}

/* Refuses (65 before 66) when any member fails the policy or is used by the host. */
static int check_group_may_go(struct ctx *c, const struct iommu_group *g, const struct member_view *v)
{
	bool policy_refused = false, unsafe = false;
	if (g->noiommu) {
		reason(c, "group", "noiommu group (no IOMMU protection; never handed to users)");
		unsafe = true;
	}
	for (size_t i = 0; i < g->count; i++) {
		const struct pci_dev *d = &g->members[i];
		if (v[i].u.root_device) {
			reason(c, d->bdf, "holds the root filesystem");
			policy_refused = true;
		}
		if (!left_alone(d) && !v[i].dec.allowed) {
			reason(c, d->bdf, v[i].dec.why);
			policy_refused = true;
		}
		for (size_t k = 0; k < v[i].u.count; k++) {
			reason(c, d->bdf, v[i].u.reasons[k]);
			unsafe = true;
		}
	}
	if (policy_refused)
		return vbh_fail(EX_HELPER_POLICY, "denied-by-policy", 0, "%s: group %u: a member is not allowed by the policy",
				c->req->verb_name, g->number);
	if (g->noiommu)
		return vbh_fail(EX_HELPER_UNSAFE, "noiommu", 0, "%s: group %u: noiommu group refused", c->req->verb_name,
				g->number);
	if (unsafe)
		return vbh_fail(EX_HELPER_UNSAFE, "in-use", 0, "%s: group %u: a member is in use by the host",
				c->req->verb_name, g->number);
	return 0;
}

static int open_driver_dir(struct ctx *c, const char *driver, const char *what)
{
	char rel[128];
	int n = snprintf(rel, sizeof rel, "bus/pci/drivers/%s", driver);
	if (n < 0 || (size_t)n >= sizeof rel)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: driver name too long", what);
	int fd = open_beneath(c->host->sysfd, rel, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return vbh_fail(errno == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_SYSCALL,
				errno == ENOENT ? "driver-not-found" : "syscall", errno, "%s: open driver %s", what, driver);
	return fd;
}

static int unbind(struct ctx *c, const struct pci_dev *d, const char *what)
{
	int dfd = open_driver_dir(c, d->driver, what);
	if (dfd < 0)
		return -1;
	int rc = write_attr(dfd, "unbind", d->bdf, what);
	close(dfd);
	return rc;
}

static int probe(struct ctx *c, const struct pci_dev *d, const char *what)
{
	int bfd = open_beneath(c->host->sysfd, "bus/pci", O_RDONLY | O_DIRECTORY);
	if (bfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "%s: open bus/pci", what);
	int rc = write_attr(bfd, "drivers_probe", d->bdf, what);
	close(bfd);
	return rc;
}

static int do_bind(struct ctx *c)
{
	struct iommu_group *g = calloc(1, sizeof *g);
	struct member_view *v = calloc(VBH_GROUP_MEMBERS_MAX, sizeof *v);
	int rc = -1;
	if (!g || !v) {
		vbh_fail(EX_HELPER_INTERNAL, "internal", ENOMEM, "bind-group: allocate");
		goto out;
	}
	if (group_open(c->host, c->req->group, g) < 0 || view_group(c, g, v) < 0 || check_group_may_go(c, g, v) < 0)
		goto out;
	group_json_head(c, g);
	j_key(c->out, "members");
	j_arr_begin(c->out);
	for (size_t i = 0; i < g->count; i++) {
		struct pci_dev *d = &g->members[i];
		char what[64];
		if (!vbh_fmt(what, sizeof what, "bind-group: %s", d->bdf)) {
			vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "bind-group: %s: description too long", d->bdf);
			j_arr_end(c->out);
			goto out;
		}
		j_obj_begin(c->out);
		j_kstr(c->out, "address", d->bdf);
		if (d->driver[0])
			j_kstr(c->out, "previousDriver", d->driver);
		else {
			j_key(c->out, "previousDriver");
			j_null(c->out);
		}
		const char *action;
		if (left_alone(d)) {
			action = "left-alone";
		} else if (is_vfio_driver(d->driver)) {
			action = "already-bound";
		} else {
			action = "bound";
			if (write_attr(d->fd, "driver_override", "vfio-pci", what) < 0 ||
			    (d->driver[0] && unbind(c, d, what) < 0) || probe(c, d, what) < 0 ||
			    pci_dev_refresh_driver(d) < 0) {
				j_kstr(c->out, "action", "failed");
				j_obj_end(c->out);
				j_arr_end(c->out);
				goto out;
			}
		}
		j_kstr(c->out, "action", action);
		if (d->driver[0])
			j_kstr(c->out, "driver", d->driver);
		else {
			j_key(c->out, "driver");
			j_null(c->out);
		}
		j_obj_end(c->out);
	}
	j_arr_end(c->out);
	j_kbool(c->out, "viable", group_viable(g));
	rc = 0;
out:
	if (g)
		group_close(g);
	free(g);
	free(v);
	return rc;
}

/* Device and inode of the group node and the group's cdev nodes that exist. */
static int group_node_ids(struct ctx *c, const struct iommu_group *g, struct node_id *ids, size_t max, size_t *n)
{
	*n = 0;
	char name[16];
	if (group_node_name(g->number, name, sizeof name) < 0)
		return -1;
	int dfd = open_beneath(c->host->rootfd, "dev/vfio", O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return errno == ENOENT ? 0 : vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "open /dev/vfio");
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && *n < max)
		ids[(*n)++] = (struct node_id){ st.st_dev, st.st_ino };
	int ddfd = openat(dfd, "devices", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (ddfd < 0)
		return 0;
	for (size_t i = 0; i < g->count; i++) {
		char cdevs[VBH_CDEVS_MAX][32];
		int k = device_cdevs(&g->members[i], cdevs, VBH_CDEVS_MAX);
		if (k < 0) {
			close(ddfd);
			return -1;
		}
		for (int m = 0; m < k; m++)
			if (fstatat(ddfd, cdevs[m], &st, AT_SYMLINK_NOFOLLOW) == 0 && *n < max)
				ids[(*n)++] = (struct node_id){ st.st_dev, st.st_ino };
	}
	close(ddfd);
	return 0;
}

static int group_holders(struct ctx *c, unsigned group, struct holder *hs, size_t max, size_t *count)
{
	struct iommu_group *g = calloc(1, sizeof *g);
	if (!g)
		return vbh_fail(EX_HELPER_INTERNAL, "internal", ENOMEM, "holders: allocate");
	struct node_id ids[1 + VBH_GROUP_MEMBERS_MAX];
	size_t n = 0;
	int rc = -1;
	if (group_open(c->host, group, g) == 0 && group_node_ids(c, g, ids, sizeof ids / sizeof ids[0], &n) == 0)
		rc = find_holders(c->host, ids, n, hs, max, count);
	group_close(g);
	free(g);
	return rc;
}

/* Opens the device the request names, reads what the host uses of it, and refuses it unless the
 * policy allows it: the one check every single-device verb starts with. Returns 0 with d and u
 * filled, or -1 after reporting the failure (d may then need closing by the caller, as before). */
static int open_allowed_device(struct ctx *c, const char *verb, struct pci_dev *d, struct usage *u)
{
	if (pci_dev_open(c->host, &c->req->addr, d) < 0 || device_usage(c->host, d, u) < 0)
		return -1;
	struct dev_identity id = identity(d, u);
	struct decision dec = policy_evaluate(c->pol, &id);
	if (!dec.allowed) {
		reason(c, d->bdf, dec.why);
		vbh_fail(EX_HELPER_POLICY, "denied-by-policy", 0, "%s: %s: not allowed by the policy", verb, d->bdf);
		return -1;
	}
	return 0;
}

static int do_restore(struct ctx *c)
{
	struct pci_dev d;
	struct usage u;
	int rc = -1;
	if (open_allowed_device(c, "restore", &d, &u) < 0)
		goto out;
	if (d.group >= 0) {
		static struct holder hs[VBH_HOLDERS_MAX];
		size_t nh = 0;
		if (group_holders(c, (unsigned)d.group, hs, VBH_HOLDERS_MAX, &nh) < 0)
			goto out;
		if (nh > 0) {
			for (size_t i = 0; i < nh; i++) {
				char b[32 + sizeof hs[i].st.comm]; /* fits any pid and comm; checked anyway */
				if (!vbh_fmt(b, sizeof b, "held by pid %d (%s)", (int)hs[i].pid, hs[i].st.comm)) {
					vbh_fail(EX_HELPER_INTERNAL, "too-long", 0,
						 "restore: %s: holder pid %d: reason too long", d.bdf, (int)hs[i].pid);
					goto out;
				}
				reason(c, d.bdf, b);
			}
			vbh_fail(EX_HELPER_UNSAFE, "held", 0,
				 "restore: %s: group %d is open by %zu process(es); terminate them first", d.bdf, d.group, nh);
			goto out;
		}
	}
	const char *what = "restore";
	j_kstr(c->out, "address", d.bdf);
	if (d.driver[0])
		j_kstr(c->out, "previousDriver", d.driver);
	else {
		j_key(c->out, "previousDriver");
		j_null(c->out);
	}
	if (write_attr(d.fd, "driver_override", "\n", what) < 0)
		goto out;
	const char *action = "cleared-override";
	if (d.driver[0] == '\0' || is_vfio_driver(d.driver)) {
		if (d.driver[0] && unbind(c, &d, what) < 0)
			goto out;
		if (c->req->driver[0]) {
			int dfd = open_driver_dir(c, c->req->driver, what);
			if (dfd < 0)
				goto out;
			int r = write_attr(dfd, "bind", d.bdf, what);
			close(dfd);
			if (r < 0)
				goto out;
			action = "bound-to-named-driver";
		} else {
			if (probe(c, &d, what) < 0)
				goto out;
			action = "probed";
		}
	}
	if (pci_dev_refresh_driver(&d) < 0)
		goto out;
	j_kstr(c->out, "action", action);
	if (d.driver[0])
		j_kstr(c->out, "driver", d.driver);
	else {
		j_key(c->out, "driver");
		j_null(c->out);
	}
	rc = 0;
out:
	pci_dev_close(&d);
	return rc;
}

static int check_grantee(struct ctx *c, uint32_t uid)
{
	if (uid == 0)
		return vbh_fail(EX_HELPER_POLICY, "uid-below-minimum", 0, "%s: uid 0 (root) is never a grantee",
				c->req->verb_name);
	if (uid < c->pol->min_uid)
		return vbh_fail(EX_HELPER_POLICY, "uid-below-minimum", 0, "%s: uid %u is below min-uid %u",
				c->req->verb_name, (unsigned)uid, (unsigned)c->pol->min_uid);
	return 0;
}

static int set_group_nodes(struct ctx *c, const struct iommu_group *g, uid_t uid, gid_t gid, unsigned mode)
{
	char name[16], path[320];
	struct node_state st;
	if (group_node_name(g->number, name, sizeof name) < 0)
		return -1;
	/* Paths are formatted before the node they name is changed: a failure here changes nothing. */
	if (!vbh_fmt(path, sizeof path, "/dev/vfio/%s", name))
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: group %u: node path too long", c->req->verb_name,
				g->number);
	if (node_set_owner(c->host, "dev/vfio", name, uid, gid, mode, &st) < 0)
		return -1;
	j_key(c->out, "node");
	node_json(c->out, path, &st);
	j_key(c->out, "cdevNodes");
	j_arr_begin(c->out);
	int rc = 0;
	for (size_t i = 0; i < g->count && rc == 0; i++) {
		char cdevs[VBH_CDEVS_MAX][32];
		int n = device_cdevs(&g->members[i], cdevs, VBH_CDEVS_MAX);
		if (n < 0) {
			rc = -1;
			break;
		}
		for (int k = 0; k < n && rc == 0; k++) {
			if (!vbh_fmt(path, sizeof path, "/dev/vfio/devices/%s", cdevs[k])) {
				rc = vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: %s: node path too long",
					      c->req->verb_name, cdevs[k]);
				break;
			}
			rc = node_set_owner(c->host, "dev/vfio/devices", cdevs[k], uid, gid, mode, &st);
			if (rc == 0)
				node_json(c->out, path, &st);
		}
	}
	j_arr_end(c->out);
	return rc;
}

static int do_grant(struct ctx *c)
{
	if (check_grantee(c, c->req->uid) < 0)
		return -1;
	if (c->req->gid == 0)
		return vbh_fail(EX_HELPER_POLICY, "gid-root", 0, "grant-nodes: gid 0 (root) is never a grantee group");
	struct iommu_group *g = calloc(1, sizeof *g);
	struct member_view *v = calloc(VBH_GROUP_MEMBERS_MAX, sizeof *v);
	int rc = -1;
	if (!g || !v) {
		vbh_fail(EX_HELPER_INTERNAL, "internal", ENOMEM, "grant-nodes: allocate");
		goto out;
	}
	if (group_open(c->host, c->req->group, g) < 0 || view_group(c, g, v) < 0 || check_group_may_go(c, g, v) < 0)
		goto out;
	if (!group_viable(g)) {
		for (size_t i = 0; i < g->count; i++)
			if (!dma_ownership_ok(g->members[i].driver))
				reason(c, g->members[i].bdf, "bound to a driver that does not let user space own DMA");
		vbh_fail(EX_HELPER_UNSAFE, "not-viable", 0, "grant-nodes: group %u is not viable; bind it first", g->number);
		goto out;
	}
	group_json_head(c, g);
	if (set_group_nodes(c, g, c->req->uid, c->req->gid, c->req->mode) < 0)
		goto out;
	container_json(c->host, c->out);
	rc = 0;
out:
	if (g)
		group_close(g);
	free(g);
	free(v);
	return rc;
}

static int do_revoke(struct ctx *c)
{
	struct iommu_group *g = calloc(1, sizeof *g);
	int rc = -1;
	if (!g)
		return vbh_fail(EX_HELPER_INTERNAL, "internal", ENOMEM, "revoke-nodes: allocate");
	if (group_open(c->host, c->req->group, g) < 0)
		goto out;
	group_json_head(c, g);
	char name[16];
	struct node_state st;
	if (group_node_name(g->number, name, sizeof name) < 0 || node_stat(c->host, "dev/vfio", name, &st) < 0)
		goto out;
	if (!st.exists) {
		/* Nothing to take back: the node goes away when the group leaves vfio. */
		char path[320];
		if (!vbh_fmt(path, sizeof path, "/dev/vfio/%s", name)) {
			vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "revoke-nodes: group %u: node path too long",
				 g->number);
			goto out;
		}
		j_key(c->out, "node");
		node_json(c->out, path, &st);
		rc = 0;
		goto out;
	}
	rc = set_group_nodes(c, g, 0, 0, 0600);
out:
	group_close(g);
	free(g);
	return rc;
}

static int do_set_numvfs(struct ctx *c)
{
	struct pci_dev d;
	struct usage u;
	int rc = -1;
	char what[64];
	if (!vbh_fmt(what, sizeof what, "set-numvfs: %s", c->req->bdf)) /* d is not open yet: return */
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "set-numvfs: %s: description too long", c->req->bdf);
	if (open_allowed_device(c, "set-numvfs", &d, &u) < 0)
		goto out;
	char b[32];
	unsigned long long total, cur;
	ssize_t r = read_attr_opt(d.fd, "sriov_totalvfs", b, sizeof b, what);
	if (r == -2) {
		vbh_fail(EX_HELPER_NOTFOUND, "not-sriov", 0, "%s: the device has no SR-IOV capability", what);
		goto out;
	}
	if (r < 0 || parse_uint(b, VBH_NUMVFS_MAX, "sriov_totalvfs", &total) < 0 ||
	    read_attr(d.fd, "sriov_numvfs", b, sizeof b, what) < 0 ||
	    parse_uint(b, VBH_NUMVFS_MAX, "sriov_numvfs", &cur) < 0)
		goto out;
	if (c->req->numvfs > total) {
		vbh_fail(EX_HELPER_USAGE, "out-of-range", 0, "%s: %u VFs requested, the device supports %llu", what,
			 c->req->numvfs, total);
		goto out;
	}
	/* VFs that are about to disappear must not be open by anyone. */
	for (unsigned long long k = 0; k < cur && c->req->numvfs != cur; k++) {
		char link[32], vfname[32];
		if (!vbh_fmt(link, sizeof link, "virtfn%llu", k)) {
			vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: VF link name too long", what);
			goto out;
		}
		if (read_link_base(d.fd, link, vfname, sizeof vfname, what) != 0) {
			vbh_fail_reset();
			continue;
		}
		struct pci_addr va;
		struct pci_dev vf;
		if (parse_pci_addr(vfname, &va) < 0 || pci_dev_open(c->host, &va, &vf) < 0) {
			pci_dev_close(&vf);
			goto out;
		}
		int vg = vf.group;
		pci_dev_close(&vf);
		if (vg < 0)
			continue;
		static struct holder hs[VBH_HOLDERS_MAX];
		size_t nh = 0;
		if (group_holders(c, (unsigned)vg, hs, VBH_HOLDERS_MAX, &nh) < 0)
			goto out;
		if (nh > 0) {
			reason(c, vfname, "VF group is open by a process");
			vbh_fail(EX_HELPER_UNSAFE, "held", 0, "%s: VF %s is in use", what, vfname);
			goto out;
		}
	}
	j_kstr(c->out, "address", d.bdf);
	j_kuint(c->out, "totalVfs", total);
	j_kuint(c->out, "previousNumVfs", cur);
	j_key(c->out, "writes");
	j_arr_begin(c->out);
	if (cur != c->req->numvfs) {
		/* The value first: a failure here has written nothing. */
		if (!vbh_fmt(b, sizeof b, "%u", c->req->numvfs)) {
			vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "%s: value too long", what);
			j_arr_end(c->out);
			goto out;
		}
		if (cur != 0 && c->req->numvfs != 0) {
			if (write_attr(d.fd, "sriov_numvfs", "0", what) < 0) {
				j_arr_end(c->out);
				goto out;
			}
			j_str(c->out, "0");
		}
		if (write_attr(d.fd, "sriov_numvfs", b, what) < 0) {
			j_arr_end(c->out);
			goto out;
		}
		j_str(c->out, b);
	}
	j_arr_end(c->out);
	j_kuint(c->out, "numVfs", c->req->numvfs);
	rc = 0;
out:
	pci_dev_close(&d);
	return rc;
}

static int do_memlock_user(struct ctx *c)
{
	errno = 0;
	struct passwd *pw = getpwnam(c->req->user);
	if (!pw)
		return vbh_fail(EX_HELPER_NOTFOUND, "user-not-found", errno, "memlock-user: no user %s", c->req->user);
	if (check_grantee(c, pw->pw_uid) < 0)
		return -1;
	j_kstr(c->out, "user", c->req->user);
	j_kuint(c->out, "uid", pw->pw_uid);
	if (c->req->remove)
		return memlock_user_remove(c->host, c->req->user, c->out);
	return memlock_user_write(c->host, c->req->user, c->req->bytes / 1024u, c->out);
}

static int do_memlock_pid(struct ctx *c)
{
	if (check_grantee(c, c->req->uid) < 0)
		return -1;
	char name[16];
	if (!vbh_fmt(name, sizeof name, "%u", c->req->pid))
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "memlock-pid: process %u: name too long",
				c->req->pid);
	int pfd = openat(c->host->procfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return vbh_fail(EX_HELPER_NOTFOUND, "process-not-found", errno, "memlock-pid: process %u", c->req->pid);
	struct proc_status before, after;
	int rc = -1;
	if (proc_read(pfd, &before) < 0)
		goto out;
	if (before.ruid != c->req->uid) {
		vbh_fail(EX_HELPER_POLICY, "pid-not-grantee", 0, "memlock-pid: process %u belongs to uid %u, not uid %u",
			 c->req->pid, (unsigned)before.ruid, (unsigned)c->req->uid);
		goto out;
	}
	struct rlimit nl = { (rlim_t)c->req->bytes, (rlim_t)c->req->bytes }, old;
	if (prlimit((pid_t)c->req->pid, RLIMIT_MEMLOCK, &nl, &old) < 0) {
		vbh_fail(errno == ESRCH ? EX_HELPER_NOTFOUND : EX_HELPER_SYSCALL, "syscall", errno,
			 "memlock-pid: prlimit on process %u", c->req->pid);
		goto out;
	}
	/* The same process still (pid not reused meanwhile): same start time, same owner. */
	if (proc_read(pfd, &after) < 0 || after.starttime != before.starttime || after.ruid != before.ruid) {
		vbh_fail_reset();
		vbh_fail(EX_HELPER_UNSAFE, "pid-changed", 0, "memlock-pid: process %u changed during the operation",
			 c->req->pid);
		goto out;
	}
	j_kuint(c->out, "pid", c->req->pid);
	j_kuint(c->out, "uid", after.ruid);
	j_kstr(c->out, "comm", after.comm);
	j_key(c->out, "previous");
	j_obj_begin(c->out);
	if (old.rlim_cur == RLIM_INFINITY) {
		j_key(c->out, "soft");
		j_null(c->out);
	} else
		j_kuint(c->out, "soft", old.rlim_cur);
	if (old.rlim_max == RLIM_INFINITY) {
		j_key(c->out, "hard");
		j_null(c->out);
	} else
		j_kuint(c->out, "hard", old.rlim_max);
	j_obj_end(c->out);
	j_kuint(c->out, "memlockBytes", c->req->bytes);
	rc = 0;
out:
	close(pfd);
	return rc;
}

static int do_holders(struct ctx *c)
{
	static struct holder hs[VBH_HOLDERS_MAX];
	size_t n = 0;
	if (group_holders(c, c->req->group, hs, VBH_HOLDERS_MAX, &n) < 0)
		return -1;
	j_kuint(c->out, "group", c->req->group);
	j_key(c->out, "holders");
	j_arr_begin(c->out);
	for (size_t i = 0; i < n; i++)
		holder_json(c->out, &hs[i]);
	j_arr_end(c->out);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until every pidfd is readable (exited) or the time is up; marks exited ones. */
static void wait_exit(int *fds, bool *exited, size_t n, long long deadline)
{
	for (;;) {
		struct pollfd p[VBH_HOLDERS_MAX];
		size_t m = 0, idx[VBH_HOLDERS_MAX];
		for (size_t i = 0; i < n; i++)
			if (fds[i] >= 0 && !exited[i]) {
				p[m].fd = fds[i];
				p[m].events = POLLIN;
				p[m].revents = 0;
				idx[m++] = i;
			}
		if (m == 0)
			return;
		long long left = deadline - now_ms();
		if (left <= 0)
			return;
		int r = poll(p, m, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno != EINTR)
			return;
		for (size_t k = 0; k < m; k++)
			if (p[k].revents & (POLLIN | POLLHUP))
				exited[idx[k]] = true;
	}
}

static int do_terminate(struct ctx *c)
{
	static struct holder hs[VBH_HOLDERS_MAX];
	static int fds[VBH_HOLDERS_MAX];
	static bool exited[VBH_HOLDERS_MAX];
	static const char *outcome[VBH_HOLDERS_MAX];
	static char names[VBH_HOLDERS_MAX][16];
	size_t n = 0;
	struct iommu_group *g = calloc(1, sizeof *g);
	if (!g)
		return vbh_fail(EX_HELPER_INTERNAL, "internal", ENOMEM, "terminate-holders: allocate");
	struct node_id ids[1 + VBH_GROUP_MEMBERS_MAX];
	size_t nid = 0;
	int rc = -1;
	if (group_open(c->host, c->req->group, g) < 0 || group_node_ids(c, g, ids, sizeof ids / sizeof ids[0], &nid) < 0 ||
	    find_holders(c->host, ids, nid, hs, VBH_HOLDERS_MAX, &n) < 0)
		goto out;
	/* The /proc names first: a failure here has signalled nobody. */
	for (size_t i = 0; i < n; i++)
		if (!vbh_fmt(names[i], sizeof names[i], "%d", (int)hs[i].pid)) {
			vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "terminate-holders: process %d: name too long",
				 (int)hs[i].pid);
			goto out;
		}
	for (size_t i = 0; i < n; i++) {
		fds[i] = -1;
		exited[i] = false;
		if (hs[i].st.ruid < c->pol->min_uid) {
			outcome[i] = "skipped-uid-below-minimum";
			continue;
		}
		/* pidfd first, then re-check that this very process holds the node: no pid-reuse race. */
		fds[i] = pidfd_open(hs[i].pid, 0);
		int pfd = fds[i] >= 0 ? openat(c->host->procfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
		bool still = pfd >= 0 && proc_holds(pfd, ids, nid);
		if (pfd >= 0)
			close(pfd);
		if (!still || pidfd_send_signal(fds[i], SIGTERM, NULL, 0) < 0) {
			outcome[i] = "gone";
			exited[i] = true;
			continue;
		}
		outcome[i] = "terminated";
	}
	wait_exit(fds, exited, n, now_ms() + c->req->grace_ms);
	bool killed_any = false;
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0 && !exited[i]) {
			if (pidfd_send_signal(fds[i], SIGKILL, NULL, 0) == 0) {
				outcome[i] = "killed";
				killed_any = true;
			} else {
				exited[i] = true;
			}
		}
	if (killed_any)
		wait_exit(fds, exited, n, now_ms() + 2000);
	j_kuint(c->out, "group", c->req->group);
	j_kuint(c->out, "graceMs", c->req->grace_ms);
	j_key(c->out, "holders");
	j_arr_begin(c->out);
	bool all_gone = true;
	for (size_t i = 0; i < n; i++) {
		const char *o = outcome[i];
		if (fds[i] >= 0 && !exited[i]) {
			o = "survived";
			all_gone = false;
		}
		if (strcmp(o, "skipped-uid-below-minimum") == 0)
			all_gone = false;
		j_obj_begin(c->out);
		j_kint(c->out, "pid", hs[i].pid);
		j_kuint(c->out, "uid", hs[i].st.ruid);
		j_kstr(c->out, "comm", hs[i].st.comm);
		j_kstr(c->out, "outcome", o);
		j_obj_end(c->out);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	j_arr_end(c->out);
	j_kbool(c->out, "allGone", all_gone);
	rc = 0;
out:
	group_close(g);
	free(g);
	return rc;
}

static int do_reset(struct ctx *c)
{
	struct pci_dev d;
	struct usage u;
	int rc = -1;
	if (open_allowed_device(c, "reset", &d, &u) < 0)
		goto out;
	if (u.count > 0) {
		for (size_t i = 0; i < u.count; i++)
			reason(c, d.bdf, u.reasons[i]);
		vbh_fail(EX_HELPER_UNSAFE, "in-use", 0, "reset: %s: in use by the host", d.bdf);
		goto out;
	}
	struct stat st;
	if (fstatat(d.fd, "reset", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		vbh_fail(EX_HELPER_NOTFOUND, "no-reset-method", errno, "reset: %s: the kernel offers no reset", d.bdf);
		goto out;
	}
	if (write_attr(d.fd, "reset", "1", "reset") < 0)
		goto out;
	j_kstr(c->out, "address", d.bdf);
	j_kbool(c->out, "reset", true);
	rc = 0;
out:
	pci_dev_close(&d);
	return rc;
}

static int do_read_config(struct ctx *c)
{
	struct pci_dev d;
	int rc = -1;
	if (pci_dev_open(c->host, &c->req->addr, &d) < 0)
		goto out;
	int fd = openat(d.fd, "config", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		vbh_fail(EX_HELPER_NOTFOUND, "not-found", errno, "read-config: %s: open config", d.bdf);
		goto out;
	}
	unsigned char buf[4096];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof buf - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "read-config: %s: read config", d.bdf);
			goto out;
		}
		if (n == 0 || (len += (size_t)n) == sizeof buf)
			break;
	}
	close(fd);
	static char hex[2 * sizeof buf + 1];
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[buf[i] >> 4];
		hex[2 * i + 1] = digits[buf[i] & 15];
	}
	hex[2 * len] = '\0';
	j_kstr(c->out, "address", d.bdf);
	j_kuint(c->out, "length", len);
	j_kstr(c->out, "config", hex);
	rc = 0;
out:
	pci_dev_close(&d);
	return rc;
}

int run_verb(struct ctx *c)
{
	switch (c->req->verb) {
	case V_INSPECT_GROUP: return do_inspect(c);
	case V_BIND_GROUP: return do_bind(c);
	case V_RESTORE: return do_restore(c);
	case V_GRANT_NODES: return do_grant(c);
	case V_REVOKE_NODES: return do_revoke(c);
	case V_SET_NUMVFS: return do_set_numvfs(c);
	case V_MEMLOCK_USER: return do_memlock_user(c);
	case V_MEMLOCK_PID: return do_memlock_pid(c);
	case V_HOLDERS: return do_holders(c);
	case V_TERMINATE_HOLDERS: return do_terminate(c);
	case V_RESET: return do_reset(c);
	case V_READ_CONFIG: return do_read_config(c);
	case V_VERSION:
	case V_NONE: break;
	}
	return vbh_fail(EX_HELPER_INTERNAL, "internal", 0, "run: verb has no action");
}
