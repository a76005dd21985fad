/* limits.c - pam_limits drop-ins, written atomically (temp file, fsync, rename, fsync directory). */
#include "limits.h"
#include "fail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIMITS_DIR "etc/security/limits.d"

int memlock_dropin_text(const char *user, unsigned long long kib, char *out, size_t size)
{
	int n = snprintf(out, size,
			 "# Written by vfio-broker-helper: locked-memory quota for devices granted by vfio-broker.\n"
			 "%s soft memlock %llu\n"
			 "%s hard memlock %llu\n",
			 user, kib, user, kib);
	if (n < 0 || (size_t)n >= size)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "memlock drop-in for %s: text too long", user);
	return n;
}

static int dropin_name(const char *user, char *out, size_t size)
{
	int n = snprintf(out, size, "90-vfio-broker-%s.conf", user);
	if (n < 0 || (size_t)n >= size)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "memlock drop-in for %s: name too long", user);
	return 0;
}

int memlock_user_write(struct host *h, const char *user, unsigned long long kib, struct jbuf *j)
{
	char name[96], tmp[128], text[512];
	if (dropin_name(user, name, sizeof name) < 0)
		return -1;
	int len = memlock_dropin_text(user, kib, text, sizeof text);
	if (len < 0)
		return -1;
	int dfd = open_beneath(h->rootfd, LIMITS_DIR, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "memlock drop-in: open /" LIMITS_DIR);
	unsigned char rnd[6];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "memlock drop-in: getrandom");
	}
	int n = snprintf(tmp, sizeof tmp, ".%s.%02x%02x%02x%02x%02x%02x.tmp", name, rnd[0], rnd[1], rnd[2], rnd[3],
			 rnd[4], rnd[5]);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		close(dfd);
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "memlock drop-in: temp name too long");
	}
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "memlock drop-in: create %s", tmp);
	}
	ssize_t w;
	do
		w = write(fd, text, (size_t)len);
	while (w < 0 && errno == EINTR);
	int e = errno;
	bool ok = w == len && fchmod(fd, 0644) == 0 && fchown(fd, 0, 0) == 0 && fsync(fd) == 0;
	if (!ok && w == len)
		e = errno;
	if (close(fd) < 0 && ok) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "write-failed", w == len ? e : (w < 0 ? e : 0),
				"memlock drop-in: write %s", tmp);
	}
	if (renameat(dfd, tmp, dfd, name) < 0) {
		e = errno;
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "memlock drop-in: rename to %s", name);
	}
	if (fsync(dfd) < 0) {
		e = errno;
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "memlock drop-in: fsync directory");
	}
	close(dfd);
	char path[160];
	n = snprintf(path, sizeof path, "/" LIMITS_DIR "/%s", name);
	if (n < 0 || (size_t)n >= sizeof path)
		return vbh_fail(EX_HELPER_INTERNAL, "too-long", 0, "memlock drop-in: path too long");
	j_kstr(j, "file", path);
	j_kuint(j, "memlockKiB", kib);
	j_kuint(j, "memlockBytes", kib * 1024u);
	return 0;
}

int memlock_user_remove(struct host *h, const char *user, struct jbuf *j)
{
	char name[96];
	if (dropin_name(user, name, sizeof name) < 0)
		return -1;
	int dfd = open_beneath(h->rootfd, LIMITS_DIR, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", errno, "memlock drop-in: open /" LIMITS_DIR);
	bool existed = true;
	if (unlinkat(dfd, name, 0) < 0) {
		if (errno != ENOENT) {
			int e = errno;
			close(dfd);
			return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "memlock drop-in: remove %s", name);
		}
		existed = false;
	}
	if (existed && fsync(dfd) < 0) {
		int e = errno;
		close(dfd);
		return vbh_fail(EX_HELPER_SYSCALL, "syscall", e, "memlock drop-in: fsync directory");
	}
	close(dfd);
	j_kbool(j, "removed", existed);
	return 0;
}
