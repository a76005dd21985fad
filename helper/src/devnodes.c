/* devnodes.c - ownership of the group and device nodes. */
#include "devnodes.h"
#include "fail.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * TEST BUILD ONLY: fixture "device nodes" are regular files, because tests cannot mknod real
 * character devices that mean anything. This and the root directory are the only compile-time
 * differences between the builds.
 */
static bool is_node_type(mode_t m)
{
#ifdef VBH_TEST_BUILD
	return S_ISCHR(m) || S_ISREG(m);
#else
	return S_ISCHR(m);
#endif
}

int node_stat(struct host *h, const char *dir, const char *name, struct node_state *out)
{
	memset(out, 0, sizeof *out);
	int dfd = open_beneath(h->rootfd, dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "stat node: open %s", dir);
	}
	struct stat st;
	int r = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
	int e = errno;
	close(dfd);
	if (r < 0) {
		if (e == ENOENT)
			return 0;
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "stat node: %s/%s", dir, name);
	}
	if (!is_node_type(st.st_mode))
		return vbh_fail(EX_HELPER_UNSAFE, "not-a-device-node", 0, "stat node: %s/%s is not a character device",
				dir, name);
	out->exists = true;
	out->uid = st.st_uid;
	out->gid = st.st_gid;
	out->mode = st.st_mode & 07777;
	return 0;
}

int node_set_owner(struct host *h, const char *dir, const char *name, uid_t uid, gid_t gid, unsigned mode,
		   struct node_state *after)
{
	int dfd = open_beneath(h->rootfd, dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return vbh_fail(errno == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_SYSCALL,
				errno == ENOENT ? "node-not-found" : "syscall", errno, "set owner: open %s", dir);
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;
		close(dfd);
		return vbh_fail(e == ENOENT ? EX_HELPER_NOTFOUND : EX_HELPER_SYSCALL,
				e == ENOENT ? "node-not-found" : "syscall", e, "set owner: stat %s/%s", dir, name);
	}
	if (!is_node_type(st.st_mode)) {
		close(dfd);
		return vbh_fail(EX_HELPER_UNSAFE, "not-a-device-node", 0,
				"set owner: %s/%s is not a character device", dir, name);
	}
	/* Narrow first, so there is no moment where the new owner meets the old, wider mode. */
	if (fchmodat(dfd, name, 0600, AT_SYMLINK_NOFOLLOW) < 0 || fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dfd, name, mode, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "chown-failed", e, "set owner: %s/%s to %u:%u mode %04o", dir, name,
				(unsigned)uid, (unsigned)gid, mode);
	}
	/* Re-check: the same name must still be the same kind of node with what we set. */
	int r = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
	int e = errno;
	close(dfd);
	if (r < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "set owner: re-stat %s/%s", dir, name);
	if (!is_node_type(st.st_mode) || st.st_uid != uid || st.st_gid != gid || (st.st_mode & 07777) != mode)
		return vbh_fail(EX_HELPER_UNSAFE, "node-changed", 0, "set owner: %s/%s changed under us", dir, name);
	after->exists = true;
	after->uid = st.st_uid;
	after->gid = st.st_gid;
	after->mode = st.st_mode & 07777;
	return 0;
}

int device_cdevs(const struct pci_dev *d, char names[][32], int max)
{
	int dfd = openat(d->fd, "vfio-dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "list cdevs of %s: open vfio-dev", d->bdf);
	}
	DIR *dir = fdopendir(dfd);
	if (!dir) {
		int e = errno;
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "list cdevs of %s", d->bdf);
	}
	int n = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		/* Only names the kernel makes: vfio<decimal>. */
		unsigned long long num;
		if (strncmp(de->d_name, "vfio", 4) != 0 || parse_uint(de->d_name + 4, 1000000, "cdev", &num) < 0) {
			vbh_fail_reset();
			closedir(dir);
			return vbh_fail(EX_HELPER_UNSAFE, "malformed-cdev", 0, "list cdevs of %s: unexpected entry",
					d->bdf);
		}
		/*
		 * Kernels without CONFIG_VFIO_DEVICE_CDEV (Debian's 6.1 and 6.12) list vfio-dev/vfioN too,
		 * but with no device number ("dev") and no /dev/vfio/devices/vfioN: no node to hand out.
		 */
		char devattr[48];
		struct stat ds;
		if (!vbh_fmt(devattr, sizeof devattr, "vfio%llu/dev", num)) { /* at most 15 characters */
			closedir(dir);
			return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "list cdevs of %s: attribute path too long",
					d->bdf);
		}
		if (fstatat(dirfd(dir), devattr, &ds, AT_SYMLINK_NOFOLLOW) < 0) {
			int e = errno;
			if (e == ENOENT)
				continue;
			closedir(dir);
			return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "list cdevs of %s: stat %s", d->bdf, devattr);
		}
		if (n == max) {
			closedir(dir);
			return vbh_fail(EX_HELPER_INTERNAL, "too-many-entries", 0, "list cdevs of %s: too many", d->bdf);
		}
		if (!vbh_fmt(names[n], sizeof names[0], "vfio%llu", num)) { /* at most 11 characters */
			closedir(dir);
			return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "list cdevs of %s: cdev name too long",
					d->bdf);
		}
		n++;
	}
	closedir(dir);
	return n;
}

void node_json(struct jbuf *j, const char *path, const struct node_state *st)
{
	j_obj_begin(j);
	j_kstr(j, "path", path);
	j_kbool(j, "exists", st->exists);
	if (st->exists) {
		j_kuint(j, "uid", st->uid);
		j_kuint(j, "gid", st->gid);
		char m[8];
		if (vbh_fmt(m, sizeof m, "%04o", st->mode & 07777)) { /* 4 digits: the mode is masked */
			j_kstr(j, "mode", m);
		} else {
			/* No int to return here: record the failure, and spoil the output as json.c does. */
			vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "report node %s: mode too long", path);
			j->overflow = true;
		}
	}
	j_obj_end(j);
}

void container_json(struct host *h, struct jbuf *j)
{
	struct node_state st;
	if (node_stat(h, "dev/vfio", "vfio", &st) < 0) {
		vbh_fail_reset();
		st.exists = false;
	}
	bool usable = st.exists && (st.mode & 0666) == 0666;
	j_kbool(j, "containerUsable", usable);
	j_key(j, "container");
	node_json(j, "/dev/vfio/vfio", &st);
}
